"""Separation of duties in the people import: nobody gains access through data they can edit themselves.

A manager sees a mentee's shared goals and approves or refuses her applications, so the reporting line is
an access grant. An HR analyst may import people, but an import that makes the importer someone's manager
(a new line to them), or that changes the importer's own reporting line or own access-relevant fields, is
refused row by row and logged: such a line must come from someone else (another HR analyst, an
administrator, or the HRIS feed run as a command). Lines the importer already had, set by someone else,
stay as they are: repeating them is no change.

The refusal is announced with the `import_refused` signal, which the programmes app turns into an
AuditEvent (people is the lower app and cannot write one itself).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.dispatch import Signal
from django.utils.translation import gettext as _

from people.models import User

from .hris_rows import Directory, PersonRow, Problem, Problems

# Sent with actor=User, problems=list[Problem], dry_run=bool when an import is refused for these reasons.
import_refused = Signal()

# Fields of one's own record that decide who one is managed by or compared with.
OWN_ACCESS_FIELDS = ("grade", "left_date")


def check_duties(
    by_email: Mapping[str, PersonRow], directory: Directory, actor: User, problems: Problems
) -> list[Problem]:
    """Add a problem for every row that would grant the actor access; returns those problems."""
    me = actor.email.lower()
    before = len(problems.items)
    current_manager = {
        email: directory.email_by_id.get(row["manager_id"]) or "" for email, row in directory.people.items()
    }
    for person in by_email.values():
        if person.email == me:
            _check_own_row(person, directory, current_manager.get(me, ""), problems)
        elif person.manager_email == me and current_manager.get(person.email, "") != me:
            problems.add(
                person.row,
                "manager_email",
                _(
                    "You cannot make yourself the manager of %(email)s: a manager sees their goals and approves "
                    "their applications. Ask another HR analyst or an administrator to import this line."
                )
                % {"email": person.email},
            )
    return problems.items[before:]


def _check_own_row(person: PersonRow, directory: Directory, manager: str, problems: Problems) -> None:
    current = directory.people.get(person.email)
    if current is None:
        return
    own = _("This row is your own record: ask another HR analyst or an administrator to change your %(what)s.")
    if person.manager_email is not None and person.manager_email != manager:
        problems.add(person.row, "manager_email", own % {"what": _("manager")})
    if person.unit_code is not None and (directory.unit_code_by_id.get(current["org_unit_id"]) or "") != (
        person.unit_code
    ):
        problems.add(person.row, "org_unit_code", own % {"what": _("org unit")})
    names = {"grade": _("grade"), "left_date": _("leaving date")}
    for name in OWN_ACCESS_FIELDS:
        if name in person.fields and person.fields[name] != current[name]:
            problems.add(person.row, name, own % {"what": names[name]})
