"""The programme lifecycle: guarded moves, audit events, hold and resume, cancel, and the phase stepper."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from conftest import Personas
from people.tests.factories import UserFactory
from programmes.core import lifecycle
from programmes.core.errors import DomainError, InvalidTransition, StaleTransition, TransitionBlocked
from programmes.core.lifecycle import Blocker, blockers_for, register_guard
from programmes.core.services.lifecycle import (
    programme_advance,
    programme_cancel,
    programme_put_on_hold,
    programme_resume,
)
from programmes.design.services.design import programme_policies_update
from programmes.models import AuditEvent, Programme, ProgrammeRole
from programmes.tests.design_helpers import add_goal, decide, fill_policies, new_programme, only_programmes_guards

Phase = Programme.Phase
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _programmes_guards_only() -> Iterator[None]:
    """These tests are about the programmes app's guards; the evaluation app tests its own."""
    with only_programmes_guards():
        yield


def _events(programme: Programme) -> list[AuditEvent]:
    ct = ContentType.objects.get_for_model(Programme)
    return list(AuditEvent.objects.filter(content_type=ct, object_id=programme.pk).order_by("at", "pk"))


def _to_design(programme: Programme, actor: object) -> None:
    decide(programme)
    add_goal(programme)
    programme_advance(actor=actor, programme=programme)
    programme_advance(actor=actor, programme=programme)


def test_new_programme_starts_in_needs_assessment_with_its_creator_as_coordinator() -> None:
    creator = UserFactory()
    programme = new_programme(creator)
    assert programme.phase == Phase.NEEDS_ASSESSMENT
    assert ProgrammeRole.objects.filter(programme=programme, user=creator, role="coordinator").exists()
    assert programme.term_months == 12
    assert programme.readiness.items.count() == 7
    [created] = _events(programme)
    assert (created.from_state, created.to_state, created.actor) == ("", Phase.NEEDS_ASSESSMENT, creator)


def test_leaving_needs_assessment_says_what_is_missing_and_where_to_fix_it() -> None:
    programme = new_programme()
    blockers = blockers_for(programme, Phase.PLANNING)
    by_guard = {b.guard: b for b in blockers}
    assert set(by_guard) == {"readiness", "business_goals"}
    assert "readiness decision" in str(by_guard["readiness"].message)
    assert by_guard["readiness"].fix_url == reverse("programmes:readiness", args=[programme.pk])
    assert "business goal" in str(by_guard["business_goals"].message)
    assert by_guard["business_goals"].fix_url == reverse("programmes:goals", args=[programme.pk])


def test_blocked_advance_changes_nothing_and_writes_no_event() -> None:
    programme = new_programme()
    with pytest.raises(TransitionBlocked) as caught:
        programme_advance(actor=UserFactory(), programme=programme)
    assert len(caught.value.blockers) == 2
    programme.refresh_from_db()
    assert programme.phase == Phase.NEEDS_ASSESSMENT
    assert len(_events(programme)) == 1


def test_a_not_ready_decision_blocks_leaving_needs_assessment() -> None:
    programme = new_programme()
    add_goal(programme)
    decide(programme, "not_ready")
    [blocker] = blockers_for(programme, Phase.PLANNING)
    assert "not ready" in str(blocker.message)


@pytest.mark.parametrize("decision", ["go", "go_with_conditions"])
def test_go_and_go_with_conditions_let_the_programme_leave_needs_assessment(decision: str) -> None:
    programme = new_programme()
    add_goal(programme)
    decide(programme, decision)
    assert blockers_for(programme, Phase.PLANNING) == []


def test_advance_writes_an_audit_event_with_actor_reason_and_states() -> None:
    programme = new_programme()
    decide(programme)
    add_goal(programme)
    actor = UserFactory()
    programme_advance(actor=actor, programme=programme, reason="Board approved")
    assert programme.phase == Phase.PLANNING
    event = _events(programme)[-1]
    assert (event.actor, event.from_state, event.to_state, event.reason) == (
        actor,
        Phase.NEEDS_ASSESSMENT,
        Phase.PLANNING,
        "Board approved",
    )
    assert event.programme_id == programme.pk


def test_entering_implementation_needs_the_policies_filled_in() -> None:
    programme = new_programme()
    _to_design(programme, UserFactory())
    [blocker] = blockers_for(programme, Phase.IMPLEMENTATION)
    assert blocker.guard == "policies"
    assert "agreement template" in str(blocker.message)
    assert "no-fault clause" in str(blocker.message)
    assert blocker.fix_url == reverse("programmes:policies", args=[programme.pk])
    fill_policies(programme)
    assert blockers_for(programme, Phase.IMPLEMENTATION) == []


def test_entering_implementation_needs_a_coordinator() -> None:
    programme = new_programme()
    _to_design(programme, UserFactory())
    fill_policies(programme)
    ProgrammeRole.objects.filter(programme=programme).delete()
    [blocker] = blockers_for(programme, Phase.IMPLEMENTATION)
    assert blocker.guard == "coordinators"
    assert blocker.fix_url == reverse("programmes:team", args=[programme.pk])


def test_hold_returns_to_the_phase_it_left_without_guards() -> None:
    programme = new_programme()
    actor = UserFactory()
    _to_design(programme, actor)
    programme_put_on_hold(actor=actor, programme=programme, reason="Budget freeze")
    programme.refresh_from_db()
    assert (programme.phase, programme.phase_before_hold) == (Phase.ON_HOLD, Phase.DESIGN)
    with pytest.raises(InvalidTransition):
        programme_advance(actor=actor, programme=programme)
    programme_resume(actor=actor, programme=programme)
    programme.refresh_from_db()
    assert (programme.phase, programme.phase_before_hold) == (Phase.DESIGN, "")
    assert [(e.from_state, e.to_state) for e in _events(programme)][-2:] == [
        (Phase.DESIGN, Phase.ON_HOLD),
        (Phase.ON_HOLD, Phase.DESIGN),
    ]


def test_hold_and_cancel_need_a_reason() -> None:
    programme = new_programme()
    with pytest.raises(DomainError):
        programme_put_on_hold(actor=UserFactory(), programme=programme, reason="  ")
    with pytest.raises(DomainError):
        programme_cancel(actor=UserFactory(), programme=programme, reason="")
    programme.refresh_from_db()
    assert programme.phase == Phase.NEEDS_ASSESSMENT


def test_a_cancelled_programme_cannot_move_again() -> None:
    programme = new_programme()
    actor = UserFactory()
    programme_cancel(actor=actor, programme=programme, reason="Merged into another programme")
    for move in (programme_advance, programme_resume):
        with pytest.raises(InvalidTransition):
            move(actor=actor, programme=programme)
    with pytest.raises(InvalidTransition):
        programme_cancel(actor=actor, programme=programme, reason="again")
    assert _events(programme)[-1].reason == "Merged into another programme"


def test_a_stale_page_moves_nothing_on_a_double_click() -> None:
    programme = new_programme()
    decide(programme)
    add_goal(programme)
    actor = UserFactory()
    programme_advance(actor=actor, programme=programme, expected_phase=Phase.NEEDS_ASSESSMENT)
    stale = Programme.objects.get(pk=programme.pk)
    stale.phase = Phase.NEEDS_ASSESSMENT  # what the second click's page still showed
    with pytest.raises(StaleTransition):
        programme_advance(actor=actor, programme=stale, expected_phase=Phase.NEEDS_ASSESSMENT)
    programme.refresh_from_db()
    assert programme.phase == Phase.PLANNING


def test_a_closed_programme_has_nowhere_to_go() -> None:
    programme = new_programme()
    Programme.objects.filter(pk=programme.pk).update(phase=Phase.CLOSED)
    programme.refresh_from_db()
    with pytest.raises(InvalidTransition):
        programme_advance(actor=UserFactory(), programme=programme)


def test_guards_registered_by_another_app_block_through_the_registry() -> None:
    programme = new_programme()
    decide(programme)
    add_goal(programme)

    @register_guard(name="test_other_app", entering=Phase.PLANNING)
    def other(p: Programme) -> list[Blocker]:
        return [Blocker("Something from elsewhere", "/elsewhere/")]

    try:
        with pytest.raises(TransitionBlocked) as caught:
            programme_advance(actor=UserFactory(), programme=programme)
        assert [(b.message, b.fix_url, b.guard) for b in caught.value.blockers] == [
            ("Something from elsewhere", "/elsewhere/", "test_other_app")
        ]
    finally:
        lifecycle._GUARDS.pop("test_other_app")


def test_hold_and_cancel_are_never_guarded() -> None:
    programme = new_programme()
    assert blockers_for(programme, Phase.ON_HOLD) == []
    assert blockers_for(programme, Phase.CANCELLED) == []


def test_policies_are_read_only_from_implementation_on() -> None:
    programme = new_programme()
    actor = UserFactory()
    _to_design(programme, actor)
    fill_policies(programme)
    programme_advance(actor=actor, programme=programme)
    assert programme.phase == Phase.IMPLEMENTATION
    with pytest.raises(DomainError):
        programme_policies_update(actor=actor, programme=programme, values={"term_months": 3})
    programme.refresh_from_db()
    assert programme.term_months == 12


def test_policies_stay_read_only_while_an_implemented_programme_is_on_hold() -> None:
    programme = new_programme()
    Programme.objects.filter(pk=programme.pk).update(phase=Phase.ON_HOLD, phase_before_hold=Phase.EVALUATION)
    programme.refresh_from_db()
    assert programme.policies_locked


# --- the programme page -----------------------------------------------------------------------------


def _advance(client: Client, programme: Programme, **data: str) -> str:
    response = client.post(reverse("programmes:advance", args=[programme.pk]), data, follow=True)
    return response.content.decode()


def test_programme_page_shows_done_phases_with_date_and_who(client: Client) -> None:
    coordinator = UserFactory(full_name="Sari Wulandari")
    programme = new_programme(coordinator)
    decide(programme)
    add_goal(programme)
    programme_advance(actor=coordinator, programme=programme)
    client.force_login(coordinator)
    response = client.get(programme.get_absolute_url())
    steps = {s.phase: s for s in response.context["stepper"].steps}
    assert steps[Phase.NEEDS_ASSESSMENT].status == "done"
    assert steps[Phase.NEEDS_ASSESSMENT].left.actor == coordinator
    assert steps[Phase.PLANNING].status == "current"
    assert steps[Phase.DESIGN].status == "todo"
    body = response.content.decode()
    assert "by Sari Wulandari" in body
    assert 'aria-current="step"' in body


def test_blocked_advance_button_is_replaced_by_what_is_missing(client: Client) -> None:
    coordinator = UserFactory()
    programme = new_programme(coordinator)
    client.force_login(coordinator)
    body = client.get(programme.get_absolute_url()).content.decode()
    assert 'data-testid="advance"' not in body
    assert "Record a readiness decision" in body
    assert reverse("programmes:readiness", args=[programme.pk]) in body


def test_posting_advance_while_blocked_says_why_and_moves_nothing(client: Client) -> None:
    coordinator = UserFactory()
    programme = new_programme(coordinator)
    client.force_login(coordinator)
    body = _advance(client, programme)
    assert "cannot move to Planning yet" in body
    assert "Name at least one business goal" in body
    programme.refresh_from_db()
    assert programme.phase == Phase.NEEDS_ASSESSMENT


def test_coordinator_advances_from_the_page_once_the_guards_hold(client: Client) -> None:
    coordinator = UserFactory()
    programme = new_programme(coordinator)
    decide(programme)
    add_goal(programme)
    client.force_login(coordinator)
    assert 'data-testid="advance"' in client.get(programme.get_absolute_url()).content.decode()
    body = _advance(client, programme, expected_phase=Phase.NEEDS_ASSESSMENT, reason="Ready")
    assert "now in Planning" in body
    programme.refresh_from_db()
    assert programme.phase == Phase.PLANNING


def test_participants_see_the_stepper_but_not_the_design(client: Client, personas: Personas) -> None:
    client.force_login(personas.mentee)
    response = client.get(personas.programme.get_absolute_url())
    body = response.content.decode()
    assert "phase-stepper" in body
    assert reverse("programmes:team", args=[personas.programme.pk]) not in body
    assert "is_staff" not in response.context
