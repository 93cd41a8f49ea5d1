"""The signed agreement drives the pair (its cadence the reminders, its end the term), closures that wait for
exit surveys are chased and then closed, and a coordinator's forbid is named as the reason a mentee is left
unmatched. Every relationship here is made through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from programmes.home.selectors.figures import relationships_at_risk
from programmes.matching.services.matching import match_run_create, proposal_forbid
from programmes.models import (
    Closure,
    Enrolment,
    ExitSurvey,
    MatchProposal,
    Notification,
    Relationship,
    RelationshipHealth,
    UnmatchedMentee,
)
from programmes.support.services.closure import relationship_close_begin
from programmes.support.services.reminders import SweepReport, health_sync, support_sweep
from programmes.support.services.reminders_ending import term_sweep
from programmes.tests import flow_helpers as flow

pytestmark = pytest.mark.django_db
RState = Relationship.State


def _kinds(kind: str) -> list[int]:
    return list(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def test_the_agreed_weekly_cadence_not_the_programmes_fortnight_times_the_log_reminder() -> None:
    programme = flow.flow_programme(meeting_cadence_days=14)
    relationship = flow.active(programme, flow.mentor(programme), [flow.mentee(programme)], cadence_days=7)
    support_sweep(now=timezone.now() + timedelta(days=11))
    people = set(relationship.members.values_list("enrolment__person_id", flat=True))
    assert set(_kinds("session_log_reminder")) == people


def test_the_dashboards_at_risk_figure_follows_the_agreed_cadence_as_the_sweep_does() -> None:
    programme = flow.flow_programme(meeting_cadence_days=14)
    weekly = flow.active(programme, flow.mentor(programme), [flow.mentee(programme)], cadence_days=7)
    monthly = flow.active(programme, flow.mentor(programme), [flow.mentee(programme)], cadence_days=30)
    fortnightly = flow.active(programme, flow.mentor(programme), [flow.mentee(programme)])

    def at_risk(days: int) -> set[int]:
        later = timezone.now() + timedelta(days=days)
        return set(relationships_at_risk(programmes=[programme], now=later).values_list("pk", flat=True))

    assert at_risk(20) == {weekly.pk}  # twice a week has passed, twice a fortnight or a month has not
    assert at_risk(40) == {weekly.pk, fortnightly.pk}
    support_sweep(now=timezone.now() + timedelta(days=40))
    flagged = RelationshipHealth.objects.filter(relationship__programme=programme, at_risk=True)
    assert set(flagged.values_list("relationship_id", flat=True)) == {weekly.pk, fortnightly.pk}, "as the sweep has it"
    assert monthly.pk not in at_risk(59)
    assert monthly.pk in at_risk(61)


def test_the_agreed_end_date_not_the_programmes_term_closes_the_pair() -> None:
    programme = flow.flow_programme(term_months=12)
    today = timezone.localdate()
    relationship = flow.active(
        programme, flow.mentor(programme), [flow.mentee(programme)], ends_on=today + timedelta(days=20)
    )
    health_sync(now=timezone.now())  # what the hourly sweep does first
    term_sweep(today=today, report=SweepReport())
    assert _kinds("term_ending"), "20 days before the agreed end the members hear the term ends"
    term_sweep(today=today + timedelta(days=21), report=SweepReport())
    relationship.refresh_from_db()
    assert relationship.state == RState.CLOSING
    assert Closure.objects.get(relationship=relationship).anticipated


def test_a_closure_waiting_for_exit_surveys_is_chased_once_then_closed_and_the_seat_released() -> None:
    programme = flow.flow_programme()
    giver, taker = flow.mentor(programme, capacity=1), flow.mentee(programme)
    relationship = flow.active(programme, giver, [taker])
    relationship_close_begin(actor=taker.person, relationship=relationship, reason="")
    support_sweep(now=timezone.now() + timedelta(days=8))
    support_sweep(now=timezone.now() + timedelta(days=9))
    assert sorted(_kinds("exit_survey_waiting")) == sorted([giver.person_id, taker.person_id])
    support_sweep(now=timezone.now() + timedelta(days=22))
    relationship.refresh_from_db()
    giver.refresh_from_db()
    assert relationship.state == RState.CLOSED
    assert ExitSurvey.objects.filter(submitted_at__isnull=True).count() == 2
    assert giver.state != Enrolment.State.MATCHED


def test_a_mentee_left_unmatched_by_a_coordinators_forbid_is_not_told_capacity_ran_out() -> None:
    programme = flow.flow_programme()
    lead = flow.coordinator(programme)
    taker = flow.mentee(programme)
    other = flow.mentee(programme)
    wanted = flow.mentor(programme, capacity=1)
    full = flow.mentor(programme, capacity=1)
    flow.proposed(programme, full, [other])  # the only other mentor's one seat is held
    run = match_run_create(actor=lead, programme=programme)
    proposal = MatchProposal.objects.get(run=run, mentee=taker)
    assert proposal.mentor_id == wanted.pk
    proposal_forbid(actor=lead, proposal=proposal, note="They work on the same deal.")
    rerun = match_run_create(actor=lead, programme=programme)
    unmatched = UnmatchedMentee.objects.get(run=rerun, mentee=taker)
    assert unmatched.reason != UnmatchedMentee.Reason.CAPACITY
    assert "coordinator" in unmatched.detail.lower()
    assert unmatched.excluded_by.get("coordinator") == 1
