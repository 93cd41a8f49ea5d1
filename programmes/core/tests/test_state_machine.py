"""The one state machine (programmes.core.states): its table, the programme's phase cascades, withdrawal, seats,
group declines and the one pairing path. Every relationship here is made through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from programmes.core import states
from programmes.core.errors import DomainError, InvalidTransition
from programmes.core.services.lifecycle import programme_cancel, programme_put_on_hold, programme_resume
from programmes.enrolment.services.enrolment import enrolment_withdraw
from programmes.matching.selectors.matching import past_pairs, pool_mentors
from programmes.models import Closure, Enrolment, Notification, Programme, Relationship, RelationshipMember
from programmes.support.services.closure import (
    closure_rematch,
    relationship_close_begin,
    relationship_close_complete,
    relationship_hold,
)
from programmes.support.services.reminders import support_sweep
from programmes.tests import flow_helpers as flow

pytestmark = pytest.mark.django_db
RState = Relationship.State
EState = Enrolment.State


def _new_notifications(after: int, people: list[object] | None = None) -> list[tuple[int, str]]:
    rows = Notification.objects.filter(pk__gt=after)
    if people is not None:
        rows = rows.filter(recipient__in=people)
    return list(rows.values_list("recipient_id", "kind"))


def _last_notification() -> int:
    return Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _refresh(*rows: Relationship | Enrolment) -> None:
    for row in rows:
        row.refresh_from_db()


# --- The table -------------------------------------------------------------------------------------------------


def test_every_relationship_state_has_a_row_in_the_table_and_ended_states_lead_nowhere() -> None:
    assert set(states.RELATIONSHIP_MOVES) == set(RState.values)
    assert set(states.ENROLMENT_MOVES) == set(EState.values)
    for ended in states.ENDED:
        assert states.RELATIONSHIP_MOVES[ended] == frozenset()
    assert frozenset(RState.values) - states.ENDED == states.OPEN
    assert states.OPEN - {RState.PROPOSED} == states.RUNNING


def test_a_move_the_table_does_not_have_is_refused_in_words() -> None:
    programme = flow.flow_programme()
    relationship = flow.proposed(programme, flow.mentor(programme), [flow.mentee(programme)])
    with pytest.raises(InvalidTransition, match="cannot become active"):
        states.check_relationship_move(relationship, RState.ACTIVE)


# --- Capacity: a decline frees the mentor's seat ----------------------------------------------------------------


def test_a_mentor_whose_other_proposal_is_declined_is_back_in_the_pool_with_the_freed_seat() -> None:
    programme = flow.flow_programme()
    giver = flow.mentor(programme, capacity=2)
    first, second = flow.mentee(programme), flow.mentee(programme)
    one = flow.proposed(programme, giver, [first])
    two = flow.proposed(programme, giver, [second])
    flow.answer(one, giver)
    flow.answer(one, first)
    giver.refresh_from_db()
    assert giver.state == EState.MATCHED  # both seats are held (one accepted, one proposed)
    flow.answer(two, second, accept=False, note="Not now.")
    giver.refresh_from_db()
    assert giver.state == EState.AVAILABLE
    assert giver in list(pool_mentors(programme))


# --- Groups: a decline removes that member only ----------------------------------------------------------------


def _group_programme() -> Programme:
    return flow.flow_programme(format=Programme.Format.GROUP, group_size_min=2, group_size_max=4, mentor_capacity=1)


def test_in_a_group_one_members_decline_removes_that_member_and_the_group_goes_on() -> None:
    programme = _group_programme()
    leader = flow.mentor(programme, capacity=1)
    a, b, c = (flow.mentee(programme) for _ in range(3))
    group = flow.proposed(programme, leader, [a, b, c])
    flow.answer(group, c, accept=False, note="My calendar is full.")
    assert group.state == RState.PROPOSED
    assert set(group.members.values_list("enrolment_id", flat=True)) == {leader.pk, a.pk, b.pk}
    for enrolment in (leader, a, b):
        flow.answer(group, enrolment)
    assert group.state == RState.ACCEPTED
    c.refresh_from_db()
    assert c.state == EState.AVAILABLE
    people = {leader.person_id, a.person_id, b.person_id, c.person_id}
    barred = past_pairs(programme=programme, people=people)
    assert frozenset({c.person_id, leader.person_id}) in barred
    assert frozenset({a.person_id, leader.person_id}) not in barred


def test_a_group_below_its_smallest_size_is_declined_but_only_the_decliner_is_barred_from_the_mentor() -> None:
    programme = _group_programme()
    leader = flow.mentor(programme, capacity=1)
    a, b = flow.mentee(programme), flow.mentee(programme)
    group = flow.proposed(programme, leader, [a, b])
    flow.answer(group, b, accept=False)
    assert group.state == RState.DECLINED
    barred = past_pairs(programme=programme, people={leader.person_id, a.person_id, b.person_id})
    assert frozenset({b.person_id, leader.person_id}) in barred
    assert frozenset({a.person_id, leader.person_id}) not in barred
    leader.refresh_from_db()
    assert leader.state == EState.AVAILABLE


# --- Withdrawal ends the running relationship ------------------------------------------------------------------


def test_withdrawing_ends_the_active_relationship_with_a_closure_and_frees_the_mentors_seat() -> None:
    programme = flow.flow_programme()
    giver, taker = flow.mentor(programme, capacity=1), flow.mentee(programme)
    relationship = flow.active(programme, giver, [taker])
    _refresh(giver)
    assert (relationship.state, giver.state) == (RState.ACTIVE, EState.MATCHED)
    enrolment_withdraw(actor=taker.person, enrolment=taker, reason="I moved to another company.")
    _refresh(relationship, giver, taker)
    assert relationship.state == RState.CLOSED
    closure = Closure.objects.get(relationship=relationship)
    assert closure.closed_at is not None
    assert "withdr" in closure.reason.lower()
    assert taker.state == EState.WITHDRAWN
    assert giver.state == EState.AVAILABLE


def test_a_withdrawn_mentee_gets_no_reminder_or_check_in_after_withdrawing() -> None:
    programme = flow.flow_programme()
    giver, taker = flow.mentor(programme), flow.mentee(programme)
    flow.active(programme, giver, [taker])
    enrolment_withdraw(actor=taker.person, enrolment=taker)
    after = _last_notification()
    for days in (1, 22, 35, 70, 400):
        support_sweep(now=timezone.now() + timedelta(days=days))
    assert _new_notifications(after, [taker.person]) == []


# --- Programme phase cascades ----------------------------------------------------------------------------------


def test_holding_a_programme_pauses_its_relationships_and_resuming_restores_only_those() -> None:
    programme = flow.flow_programme()
    lead = flow.coordinator(programme)
    running = flow.active(programme, flow.mentor(programme), [flow.mentee(programme)])
    paused_before = flow.active(programme, flow.mentor(programme), [flow.mentee(programme)])
    relationship_hold(actor=lead, relationship=paused_before, is_coordinator=True, reason="Parental leave.")
    programme_put_on_hold(actor=lead, programme=programme, reason="Restructuring.")
    _refresh(running, paused_before)
    assert (running.state, paused_before.state) == (RState.ON_HOLD, RState.ON_HOLD)
    after = _last_notification()
    support_sweep(now=timezone.now() + timedelta(days=40))
    assert _new_notifications(after) == []
    programme_resume(actor=lead, programme=programme)
    _refresh(running, paused_before)
    assert (running.state, paused_before.state) == (RState.ACTIVE, RState.ON_HOLD)


def test_a_cancelled_programme_ends_every_relationship_and_sends_nothing_from_the_hourly_sweep() -> None:
    programme = flow.flow_programme()
    lead = flow.coordinator(programme)
    giver = flow.mentor(programme, capacity=2)
    running = flow.active(programme, giver, [flow.mentee(programme)])
    waiting = flow.proposed(programme, giver, [flow.mentee(programme)])
    programme_cancel(actor=lead, programme=programme, reason="The budget was withdrawn.")
    _refresh(running, waiting, giver)
    assert running.state == RState.CLOSED
    assert Closure.objects.get(relationship=running).closed_at is not None
    assert waiting.state == RState.DECLINED
    assert giver.state != EState.MATCHED
    after = _last_notification()
    for days in (0, 4, 22, 40, 400):
        support_sweep(now=timezone.now() + timedelta(days=days))
    assert _new_notifications(after) == []


# --- One pairing path ------------------------------------------------------------------------------------------


def _closed(programme: Programme, relationship: Relationship) -> Closure:
    lead = flow.coordinator(programme)
    relationship_close_begin(actor=lead, relationship=relationship, is_coordinator=True)
    return relationship_close_complete(actor=lead, relationship=relationship, rematch_eligible=True)


def test_a_rematch_to_the_mentees_own_manager_is_refused_by_the_reporting_line_rule() -> None:
    programme = flow.flow_programme()
    boss = flow.person()
    taker = flow.mentee(programme, who=flow.person(manager=boss))
    first = flow.active(programme, flow.mentor(programme), [taker])
    closure = _closed(programme, first)
    own_manager = flow.mentor(programme, who=boss)
    with pytest.raises(DomainError, match="hard rule"):
        closure_rematch(actor=flow.coordinator(programme), closure=closure, mentor=own_manager)
    assert not Relationship.objects.filter(members__enrolment=own_manager).exists()


def test_a_rematch_is_refused_while_the_programme_is_on_hold() -> None:
    programme = flow.flow_programme()
    taker = flow.mentee(programme)
    closure = _closed(programme, flow.active(programme, flow.mentor(programme), [taker]))
    other = flow.mentor(programme)
    programme_put_on_hold(actor=flow.coordinator(programme), programme=programme, reason="Restructuring.")
    with pytest.raises(InvalidTransition, match="implementation"):
        closure_rematch(actor=flow.coordinator(programme), closure=closure, mentor=other)


def test_a_coordinators_proposal_obeys_the_reporting_line_rule_too() -> None:
    programme = flow.flow_programme()
    boss = flow.person()
    taker = flow.mentee(programme, who=flow.person(manager=boss))
    with pytest.raises(DomainError, match="hard rule"):
        flow.proposed(programme, flow.mentor(programme, who=boss), [taker])


def test_a_member_still_answering_is_the_only_one_who_may_respond() -> None:
    programme = flow.flow_programme()
    giver, taker = flow.mentor(programme), flow.mentee(programme)
    relationship = flow.proposed(programme, giver, [taker])
    mine = RelationshipMember.objects.get(relationship=relationship, enrolment=taker)
    assert states.can_respond(relationship, mine)
    flow.answer(relationship, taker)
    mine.refresh_from_db()
    assert not states.can_respond(relationship, mine)
