"""Separation of duties in the people import (issue 12): nobody becomes a manager through their own import.

The attack: an HR analyst imported a file that made her a mentee's manager; the manager page then opened the
mentee's shared goals. Now such a row is refused with its row and column, nothing is written, and an
AuditEvent records the attempt. The same line imported by someone else grants the access as before.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, RequestFactory
from django.urls import reverse

from conftest import Personas
from people.models import User
from people.services.hris_import import people_import
from people.tests.factories import OrgUnitFactory, UserFactory
from people.tests.test_hris_import import to_csv
from programmes.access import Action, may
from programmes.models import AuditEvent, Enrolment

pytestmark = pytest.mark.django_db


def _line(p: Personas, manager: str) -> bytes:
    row = {"email": p.mentee.email, "full_name": p.mentee.full_name, "manager_email": manager}
    return to_csv([row], list(row))


def _refusals(actor: User) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(User), object_id=actor.pk, to_state="import_refused"
        )
    )


def _is_manager(user: User, p: Personas) -> bool:
    enrolment = Enrolment.objects.select_related("person").get(programme=p.programme, person=p.mentee)
    return may(user, Action.VIEW_SHARED_GOALS, enrolment)


def test_the_attack_worked_when_the_line_came_from_the_file_whoever_imported_it(personas: Personas) -> None:
    """Before: the import wrote any manager line; the named person then opened the manager's page."""
    assert not _is_manager(personas.hr_analyst, personas)
    assert people_import(actor=None, content=_line(personas, personas.hr_analyst.email)).ok  # the HRIS feed
    assert _is_manager(personas.hr_analyst, personas)


def test_an_hr_analyst_cannot_make_herself_a_mentees_manager(personas: Personas) -> None:
    hr = personas.hr_analyst
    for dry_run in (True, False):
        result = people_import(actor=hr, content=_line(personas, hr.email.upper()), dry_run=dry_run)
        assert not result.ok
        [problem] = result.problems
        assert (problem.row, problem.column) == (2, "manager_email")
        assert personas.mentee.email in problem.message
    personas.mentee.refresh_from_db()
    assert personas.mentee.manager_id == personas.mentor.pk
    assert not _is_manager(hr, personas)
    events = _refusals(hr)
    assert [e.from_state for e in events] == ["preview", "import"]
    assert "row 2, manager_email" in events[0].reason
    assert events[0].actor == hr


def test_another_hr_analyst_may_import_the_line_and_the_manager_then_has_access(personas: Personas) -> None:
    colleague = UserFactory(is_hr_analyst=True)
    assert people_import(actor=colleague, content=_line(personas, personas.hr_analyst.email)).ok
    assert _is_manager(personas.hr_analyst, personas)
    # Repeating a line someone else set is no change, so the manager herself may re-import it.
    assert people_import(actor=personas.hr_analyst, content=_line(personas, personas.hr_analyst.email)).ok
    assert _refusals(personas.hr_analyst) == []


def test_an_importer_cannot_change_her_own_reporting_line_unit_or_grade(personas: Personas) -> None:
    hr = personas.hr_analyst
    unit = OrgUnitFactory(code="HR-NEW")
    row = {
        "email": hr.email, "full_name": hr.full_name, "manager_email": personas.coordinator.email,
        "org_unit_code": unit.code, "grade": "12", "job_title": "Analyst",
    }  # fmt: skip
    result = people_import(actor=hr, content=to_csv([row], list(row)))
    assert not result.ok
    assert sorted(p.column for p in result.problems) == ["grade", "manager_email", "org_unit_code"]
    hr.refresh_from_db()
    assert hr.manager_id is None
    assert hr.org_unit_id != unit.pk
    # Her name and title are not access: with those alone her own row imports.
    plain = {"email": hr.email, "full_name": "Rina H.", "job_title": "Senior Analyst"}
    assert people_import(actor=hr, content=to_csv([plain], list(plain))).ok


def test_the_import_page_shows_the_refused_row_and_column(client: Client, personas: Personas) -> None:
    client.force_login(personas.hr_analyst)
    upload = SimpleUploadedFile("people.csv", _line(personas, personas.hr_analyst.email), content_type="text/csv")
    response = client.post(reverse("people:import"), {"file": upload})
    assert response.status_code == 200
    page = response.content.decode()
    assert "manager_email" in page
    assert "You cannot make yourself the manager" in page
    personas.mentee.refresh_from_db()
    assert personas.mentee.manager_id == personas.mentor.pk
    assert len(_refusals(personas.hr_analyst)) == 1


def _admin_form(rf: RequestFactory, editor: User, person: User, **changes: Any) -> Any:
    request = rf.post("/")
    request.user = editor
    form_class = admin.site._registry[User].get_form(request, obj=person, change=True)
    initial = form_class(instance=person).initial
    data = {
        k: ("" if v is None else v) for k, v in initial.items() if k not in ("password", "groups", "user_permissions")
    }
    data["languages"] = json.dumps(person.languages or [])
    data.update(changes)
    return form_class(data=data, instance=person)


def test_the_admin_cannot_make_themselves_a_manager_or_move_their_own_line(
    rf: RequestFactory, personas: Personas
) -> None:
    boss = personas.admin
    form = _admin_form(rf, boss, personas.mentee, manager=boss.pk)
    assert not form.is_valid()
    assert list(form.errors) == ["manager"]
    own = _admin_form(rf, boss, boss, grade=12)
    assert not own.is_valid()
    assert "grade" in own.errors
    # Another administrator may set the line, and then it is just a line someone else set.
    other = UserFactory(is_superuser=True, is_staff=True)
    allowed = _admin_form(rf, other, personas.mentee, manager=boss.pk)
    assert allowed.is_valid(), allowed.errors
