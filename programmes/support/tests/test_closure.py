"""Closure and rematch: no-fault endings at any time, exit surveys, released enrolments, the coordinator's
rematch, pause and resume, and relationships that reach their term."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import Personas
from people.tests.factories import UserFactory
from programmes.core.errors import DomainError, InvalidTransition
from programmes.matching.services.matching import matching_settings_update
from programmes.models import (
    AuditEvent,
    Closure,
    Enrolment,
    ExitSurvey,
    Notification,
    Relationship,
    RelationshipHealth,
)
from programmes.support.services.closure import (
    closure_rematch,
    exit_survey_submit,
    relationship_close_begin,
    relationship_close_complete,
    relationship_hold,
    relationship_resume,
)
from programmes.support.services.reminders import SweepReport
from programmes.support.services.reminders_ending import term_sweep
from programmes.tests.factories import EnrolmentFactory
from programmes.tests.support_helpers import persona_pair

pytestmark = pytest.mark.django_db


def _events(relationship: Relationship) -> list[tuple[str, str, str]]:
    rows = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Relationship), object_id=relationship.pk
    ).order_by("pk")
    return [(e.from_state, e.to_state, e.reason) for e in rows]


def _enrolment(p: Personas, person: object) -> Enrolment:
    return Enrolment.objects.get(programme=p.programme, person=person)


def _survey(p: Personas, person: object, **overrides: object) -> ExitSurvey:
    survey = ExitSurvey.objects.get(respondent=person)
    values: dict[str, object] = {
        "satisfaction": 4,
        "goals_met": 3,
        "would_take_part_again": True,
        "wants_rematch": True,
    }
    values.update(overrides)
    return exit_survey_submit(actor=person, survey=survey, **values)  # type: ignore[arg-type]


def test_a_mentee_ends_the_relationship_without_a_reason_and_both_get_an_exit_survey(
    client: Client, personas: Personas
) -> None:
    relationship = persona_pair(personas)
    client.force_login(personas.mentee)
    url = reverse("programmes:relationship_end", args=[personas.programme.pk, relationship.pk])
    response = client.post(url, {"reason": ""})
    assert response["Location"] == reverse("programmes:exit_survey", args=[personas.programme.pk, relationship.pk])
    relationship.refresh_from_db()
    closure = Closure.objects.get()
    assert relationship.state == "closing"
    assert (closure.no_fault, closure.anticipated, closure.reason, closure.initiated_by) == (
        True,
        False,
        "",
        personas.mentee,
    )
    assert set(ExitSurvey.objects.values_list("respondent", flat=True)) == {personas.mentor.pk, personas.mentee.pk}
    told = set(Notification.objects.filter(kind="closure_started").values_list("recipient_id", flat=True))
    assert {personas.mentor.pk, personas.mentee.pk, personas.coordinator.pk} <= told
    assert _events(relationship)[-1] == ("active", "closing", "No reason given (no-fault).")


def test_the_last_exit_survey_closes_the_relationship_and_the_pair_return_to_the_pool(personas: Personas) -> None:
    relationship = persona_pair(personas)
    relationship_close_begin(actor=personas.mentor, relationship=relationship, reason="Moving to Surabaya")
    _survey(personas, personas.mentee)
    relationship.refresh_from_db()
    assert relationship.state == "closing"
    _survey(personas, personas.mentor)
    relationship.refresh_from_db()
    assert relationship.state == "closed"
    assert Closure.objects.get().closed_at is not None
    assert _enrolment(personas, personas.mentee).state == "available"  # may be rematched
    assert _enrolment(personas, personas.mentor).state == "available"
    with pytest.raises(InvalidTransition):
        _survey(personas, personas.mentor)


def test_an_anticipated_ending_completes_the_programme_for_the_mentee(personas: Personas) -> None:
    relationship = persona_pair(personas)
    relationship_close_begin(actor=personas.mentee, relationship=relationship, anticipated=True)
    relationship_close_complete(actor=personas.coordinator, relationship=relationship)
    assert Closure.objects.get().anticipated
    assert _enrolment(personas, personas.mentee).state == "completed"
    assert _enrolment(personas, personas.mentor).state == "completed"


def test_the_coordinator_closes_with_the_final_meeting_and_no_rematch(personas: Personas) -> None:
    relationship = persona_pair(personas)
    relationship_close_begin(actor=personas.mentor, relationship=relationship)
    final = timezone.now() - timedelta(days=1)
    with pytest.raises(DomainError, match="after it took place"):
        relationship_close_complete(
            actor=personas.coordinator, relationship=relationship, final_meeting_at=timezone.now() + timedelta(days=1)
        )
    closure = relationship_close_complete(
        actor=personas.coordinator, relationship=relationship, final_meeting_at=final, rematch_eligible=False
    )
    assert closure.final_meeting_at == final
    assert not closure.rematch_eligible
    assert _enrolment(personas, personas.mentee).state == "completed"


def test_the_coordinator_rematches_the_mentee_with_a_new_mentor_linked_to_the_old_relationship(
    client: Client, personas: Personas
) -> None:
    relationship = persona_pair(personas)
    relationship_close_begin(actor=personas.mentee, relationship=relationship)
    relationship_close_complete(actor=personas.coordinator, relationship=relationship)
    new_mentor = EnrolmentFactory(
        programme=personas.programme,
        role=Enrolment.Role.MENTOR,
        state=Enrolment.State.AVAILABLE,
        person=UserFactory(full_name="Joko Widodo"),
    )
    # A rematch meets the matcher's hard rules; the personas have no availability or competencies on file.
    matching_settings_update(
        actor=personas.coordinator,
        programme=personas.programme,
        values={"min_shared_hours": 0, "require_shared_language": False, "apply_format_rule": False},
    )
    closure = Closure.objects.get()
    with pytest.raises(DomainError, match="someone new"):
        closure_rematch(actor=personas.coordinator, closure=closure, mentor=_enrolment(personas, personas.mentor))
    client.force_login(personas.coordinator)
    url = reverse("programmes:closure_rematch", args=[personas.programme.pk, relationship.pk])
    response = client.post(url, {"mentor": new_mentor.pk})
    closure.refresh_from_db()
    new = closure.rematched_to
    assert new is not None
    assert response["Location"] == reverse("programmes:relationship_detail", args=[personas.programme.pk, new.pk])
    assert new.state == "proposed"
    assert f"#{relationship.pk}" in new.explanation
    assert set(new.members.values_list("enrolment_id", flat=True)) == {
        new_mentor.pk,
        _enrolment(personas, personas.mentee).pk,
    }
    assert Notification.objects.filter(kind="match_proposed", recipient=personas.mentee).exists()
    with pytest.raises(InvalidTransition, match="already"):
        closure_rematch(actor=personas.coordinator, closure=closure, mentor=new_mentor)


def test_a_closure_marked_not_to_be_rematched_refuses_a_rematch(personas: Personas) -> None:
    relationship = persona_pair(personas)
    relationship_close_begin(actor=personas.mentee, relationship=relationship)
    closure = relationship_close_complete(actor=personas.coordinator, relationship=relationship, rematch_eligible=False)
    other = EnrolmentFactory(programme=personas.programme, role=Enrolment.Role.MENTOR, state=Enrolment.State.AVAILABLE)
    with pytest.raises(DomainError, match="not to be rematched"):
        closure_rematch(actor=personas.coordinator, closure=closure, mentor=other)


def test_pause_and_resume_are_audited_and_resuming_restarts_the_inactivity_clock(personas: Personas) -> None:
    relationship = persona_pair(personas, started=timezone.now() - timedelta(days=40))
    relationship_hold(actor=personas.mentee, relationship=relationship, reason="Parental leave")
    relationship_resume(actor=personas.mentor, relationship=relationship)
    assert [e[:2] for e in _events(relationship)][-2:] == [("active", "on_hold"), ("on_hold", "active")]
    assert _events(relationship)[-2][2] == "Parental leave"
    health = RelationshipHealth.objects.get(relationship=relationship)
    assert timezone.now() - health.last_activity_at < timedelta(minutes=1)


def test_only_members_or_coordinators_end_a_relationship(personas: Personas) -> None:
    relationship = persona_pair(personas)
    with pytest.raises(DomainError):
        relationship_close_begin(actor=personas.hr_analyst, relationship=relationship)
    relationship.refresh_from_db()
    assert relationship.state == "active"


def test_ending_twice_is_a_message_not_a_server_error(client: Client, personas: Personas) -> None:
    relationship = persona_pair(personas)
    relationship_close_begin(actor=personas.mentor, relationship=relationship)
    client.force_login(personas.mentee)
    url = reverse("programmes:relationship_end", args=[personas.programme.pk, relationship.pk])
    response = client.post(url, {"reason": "again"})
    assert response.status_code == 200
    assert "cannot be ended" in response.content.decode()
    assert Closure.objects.count() == 1


def test_a_relationship_that_reached_its_term_moves_to_closing_with_a_reminder(personas: Personas) -> None:
    relationship = persona_pair(personas, started=timezone.now() - timedelta(days=370))
    for _ in range(2):
        term_sweep(today=timezone.localdate(), report=SweepReport())
    relationship.refresh_from_db()
    closure = Closure.objects.get()
    assert relationship.state == "closing"
    assert closure.anticipated
    assert closure.initiated_by is None
    assert _events(relationship)[-1] == ("active", "closing", "The term ended.")
    assert Notification.objects.filter(kind="closure_started", recipient=personas.mentee).count() == 1


def test_thirty_days_before_the_term_ends_members_and_coordinators_hear_once(personas: Personas) -> None:
    persona_pair(personas, started=timezone.now() - timedelta(days=350))
    for _ in range(2):
        term_sweep(today=timezone.localdate(), report=SweepReport())
    notices = Notification.objects.filter(kind="term_ending")
    assert sorted(n.recipient_id for n in notices) == sorted(
        [personas.mentor.pk, personas.mentee.pk, personas.coordinator.pk]
    )
    assert Relationship.objects.get().state == "active"
