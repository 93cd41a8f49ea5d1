"""HRIS import: people, org units, managers and competency ratings from one CSV file.

`people_import` checks the whole file in memory first (see hris_rows); when anything is wrong it writes
nothing and returns every problem with its spreadsheet row and column. Otherwise it writes in one
transaction with bulk inserts and updates in batches: org units (parents in a second pass), then new
people level by level down the reporting lines (so a new person's manager already has an id and no row
is written twice), then changed people, then ratings. A query per row would make 50,000 people take
minutes; bench/import_people.py measures this at seconds.

We do not call `full_clean()` per row: it would cost queries per row (unique checks) and every rule it
applies is checked in hris_rows instead, with messages that name the row and column.
"""

from __future__ import annotations

import logging
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import DataError, IntegrityError, transaction
from django.utils.translation import gettext as _

from people.models import CompetencyRating, OrgUnit, User

from .hris_columns import PERSON_FIELDS, PREFERENCE_FIELDS
from .hris_file import read_table
from .hris_rows import (
    Directory,
    ParsedFile,
    PersonRow,
    Problem,
    Problems,
    UnitRow,
    check_managers,
    check_people,
    check_units,
    parse_rows,
)
from .import_duties import check_duties, import_refused

logger = logging.getLogger(__name__)

MAX_PROBLEMS_SHOWN = 200
BATCH = 1000  # rows per INSERT
UPDATE_BATCH = 500  # rows per UPDATE … CASE statement (cost grows with rows × fields)


@dataclass
class ImportSummary:
    """What an import did, or what a dry run would do."""

    people_created: int = 0
    people_updated: int = 0
    people_unchanged: int = 0
    units_created: int = 0
    units_updated: int = 0
    ratings_created: int = 0
    ratings_updated: int = 0


@dataclass
class ImportResult:
    """The outcome: a summary when the file was good, otherwise the first problems by row and their count."""

    dry_run: bool
    summary: ImportSummary = field(default_factory=ImportSummary)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def problems_not_shown(self) -> int:
        return self.problem_count - len(self.problems)


@dataclass
class _Plan:
    """The difference between the file and the directory, computed before anything is written."""

    units_new: dict[str, UnitRow] = field(default_factory=dict)
    units_changed: dict[str, UnitRow] = field(default_factory=dict)
    people_new: list[PersonRow] = field(default_factory=list)
    people_changed: list[PersonRow] = field(default_factory=list)
    ratings_new: list[tuple[PersonRow, int, int]] = field(default_factory=list)  # person, competency, level
    ratings_changed: list[tuple[int, int]] = field(default_factory=list)  # rating id, level
    summary: ImportSummary = field(default_factory=ImportSummary)


def people_import(
    *, actor: User | None, content: bytes, dry_run: bool = False, progress: Callable[[int], None] | None = None
) -> ImportResult:
    """Import (or, with dry_run, only check and count) one HRIS CSV file: all of it, or nothing.

    `progress`, when given, is told the percentage done after each phase (the background job's bar). The
    checks run outside any transaction, so that the bar the worker writes between phases is visible to the
    page at once (inside one it would show only at the end); the writes have their own, all or nothing.
    """
    report = progress or (lambda percent: None)
    problems = Problems()
    table = read_table(content, problems)
    if table is None:
        return _failed(problems, dry_run)
    report(10)
    columns, rows = table
    directory = Directory.load()
    report(20)
    parsed = parse_rows(columns, rows, directory, problems)
    report(50)
    by_email = check_people(parsed, problems)
    check_units(parsed, directory, problems)
    check_managers(by_email, directory, problems)
    refused = check_duties(by_email, directory, actor, problems) if actor is not None else []
    if refused:
        # Logged even when other rows are wrong too: the attempt itself is what an auditor asks about.
        import_refused.send(sender=people_import, actor=actor, problems=refused, dry_run=dry_run)
    if problems:
        return _failed(problems, dry_run)
    report(70)
    plan = _plan(parsed, by_email, directory)
    report(80)
    if not dry_run:
        try:
            with transaction.atomic():
                _write(plan, parsed.columns, directory)
        except (IntegrityError, DataError) as exc:  # the directory changed between our read and our write
            problems.add(
                None, "", _("The directory changed during the import (%(error)s); try again.") % {"error": exc}
            )
            return _failed(problems, dry_run)
        logger.info("HRIS import by %s: %s", actor or "a command", plan.summary)
    return ImportResult(dry_run=dry_run, summary=plan.summary)


def _failed(problems: Problems, dry_run: bool) -> ImportResult:
    shown = problems.sorted()[:MAX_PROBLEMS_SHOWN]
    return ImportResult(dry_run=dry_run, problems=shown, problem_count=problems.count)


# Planning -------------------------------------------------------------------------------------------------


def _plan(parsed: ParsedFile, by_email: dict[str, PersonRow], directory: Directory) -> _Plan:
    plan = _Plan()
    for code, unit in parsed.units.items():
        current = directory.units.get(code)
        if current is None:
            plan.units_new[code] = unit
        elif current["name"] != unit.name or (
            unit.parent_code is not None
            and (directory.unit_code_by_id.get(current["parent_id"]) or "") != unit.parent_code
        ):
            plan.units_changed[code] = unit
    for person in by_email.values():
        current = directory.people.get(person.email)
        if current is None:
            plan.people_new.append(person)
        elif _person_changed(person, current, directory):
            plan.people_changed.append(person)
        else:
            plan.summary.people_unchanged += 1
    _plan_ratings(plan, by_email.values(), directory)
    plan.summary.units_created, plan.summary.units_updated = len(plan.units_new), len(plan.units_changed)
    plan.summary.people_created, plan.summary.people_updated = len(plan.people_new), len(plan.people_changed)
    plan.summary.ratings_created, plan.summary.ratings_updated = len(plan.ratings_new), len(plan.ratings_changed)
    return plan


def _person_changed(person: PersonRow, current: dict[str, Any], directory: Directory) -> bool:
    if any(current[name] != value for name, value in person.fields.items()):
        return True
    if (
        person.unit_code is not None
        and (directory.unit_code_by_id.get(current["org_unit_id"]) or "") != person.unit_code
    ):
        return True
    current_manager = directory.email_by_id.get(current["manager_id"]) or ""
    return person.manager_email is not None and current_manager != person.manager_email


def _plan_ratings(plan: _Plan, people: Iterable[PersonRow], directory: Directory) -> None:
    """Ratings are keyed by person, competency, source and date: the same key again updates the level."""
    rated = [person for person in people if person.ratings]
    existing = _existing_ratings([p for p in rated if p.email in directory.people])
    for person in rated:
        person_id = directory.people[person.email]["id"] if person.email in directory.people else None
        for competency_id, level in person.ratings:
            found = existing.get((person_id, competency_id, person.ratings_source, person.ratings_date))
            if found is None:
                plan.ratings_new.append((person, competency_id, level))
            elif found[1] != level:
                plan.ratings_changed.append((found[0], level))


def _existing_ratings(people: list[PersonRow]) -> dict[tuple[Any, ...], tuple[int, int]]:
    """The ratings already recorded for the sources and dates the file gives: {key: (id, level)}."""
    if not people:
        return {}
    sources = {p.ratings_source for p in people}
    dates = {p.ratings_date for p in people if p.ratings_date}
    ratings = CompetencyRating.objects.order_by().filter(source__in=sources)
    # A long IN list would pass SQLite's limit on query parameters; a date range never does.
    ratings = (
        ratings.filter(rated_on__in=dates)
        if len(dates) <= 500
        else ratings.filter(rated_on__range=(min(dates), max(dates)))
    )
    return {
        (person_id, competency_id, source, rated_on): (pk, level)
        for pk, person_id, competency_id, source, rated_on, level in ratings.values_list(
            "id", "person_id", "competency_id", "source", "rated_on", "level"
        )
    }


# Writing --------------------------------------------------------------------------------------------------


def _write(plan: _Plan, columns: list[str], directory: Directory) -> None:
    unit_ids = _write_units(plan, directory)
    person_ids = {email: row["id"] for email, row in directory.people.items()}
    _create_people(plan.people_new, unit_ids, person_ids)
    _update_people(plan.people_changed, columns, directory, unit_ids, person_ids)
    _write_ratings(plan, directory, person_ids)


def _write_units(plan: _Plan, directory: Directory) -> dict[str, int]:
    """Create the new units, then set names and parents in a second pass (a parent may be new too)."""
    unit_ids = {code: row["id"] for code, row in directory.units.items()}
    created = OrgUnit.objects.bulk_create(
        [OrgUnit(code=code, name=unit.name) for code, unit in plan.units_new.items()], batch_size=BATCH
    )
    unit_ids.update(_ids(created, "code", OrgUnit.objects.filter(code__in=plan.units_new)))
    linked: list[OrgUnit] = []
    for code, unit in (plan.units_new | plan.units_changed).items():
        current = directory.units.get(code)
        if unit.parent_code is None:  # the file has no parent column: keep the parent
            parent_id = current["parent_id"] if current else None
        else:
            parent_id = unit_ids[unit.parent_code] if unit.parent_code else None
        if current is None and parent_id is None:
            continue
        linked.append(OrgUnit(pk=unit_ids[code], code=code, name=unit.name, parent_id=parent_id))
    OrgUnit.objects.bulk_update(linked, ["name", "parent"], batch_size=UPDATE_BATCH)
    return unit_ids


def _ids(objs: list[Any], key: str, fallback: Any) -> dict[str, int]:
    """Primary keys of freshly bulk-created rows (PostgreSQL and SQLite ≥ 3.35 return them)."""
    if all(obj.pk is not None for obj in objs):
        return {getattr(obj, key): obj.pk for obj in objs}
    return dict(fallback.values_list(key, "pk"))  # pragma: no cover - databases without RETURNING


def _levels(people: list[PersonRow]) -> list[list[PersonRow]]:
    """New people grouped by depth: managers (or people whose manager already exists) before their reports."""
    by_email = {person.email: person for person in people}
    depth: dict[str, int] = {}
    for person in people:
        chain: list[str] = []
        email: str | None = person.email
        while email in by_email and email not in depth:  # the file has no cycles: this ends
            chain.append(email)
            email = by_email[email].manager_email or None
        level = depth.get(email, -1) if email else -1
        for member in reversed(chain):
            level += 1
            depth[member] = level
    levels: dict[int, list[PersonRow]] = defaultdict(list)
    for person in people:
        levels[depth[person.email]].append(person)
    return [levels[level] for level in sorted(levels)]


def _create_people(people: list[PersonRow], unit_ids: dict[str, int], person_ids: dict[str, int]) -> None:
    """Bulk-insert new people, managers first so that each insert already carries the manager's id.

    Imported people get a usable password nobody knows (one hash shared by the batch, made once): they
    sign in by asking for a password reset, which Django only sends to accounts with a usable password.
    """
    if not people:
        return
    password = make_password(secrets.token_urlsafe(32))
    for level in _levels(people):
        objs = [
            User(
                email=person.email,
                password=password,
                org_unit_id=unit_ids[person.unit_code] if person.unit_code else None,
                manager_id=person_ids[person.manager_email] if person.manager_email else None,
                **person.fields,
            )
            for person in level
        ]
        created = User.objects.bulk_create(objs, batch_size=BATCH)
        emails = [person.email for person in level]
        if any(obj.pk is None for obj in created):  # pragma: no cover - databases without RETURNING
            created = [obj for chunk in _chunks(emails, 500) for obj in User.objects.filter(email__in=chunk)]
        person_ids.update({obj.email: obj.pk for obj in created})


def _update_people(
    people: list[PersonRow],
    columns: list[str],
    directory: Directory,
    unit_ids: dict[str, int],
    person_ids: dict[str, int],
) -> None:
    """Write the columns the file has for the people whose values differ; other fields stay as they are."""
    if not people:
        return
    fields = [name for name in (*PERSON_FIELDS, *PREFERENCE_FIELDS) if name in columns]
    objs: list[User] = []
    for person in people:
        current = directory.people[person.email]
        obj = User(pk=current["id"], **{name: current[name] for name in fields} | person.fields)
        if person.unit_code is not None:
            obj.org_unit_id = unit_ids[person.unit_code] if person.unit_code else None
        else:
            obj.org_unit_id = current["org_unit_id"]
        if person.manager_email is not None:
            obj.manager_id = person_ids[person.manager_email] if person.manager_email else None
        else:
            obj.manager_id = current["manager_id"]
        objs.append(obj)
    fields += [
        name for name, column in (("org_unit", "org_unit_code"), ("manager", "manager_email")) if column in columns
    ]
    User.objects.bulk_update(objs, fields, batch_size=UPDATE_BATCH)


def _write_ratings(plan: _Plan, directory: Directory, person_ids: dict[str, int]) -> None:
    """New ratings in bulk; a rating for the same person, competency, source and date gets the new level."""
    new: list[CompetencyRating] = []
    for person, competency_id, level in plan.ratings_new:
        assert person.ratings_date is not None  # checked in hris_rows
        new.append(
            CompetencyRating(
                person_id=person_ids[person.email],
                competency_id=competency_id,
                level=level,
                source=person.ratings_source,
                rated_on=person.ratings_date,
                rater_id=_rater(person, directory, person_ids),
            )
        )
    CompetencyRating.objects.bulk_create(new, batch_size=BATCH)
    CompetencyRating.objects.bulk_update(
        [CompetencyRating(pk=pk, level=level) for pk, level in plan.ratings_changed], ["level"], batch_size=UPDATE_BATCH
    )


def _rater(person: PersonRow, directory: Directory, person_ids: dict[str, int]) -> int | None:
    """Who rated: the person for self ratings, their manager for manager ratings, nobody for assessments."""
    if person.ratings_source == CompetencyRating.Source.SELF:
        return person_ids[person.email]
    if person.ratings_source == CompetencyRating.Source.MANAGER:
        if person.manager_email is not None:
            return person_ids.get(person.manager_email) if person.manager_email else None
        current = directory.people.get(person.email)
        return current["manager_id"] if current else None
    return None


def _chunks(items: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
