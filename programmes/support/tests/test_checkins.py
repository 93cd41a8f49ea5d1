"""Check-ins: the schedule, answering once, answers hidden from the other side, "contact me" and "not working"."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import Personas
from programmes.core.errors import DomainError, InvalidTransition
from programmes.models import (
    CheckIn,
    CoordinatorTask,
    Notification,
    NotificationMute,
    RelationshipHealth,
    SupportSettings,
)
from programmes.support.services.reminders import SweepReport, checkin_sweep
from programmes.support.services.support import CheckInAnswer, checkin_answer
from programmes.tests.support_helpers import open_checkin, persona_pair

pytestmark = pytest.mark.django_db
WORRY = "He cancels every other week"


@pytest.mark.parametrize(("days", "round_no"), [(0, 0), (29, 0), (30, 1), (89, 1), (90, 2), (150, 3)])
def test_the_default_schedule_is_30_days_after_the_start_then_every_60(days: int, round_no: int) -> None:
    schedule = SupportSettings()
    start = date(2026, 1, 1)
    assert schedule.checkin_round(start, start + timedelta(days=days)) == round_no
    if round_no:
        assert schedule.checkin_due_on(start, round_no) == start + timedelta(days=30 + 60 * (round_no - 1))


def test_a_programme_may_set_its_own_schedule(personas: Personas) -> None:
    SupportSettings.objects.create(programme=personas.programme, checkin_first_days=14, checkin_interval_days=28)
    persona_pair(personas, started=timezone.now() - timedelta(days=15))
    checkin_sweep(today=timezone.localdate(), report=SweepReport())
    assert set(CheckIn.objects.values_list("round", flat=True)) == {1}


def test_the_sweep_opens_one_check_in_per_member_and_notifies_each_once(personas: Personas) -> None:
    relationship = persona_pair(personas, started=timezone.now() - timedelta(days=31))
    for _ in range(2):
        checkin_sweep(today=timezone.localdate(), report=SweepReport())
    rows = CheckIn.objects.filter(relationship=relationship)
    assert sorted(rows.values_list("respondent__email", flat=True)) == sorted(
        [personas.mentor.email, personas.mentee.email]
    )
    notices = Notification.objects.filter(kind="checkin_due")
    assert sorted(n.recipient_id for n in notices) == sorted([personas.mentor.pk, personas.mentee.pk])


def test_no_check_in_before_the_first_one_is_due_nor_for_a_paused_relationship(personas: Personas) -> None:
    persona_pair(personas, started=timezone.now() - timedelta(days=10))
    checkin_sweep(today=timezone.localdate(), report=SweepReport())
    assert not CheckIn.objects.exists()
    personas.relationship.state = "on_hold"
    personas.relationship.save()
    RelationshipHealth.objects.update(started_at=timezone.now() - timedelta(days=40))
    checkin_sweep(today=timezone.localdate(), report=SweepReport())
    assert not CheckIn.objects.exists()


def test_a_person_who_muted_check_ins_gets_the_row_but_no_notice(personas: Personas) -> None:
    persona_pair(personas, started=timezone.now() - timedelta(days=31))
    NotificationMute.objects.create(user=personas.mentor, kind="checkin_due")
    checkin_sweep(today=timezone.localdate(), report=SweepReport())
    assert CheckIn.objects.filter(respondent=personas.mentor).exists()
    assert list(Notification.objects.filter(kind="checkin_due").values_list("recipient_id", flat=True)) == [
        personas.mentee.pk
    ]


def _answer(**overrides: object) -> CheckInAnswer:
    values: dict[str, object] = {"satisfaction": 4, "progress": 3, "working": "yes"}
    values.update(overrides)
    return CheckInAnswer(**values)  # type: ignore[arg-type]


def test_a_check_in_is_answered_once_and_by_its_respondent_only(personas: Personas) -> None:
    checkin = open_checkin(persona_pair(personas), personas.mentee)
    with pytest.raises(DomainError):
        checkin_answer(actor=personas.mentor, checkin=checkin, answer=_answer())
    checkin_answer(actor=personas.mentee, checkin=checkin, answer=_answer())
    with pytest.raises(InvalidTransition):
        checkin_answer(actor=personas.mentee, checkin=checkin, answer=_answer(satisfaction=1))
    checkin.refresh_from_db()
    assert (checkin.satisfaction, checkin.progress, checkin.working) == (4, 3, "yes")


def test_please_contact_me_creates_one_task_and_tells_the_coordinators(personas: Personas) -> None:
    checkin = open_checkin(persona_pair(personas), personas.mentee)
    checkin_answer(actor=personas.mentee, checkin=checkin, answer=_answer(contact_me=True, concern=WORRY))
    task = CoordinatorTask.objects.get()
    assert task.kind == "contact_requested"
    assert task.detail == WORRY
    assert personas.mentee.full_name in task.title
    notice = Notification.objects.get(kind="coordinator_task")
    assert notice.recipient == personas.coordinator
    assert notice.channel == "in_app"


def test_not_working_flags_the_relationship_at_risk_with_the_reason(personas: Personas) -> None:
    relationship = persona_pair(personas)
    checkin = open_checkin(relationship, personas.mentor)
    checkin_answer(actor=personas.mentor, checkin=checkin, answer=_answer(working="no", satisfaction=1))
    health = RelationshipHealth.objects.get(relationship=relationship)
    assert health.at_risk
    assert health.at_risk_kind == "checkin"
    assert "not working" in health.at_risk_reason


def test_answers_are_hidden_from_the_other_member_and_shown_to_the_coordinator(
    client: Client, personas: Personas
) -> None:
    relationship = persona_pair(personas)
    checkin = open_checkin(relationship, personas.mentee)
    checkin_answer(actor=personas.mentee, checkin=checkin, answer=_answer(concern=WORRY, satisfaction=2))
    url = reverse("programmes:relationship_support", args=[personas.programme.pk, relationship.pk])
    client.force_login(personas.mentor)
    assert WORRY not in client.get(url).content.decode()
    answer_url = reverse("programmes:checkin_answer", args=[personas.programme.pk, relationship.pk, checkin.pk])
    assert client.get(answer_url).status_code == 404
    client.force_login(personas.coordinator)
    assert WORRY not in client.get(url).content.decode()  # first the reason (issue 12), then the answers
    client.post(
        reverse("programmes:content_reason", args=[personas.programme.pk, relationship.pk]),
        {"reason": "Following up the contact request.", "next": url},
    )
    assert WORRY in client.get(url).content.decode()


def test_the_check_in_page_refuses_a_bad_answer_and_keeps_the_row_unanswered(
    client: Client, personas: Personas
) -> None:
    relationship = persona_pair(personas)
    checkin = open_checkin(relationship, personas.mentee)
    url = reverse("programmes:checkin_answer", args=[personas.programme.pk, relationship.pk, checkin.pk])
    client.force_login(personas.mentee)
    response = client.post(url, {"satisfaction": "7", "progress": "3", "working": "yes"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    checkin.refresh_from_db()
    assert checkin.answered_at is None
    response = client.post(url, {"satisfaction": "5", "progress": "4", "working": "partly"})
    assert response.status_code == 302
    checkin.refresh_from_db()
    assert checkin.satisfaction == 5
