"""A person's data export (everything that references them, nobody else's private data) and their erasure."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.test import Client
from django.urls import reverse

from conftest import Personas
from evaluation.reports import ReportFilters, outcome_report
from evaluation.services.results import outcome_results_compute
from evaluation.tests.outcome_helpers import outcomes
from people.models import User
from privacy.erasure import person_erase
from privacy.export import person_export, user_links
from programmes.models import AuditEvent, CheckIn, Concern, ContentRead, PrivateNote
from programmes.support.services.concerns import concern_raise
from programmes.support.services.support import CheckInAnswer, checkin_answer
from programmes.tests.support_helpers import SessionFactory, open_checkin, persona_pair

pytestmark = pytest.mark.django_db

OTHERS_SECRETS = ("MENTOR-PRIVATE-NOTE", "MENTOR-CHECKIN-WORRY", "MENTOR-CONCERN-TEXT", "COORDINATOR-MEDIATION")


def _pair_with_content(p: Personas) -> None:
    """The personas' pair, with content of the mentee's own and the mentor's private data beside it."""
    relationship = persona_pair(p)
    session = SessionFactory(relationship=relationship, logged_by=p.mentee, shared_notes="Our shared plan")
    PrivateNote.objects.create(session=session, author=p.mentee, text="MENTEE-OWN-NOTE")
    PrivateNote.objects.create(session=session, author=p.mentor, text="MENTOR-PRIVATE-NOTE")
    for person, worry in ((p.mentee, "MENTEE-OWN-WORRY"), (p.mentor, "MENTOR-CHECKIN-WORRY")):
        answer = CheckInAnswer(satisfaction=3, progress=3, working=CheckIn.Working.YES, concern=worry)
        checkin_answer(actor=person, checkin=open_checkin(relationship, person), answer=answer)
    mine = concern_raise(
        actor=p.mentee,
        relationship=relationship,
        category="not_working",
        description="MENTEE-OWN-CONCERN",
        severity="medium",
        confidential=True,
    )
    Concern.objects.filter(pk=mine.pk).update(mediation_notes="COORDINATOR-MEDIATION", handled_by=p.coordinator)
    concern_raise(
        actor=p.mentor,
        relationship=relationship,
        category="not_working",
        description="MENTOR-CONCERN-TEXT",
        severity="medium",
        confidential=True,
    )
    ContentRead.objects.create(reader=p.coordinator, relationship=relationship, kind="concern", reason="Follow-up")


def _exported_keys(export: dict[str, Any]) -> set[tuple[str, int]]:
    keys = set()
    for section in export["sections"]:
        keys |= {(section["model"], row["id"]) for row in section["rows"]}
        keys |= {(section["model"], ref["id"]) for ref in section["references"]}
    return keys


def test_the_export_holds_every_row_that_references_the_person_and_no_one_elses_private_data(
    personas: Personas,
) -> None:
    _pair_with_content(personas)
    for person in (personas.mentee, personas.mentor, personas.coordinator):
        export = person_export(person=person)
        keys = _exported_keys(export)
        walked = 0
        for model, f in user_links():
            for pk in model._default_manager.filter(**{f.name: person}).values_list("pk", flat=True):
                assert (model._meta.label, pk) in keys, f"{model._meta.label}.{f.name} #{pk} missing for {person}"
                walked += 1
        assert walked > 0
        text = json.dumps(export, default=str)
        assert "password" not in export["person"]
        if person == personas.mentee:
            assert "MENTEE-OWN-NOTE" in text
            assert "MENTEE-OWN-WORRY" in text
            assert "MENTEE-OWN-CONCERN" in text
        for secret in OTHERS_SECRETS:
            if not (person == personas.mentor and secret.startswith("MENTOR")):
                assert secret not in text, f"{secret} in the export of {person}"


def test_the_person_downloads_json_and_a_readable_page_from_their_account_page(
    client: Client, personas: Personas
) -> None:
    _pair_with_content(personas)
    client.force_login(personas.mentee)
    account = client.get(reverse("people:preferences")).content.decode()
    assert reverse("privacy:my_data") in account
    page = client.get(reverse("privacy:my_data")).content.decode()
    assert reverse("privacy:my_data_json") in page
    assert "Follow-up" in page  # the coordinator's read of the pair's concern, with its reason

    data = json.loads(client.get(reverse("privacy:my_data_json")).content)
    assert data["person"]["email"] == personas.mentee.email
    assert data["content_reads"][0]["reason"] == "Follow-up"
    html = client.get(reverse("privacy:my_data_html"))
    assert html["Content-Disposition"].startswith("attachment;")
    body = html.content.decode()
    assert "MENTEE-OWN-NOTE" in body
    for secret in OTHERS_SECRETS:
        assert secret not in body


def _text_rows_naming(needles: list[str]) -> list[str]:
    """Every row of every model with a text or JSON field that still holds one of the needles."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for f in model._meta.concrete_fields:
            if not isinstance(f, models.CharField | models.TextField | models.JSONField):
                continue
            for obj in model._default_manager.all().only("pk", f.name):
                value = json.dumps(getattr(obj, f.attname), default=str).lower()
                found += [f"{model._meta.label}.{f.name}#{obj.pk}" for n in needles if n.lower() in value]
    return found


def _figures(reports: Any) -> Any:
    """The report's figures as plain data, for comparing before and after."""
    return [
        [json.dumps(row.figures, sort_keys=True, default=str) for section in report.goals for row in section.rows]
        for report in reports
    ]


def test_erasure_leaves_no_row_naming_the_person_and_the_report_figures_unchanged(
    client: Client, personas: Personas
) -> None:
    _pair_with_content(personas)
    o = outcomes(programme=personas.programme, mentored=12, comparison=15)
    outcome_results_compute(programme=o.programme)
    person = o.mentored[0]
    # The person appears in the audit trail and in others' texts too.
    AuditEvent.objects.filter(pk=AuditEvent.objects.first().pk).update(reason=f"Moved by {person.full_name}")  # type: ignore[union-attr]
    unit = person.org_unit_id
    before = (
        _figures(outcome_report(programmes=[o.programme])),
        _figures(outcome_report(programmes=[o.programme], filters=ReportFilters(org_unit_id=unit))),
    )
    assert before[0][0]  # figures exist, for the whole programme and for the person's unit
    assert before[1][0]
    needles = [person.full_name, person.email]
    assert _text_rows_naming(needles)

    client.force_login(personas.admin)
    assert reverse("privacy:erase") in client.get(reverse("privacy:my_data")).content.decode()
    response = client.post(reverse("privacy:erase"), {"email": person.email.upper(), "confirm": "on"})
    assert response.status_code == 302

    assert _text_rows_naming(needles) == []
    erased = User.objects.get(pk=person.pk)
    assert not erased.is_active
    assert not erased.has_usable_password()
    event = AuditEvent.objects.get(to_state="erased", object_id=person.pk)
    assert event.actor == personas.admin
    outcome_results_compute(programme=o.programme)
    after = (
        _figures(outcome_report(programmes=[o.programme])),
        _figures(outcome_report(programmes=[o.programme], filters=ReportFilters(org_unit_id=unit))),
    )
    assert after == before


def test_erasing_the_mentee_deletes_their_writing_but_not_the_mentors(personas: Personas) -> None:
    _pair_with_content(personas)
    person_erase(actor=personas.admin, person=personas.mentee)
    assert list(PrivateNote.objects.values_list("text", flat=True)) == ["MENTOR-PRIVATE-NOTE"]
    assert set(CheckIn.objects.values_list("concern", flat=True)) == {"", "MENTOR-CHECKIN-WORRY"}
    assert "MENTEE-OWN-CONCERN" not in set(Concern.objects.values_list("description", flat=True))


def test_only_a_site_admin_erases_and_never_themselves(client: Client, personas: Personas) -> None:
    client.force_login(personas.hr_analyst)
    assert client.post(reverse("privacy:erase"), {"email": personas.mentee.email, "confirm": "on"}).status_code == 403
    client.force_login(personas.admin)
    refused = client.post(reverse("privacy:erase"), {"email": personas.admin.email, "confirm": "on"})
    assert refused.status_code == 200
    assert "cannot erase yourself" in refused.content.decode()
    assert User.objects.get(pk=personas.admin.pk).is_active
