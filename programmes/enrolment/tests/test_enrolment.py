"""Recruitment and applications: applying, manager approval, screening, the pool gates and withdrawal."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from conftest import Personas
from people.tests.factories import CompetencyFactory, UserFactory
from programmes.core.errors import DomainError, InvalidTransition, TransitionBlocked
from programmes.core.gates import pool_blockers, register_pool_gate, unregister_pool_gate
from programmes.enrolment.services.enrolment import (
    ApplicationProfile,
    CompetencyEntry,
    enrolment_apply,
    enrolment_join_pool,
    enrolment_manager_decide,
    enrolment_screen,
    enrolment_withdraw,
    mentor_preferences_set,
    pool_refresh,
)
from programmes.matching.services.relationships import relationship_propose
from programmes.models import (
    AuditEvent,
    Enrolment,
    MentorPreference,
    Notification,
    Programme,
    Recruitment,
    Relationship,
    RelationshipMember,
)
from programmes.tests.matching_helpers import coordinator_of, matching_programme, pool_mentee, pool_mentor

pytestmark = pytest.mark.django_db

State = Enrolment.State


def _profile(*, current: int | None = 2, target: int = 4, **overrides: object) -> ApplicationProfile:
    competency = CompetencyFactory(code="NEG", name="Negotiation")
    values: dict[str, object] = {
        "goals": "Lead negotiations",
        "availability": ["mon_morning", "wed_evening"],
        "languages": ["id"],
        "time_zone": "Asia/Jakarta",
        "competencies": [CompetencyEntry(competency=competency, level=target, current_level=current)],
    }
    values.update(overrides)
    return ApplicationProfile(**values)  # type: ignore[arg-type]


def _history(enrolment: Enrolment) -> list[tuple[str, str]]:
    events = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Enrolment), object_id=enrolment.pk
    ).order_by("at", "pk")
    return [(e.from_state, e.to_state) for e in events]


# --- applying -------------------------------------------------------------------------------------------------


def test_an_application_goes_straight_to_screening_without_manager_approval() -> None:
    programme = matching_programme()
    person = UserFactory()
    enrolment = enrolment_apply(actor=person, programme=programme, role="mentee", profile=_profile())
    assert enrolment.state == State.SCREENING
    assert enrolment.competencies.get().gap == 2
    assert _history(enrolment) == [("", "applied"), ("applied", "screening")]


def test_nobody_applies_while_recruitment_is_closed_or_the_programme_is_not_in_implementation() -> None:
    programme = matching_programme()
    Recruitment.objects.filter(programme=programme).update(is_open=False)
    with pytest.raises(DomainError, match="not taking applications"):
        enrolment_apply(actor=UserFactory(), programme=programme, role="mentee", profile=_profile())
    Recruitment.objects.filter(programme=programme).update(is_open=True)
    Programme.objects.filter(pk=programme.pk).update(phase=Programme.Phase.DESIGN)
    programme.refresh_from_db()
    with pytest.raises(DomainError, match="not taking applications"):
        enrolment_apply(actor=UserFactory(), programme=programme, role="mentee", profile=_profile())
    assert not Enrolment.objects.filter(programme=programme).exists()


def test_a_mentee_target_must_be_above_the_current_level() -> None:
    programme = matching_programme()
    with pytest.raises(DomainError, match="target level must be above"):
        enrolment_apply(actor=UserFactory(), programme=programme, role="mentee", profile=_profile(current=4, target=4))
    assert not Enrolment.objects.filter(programme=programme).exists()


def test_a_role_outside_the_format_is_refused() -> None:
    programme = matching_programme()
    with pytest.raises(DomainError, match="does not recruit"):
        enrolment_apply(actor=UserFactory(), programme=programme, role="peer", profile=_profile())


def test_applying_twice_in_one_role_is_refused_but_a_withdrawn_application_reopens() -> None:
    programme = matching_programme()
    person = UserFactory()
    first = enrolment_apply(actor=person, programme=programme, role="mentee", profile=_profile())
    with pytest.raises(DomainError, match="already applied"):
        enrolment_apply(actor=person, programme=programme, role="mentee", profile=_profile())
    enrolment_withdraw(actor=person, enrolment=first)
    again = enrolment_apply(actor=person, programme=programme, role="mentee", profile=_profile())
    assert again.pk == first.pk
    assert again.state == State.SCREENING
    assert ("withdrawn", "applied") in _history(again)


def test_a_bad_application_form_says_what_is_wrong_and_writes_nothing(client: Client) -> None:
    programme = matching_programme()
    person = UserFactory()
    client.force_login(person)
    response = client.post(
        reverse("programmes:enrolment_apply", args=[programme.pk, "mentee"]),
        {
            "goals": "",
            "availability": ["someday_noon"],
            "languages": "xx, id",
            "time_zone": "Mars/Olympus",
            "comp-TOTAL_FORMS": "1",
            "comp-INITIAL_FORMS": "0",
            "comp-0-competency": str(CompetencyFactory().pk),
            "comp-0-current_level": "4",
            "comp-0-level": "3",
        },
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"goals", "availability", "languages", "time_zone"}
    assert "The target must be above your current level." in response.content.decode()
    assert not Enrolment.objects.filter(person=person).exists()


# --- manager approval ----------------------------------------------------------------------------------------------


def test_with_manager_approval_the_manager_gets_a_notification_with_a_link() -> None:
    programme = matching_programme()
    Recruitment.objects.filter(programme=programme).update(manager_approval_required=True)
    manager = UserFactory()
    person = UserFactory(manager=manager)
    enrolment = enrolment_apply(actor=person, programme=programme, role="mentee", profile=_profile())
    assert (enrolment.state, enrolment.manager_approval) == (State.APPLIED, "pending")
    note = Notification.objects.get(recipient=manager, kind="enrolment_approval")
    assert note.url == reverse("programmes:enrolment_approval", args=[programme.pk, enrolment.pk])
    assert note.context["person"] == str(person)


def test_the_manager_approves_into_screening_or_refuses_with_a_reason(client: Client) -> None:
    programme = matching_programme()
    Recruitment.objects.filter(programme=programme).update(manager_approval_required=True)
    manager = UserFactory()
    first = enrolment_apply(actor=UserFactory(manager=manager), programme=programme, role="mentee", profile=_profile())
    client.force_login(manager)
    client.post(reverse("programmes:enrolment_approval", args=[programme.pk, first.pk]), {"decision": "approve"})
    first.refresh_from_db()
    assert (first.state, first.approver) == (State.SCREENING, manager)

    second = enrolment_apply(actor=UserFactory(manager=manager), programme=programme, role="mentee", profile=_profile())
    with pytest.raises(DomainError, match="Say why"):
        enrolment_manager_decide(actor=manager, enrolment=second, approve=False)
    enrolment_manager_decide(actor=manager, enrolment=second, approve=False, reason="Quarter-end: ask again in May.")
    second.refresh_from_db()
    assert (second.state, second.state_reason) == (State.DECLINED, "Quarter-end: ask again in May.")
    assert Notification.objects.get(recipient=second.person, kind="enrolment_decided").context["state"] == "declined"


def test_only_the_applicants_manager_may_decide() -> None:
    programme = matching_programme()
    Recruitment.objects.filter(programme=programme).update(manager_approval_required=True)
    enrolment = enrolment_apply(
        actor=UserFactory(manager=UserFactory()), programme=programme, role="mentee", profile=_profile()
    )
    with pytest.raises(DomainError, match="Only the applicant's manager"):
        enrolment_manager_decide(actor=UserFactory(), enrolment=enrolment, approve=True)
    enrolment.refresh_from_db()
    assert enrolment.state == State.APPLIED


# --- screening and the pool ---------------------------------------------------------------------------------------


def test_declining_needs_a_reason_and_the_applicant_reads_it() -> None:
    programme = matching_programme()
    enrolment = enrolment_apply(actor=UserFactory(), programme=programme, role="mentee", profile=_profile())
    coordinator = coordinator_of(programme)
    with pytest.raises(DomainError, match="Say why"):
        enrolment_screen(actor=coordinator, enrolment=enrolment, accept=False)
    enrolment_screen(actor=coordinator, enrolment=enrolment, accept=False, reason="The next cohort fits you better.")
    enrolment.refresh_from_db()
    assert enrolment.state == State.DECLINED
    note = Notification.objects.get(recipient=enrolment.person, kind="enrolment_decided")
    assert note.context["reason"] == "The next cohort fits you better."


def test_an_accepted_application_joins_the_pool_when_every_gate_passes() -> None:
    programme = matching_programme()
    enrolment = enrolment_apply(actor=UserFactory(), programme=programme, role="mentee", profile=_profile())
    enrolment_screen(actor=coordinator_of(programme), enrolment=enrolment, accept=True)
    enrolment.refresh_from_db()
    assert enrolment.state == State.AVAILABLE
    assert _history(enrolment)[-2:] == [("screening", "accepted"), ("accepted", "available")]


@pytest.fixture
def orientation_gate() -> Iterator[set[int]]:
    """A stand-in for the orientation feature's gate: blocks every enrolment not in the returned set."""
    done: set[int] = set()

    @register_pool_gate("test_orientation")
    def oriented(enrolment: Enrolment) -> str | None:
        return None if enrolment.pk in done else "Finish the required orientation modules."

    yield done
    unregister_pool_gate("test_orientation")


def test_a_registered_gate_keeps_an_accepted_application_out_of_the_pool_until_it_passes(
    orientation_gate: set[int],
) -> None:
    programme = matching_programme()
    enrolment = enrolment_apply(actor=UserFactory(), programme=programme, role="mentee", profile=_profile())
    coordinator = coordinator_of(programme)
    enrolment_screen(actor=coordinator, enrolment=enrolment, accept=True)
    enrolment.refresh_from_db()
    assert enrolment.state == State.ACCEPTED
    assert pool_blockers(enrolment) == ["Finish the required orientation modules."]
    with pytest.raises(TransitionBlocked):
        enrolment_join_pool(actor=coordinator, enrolment=enrolment)
    orientation_gate.add(enrolment.pk)
    joined, waiting = pool_refresh(actor=coordinator, programme=programme)
    enrolment.refresh_from_db()
    assert (joined, waiting, enrolment.state) == (1, {}, State.AVAILABLE)


def test_an_incomplete_profile_is_a_gate_too() -> None:
    programme = matching_programme()
    enrolment = pool_mentee(programme, state=State.ACCEPTED, availability=[])
    assert pool_blockers(enrolment) == ["Mark when you are available in the weekly grid."]


def test_the_coordinator_screens_from_the_application_page(client: Client) -> None:
    programme = matching_programme()
    enrolment = enrolment_apply(
        actor=UserFactory(), programme=programme, role="mentor", profile=_profile(current=None, capacity=3)
    )
    client.force_login(coordinator_of(programme))
    page = client.get(reverse("programmes:enrolment_detail", args=[programme.pk, enrolment.pk])).content.decode()
    assert 'data-testid="screening-form"' in page
    response = client.post(
        reverse("programmes:enrolment_screen", args=[programme.pk, enrolment.pk]), {"decision": "decline", "reason": ""}
    )
    enrolment.refresh_from_db()
    assert enrolment.state == State.SCREENING  # a decline without a reason changes nothing
    assert response.status_code == 302


# --- withdrawal ------------------------------------------------------------------------------------------------------


def test_withdrawing_declines_open_proposals_and_tells_the_other_side() -> None:
    programme = matching_programme()
    mentee, mentor = pool_mentee(programme), pool_mentor(programme)
    relationship = relationship_propose(actor=coordinator_of(programme), mentor=mentor, mentees=[mentee])
    enrolment_withdraw(actor=mentee.person, enrolment=mentee, reason="New job.")
    relationship.refresh_from_db()
    mentee.refresh_from_db()
    assert mentee.state == State.WITHDRAWN
    assert relationship.state == Relationship.State.DECLINED
    assert RelationshipMember.objects.get(relationship=relationship, enrolment=mentee).response == "declined"
    assert Notification.objects.get(recipient=mentor.person, kind="match_answered").context["state"] == "declined"


def test_a_coordinator_withdrawing_someone_must_say_why() -> None:
    programme = matching_programme()
    mentee = pool_mentee(programme)
    with pytest.raises(DomainError, match="Say why"):
        enrolment_withdraw(actor=coordinator_of(programme), enrolment=mentee)
    enrolment_withdraw(actor=mentee.person, enrolment=mentee)
    with pytest.raises(InvalidTransition):
        enrolment_withdraw(actor=mentee.person, enrolment=mentee)


# --- ranked mentors ---------------------------------------------------------------------------------------------


def test_a_mentee_ranks_at_most_five_mentors_of_the_same_programme() -> None:
    programme = matching_programme()
    mentee = pool_mentee(programme)
    mentors = [pool_mentor(programme) for _ in range(6)]
    with pytest.raises(DomainError, match="at most 5"):
        mentor_preferences_set(actor=mentee.person, mentee=mentee, mentors=mentors)
    stranger = pool_mentor(matching_programme())
    with pytest.raises(DomainError, match="not a mentor in this programme"):
        mentor_preferences_set(actor=mentee.person, mentee=mentee, mentors=[stranger])
    mentor_preferences_set(actor=mentee.person, mentee=mentee, mentors=mentors[:2][::-1])
    ranks = list(MentorPreference.objects.filter(mentee=mentee).values_list("mentor_id", "rank"))
    assert ranks == [(mentors[1].pk, 1), (mentors[0].pk, 2)]


def test_an_applicant_sees_their_own_application_but_not_anothers(client: Client, personas: Personas) -> None:
    programme = matching_programme()
    mine, theirs = pool_mentee(programme), pool_mentee(programme)
    client.force_login(mine.person)
    assert client.get(reverse("programmes:enrolment_detail", args=[programme.pk, mine.pk])).status_code == 200
    assert client.get(reverse("programmes:enrolment_detail", args=[programme.pk, theirs.pk])).status_code == 404
