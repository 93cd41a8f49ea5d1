"""The matching flow at the ORM level: every hard rule, explanations, unmatched reasons, review, publish, answers,
self-service and the supply-and-demand report."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.tests.factories import CompetencyFactory, OrgUnitFactory, UserFactory
from programmes.core.errors import DomainError
from programmes.matching.selectors.matching import matching_pool, supply_demand_report
from programmes.matching.services.matching import (
    match_run_create,
    match_run_publish,
    matching_settings_update,
    proposal_forbid,
    proposal_lock,
    proposal_reassign,
)
from programmes.matching.services.relationships import relationship_respond
from programmes.matching.services.self_service import mentor_request, mentor_suggestions
from programmes.models import (
    Enrolment,
    MatchingSettings,
    MatchProposal,
    MatchRun,
    Notification,
    PairRule,
    Programme,
    Relationship,
    RelationshipMember,
    UnmatchedMentee,
)
from programmes.tests.factories import RelationshipFactory, RelationshipMemberFactory
from programmes.tests.matching_helpers import (
    coordinator_of,
    matching_programme,
    negotiation,
    pool_mentee,
    pool_mentor,
)

pytestmark = pytest.mark.django_db


def _run(programme: Programme) -> MatchRun:
    return match_run_create(actor=coordinator_of(programme), programme=programme)


def _pairs(run: MatchRun) -> set[tuple[int, int]]:
    return set(run.proposals.values_list("mentee_id", "mentor_id"))


def _reason(run: MatchRun, mentee: Enrolment) -> UnmatchedMentee:
    return UnmatchedMentee.objects.get(run=run, mentee=mentee)


# --- hard rules, each at the ORM level ------------------------------------------------------------------------


def test_the_reporting_line_rule_excludes_the_managers_manager_at_depth_two() -> None:
    programme = matching_programme(reporting_line_exclusion_depth=2)
    grand = UserFactory(full_name="Grand Manager")
    manager = UserFactory(manager=grand)
    mentee = pool_mentee(programme, person=UserFactory(manager=manager))
    pool_mentor(programme, person=grand)
    run = _run(programme)
    assert _pairs(run) == set()
    unmatched = _reason(run, mentee)
    assert unmatched.reason == UnmatchedMentee.Reason.NO_ELIGIBLE_MENTOR
    assert unmatched.excluded_by == {"reporting_line": 1}
    assert unmatched.detail == "no eligible mentor; mentors excluded by reporting line (1)"


def test_at_depth_one_the_managers_manager_is_allowed() -> None:
    programme = matching_programme(reporting_line_exclusion_depth=1)
    grand = UserFactory()
    mentee = pool_mentee(programme, person=UserFactory(manager=UserFactory(manager=grand)))
    mentor = pool_mentor(programme, person=grand)
    assert _pairs(_run(programme)) == {(mentee.pk, mentor.pk)}


def test_the_reporting_line_rule_works_down_the_line_too() -> None:
    programme = matching_programme(reporting_line_exclusion_depth=2)
    mentee = pool_mentee(programme)
    pool_mentor(programme, person=UserFactory(manager=mentee.person))
    assert _pairs(_run(programme)) == set()


def test_nobody_is_matched_with_themselves() -> None:
    programme = matching_programme()
    person = UserFactory()
    mentee = pool_mentee(programme, person=person)
    pool_mentor(programme, person=person)
    assert _reason(_run(programme), mentee).excluded_by == {"same_person": 1}


def test_no_shared_language_forbids_unless_the_coordinator_turns_the_rule_off() -> None:
    programme = matching_programme()
    mentee = pool_mentee(programme, languages=["id"])
    mentor = pool_mentor(programme, languages=["en"])
    assert _reason(_run(programme), mentee).excluded_by == {"no_shared_language": 1}
    MatchingSettings.objects.filter(programme=programme).update(require_shared_language=False)
    assert _pairs(_run(programme)) == {(mentee.pk, mentor.pk)}


def test_too_little_common_time_forbids_the_pair() -> None:
    programme = matching_programme()
    mentee = pool_mentee(programme, availability=["mon_morning"])
    pool_mentor(programme, availability=["mon_evening"])
    assert _reason(_run(programme), mentee).excluded_by == {"too_little_availability": 1}


def test_availability_is_compared_in_utc_across_time_zones() -> None:
    """Monday morning in Jakarta (UTC+7) is Monday 09–13 in Tokyo (UTC+9): two hours overlap Tokyo's morning."""
    programme = matching_programme()
    mentee = pool_mentee(programme, availability=["mon_morning"], time_zone="Asia/Jakarta")
    mentor = pool_mentor(programme, availability=["mon_morning"], time_zone="Asia/Tokyo")
    run = _run(programme)
    assert _pairs(run) == {(mentee.pk, mentor.pk)}
    assert "2 hours of shared availability" in run.proposals.get().explanation
    assert "2 hours apart" in run.proposals.get().explanation


def test_a_pair_closed_before_anywhere_is_never_proposed_again() -> None:
    programme = matching_programme()
    mentee, mentor = pool_mentee(programme), pool_mentor(programme)
    earlier = matching_programme()
    old = RelationshipFactory(programme=earlier, state=Relationship.State.CLOSED)
    RelationshipMemberFactory(relationship=old, enrolment=pool_mentee(earlier, person=mentee.person))
    RelationshipMemberFactory(relationship=old, enrolment=pool_mentor(earlier, person=mentor.person))
    assert _reason(_run(programme), mentee).excluded_by == {"closed_before": 1}


def test_a_time_zone_gap_above_the_policy_forbids_the_pair() -> None:
    programme = matching_programme(max_time_zone_gap_hours=4)
    mentee = pool_mentee(programme, time_zone="Asia/Jakarta", availability=["mon_morning", "mon_afternoon"])
    # 12 hours apart; the evening in New York overlaps the Jakarta morning, so only the gap rule bites.
    pool_mentor(programme, time_zone="America/New_York", availability=["sun_evening", "mon_evening"])
    assert "timezone_gap" in _reason(_run(programme), mentee).excluded_by


def test_one_to_one_needs_the_mentor_above_the_mentee_in_what_they_need() -> None:
    programme = matching_programme()
    skill = negotiation()
    mentee = pool_mentee(programme, needs={skill: (3, 5)})
    pool_mentor(programme, offers={skill: 3})
    assert _reason(_run(programme), mentee).excluded_by == {"format": 1}


def test_reverse_mentoring_needs_the_more_junior_mentor() -> None:
    programme = matching_programme(format=Programme.Format.REVERSE)
    mentee = pool_mentee(programme, person=UserFactory(grade=12))
    senior = pool_mentor(programme, person=UserFactory(grade=14))
    junior = pool_mentor(programme, person=UserFactory(grade=5))
    run = _run(programme)
    assert _pairs(run) == {(mentee.pk, junior.pk)}
    assert senior.pk not in [a["mentor"] for a in run.proposals.get().alternatives]


def test_the_coordinators_forbid_and_lock_survive_a_re_run() -> None:
    programme = matching_programme()
    skill = negotiation()
    mentee = pool_mentee(programme, needs={skill: (2, 4)})
    best = pool_mentor(programme, offers={skill: 5}, goals="Negotiation with key accounts")
    second = pool_mentor(programme, offers={skill: 4}, goals="Something else entirely")
    coordinator = coordinator_of(programme)
    run = _run(programme)
    assert _pairs(run) == {(mentee.pk, best.pk)}
    proposal_forbid(actor=coordinator, proposal=run.proposals.get())
    rerun = _run(programme)
    assert _pairs(rerun) == {(mentee.pk, second.pk)}
    proposal_lock(actor=coordinator, proposal=rerun.proposals.get())
    PairRule.objects.filter(kind=PairRule.Kind.FORBID).delete()  # the better mentor is allowed again …
    third = _run(programme)
    assert _pairs(third) == {(mentee.pk, second.pk)}  # … but the lock holds
    assert third.proposals.get().locked
    assert MatchRun.objects.get(pk=run.pk).state == MatchRun.State.SUPERSEDED


# --- explanations and reasons ------------------------------------------------------------------------------------


def test_the_explanation_names_language_competency_hours_and_divisions() -> None:
    programme = matching_programme()
    skill = negotiation()
    mentee = pool_mentee(
        programme,
        needs={skill: (2, 4)},
        languages=["id"],
        availability=["mon_morning", "tue_morning"],
        person=UserFactory(org_unit=OrgUnitFactory(code="SALES", name="Sales")),
    )
    pool_mentor(
        programme,
        offers={skill: 4},
        languages=["id", "en"],
        availability=["mon_morning"],
        person=UserFactory(org_unit=OrgUnitFactory(code="FIN", name="Finance")),
    )
    proposal = _run(programme).proposals.get(mentee=mentee)
    sentence = proposal.explanation
    assert "both speak Bahasa Indonesia" in sentence
    assert "mentor is level 4 in Negotiation, mentee targets 4" in sentence
    assert "4 hours of shared availability" in sentence
    assert "different divisions" in sentence
    assert proposal.breakdown["competency"] > 0
    assert proposal.score == pytest.approx(sum(proposal.breakdown.values()))


def test_an_unmatched_mentee_is_told_when_capacity_ran_out() -> None:
    programme = matching_programme()
    skill = negotiation()
    first = pool_mentee(programme, needs={skill: (1, 5)})
    second = pool_mentee(programme, needs={skill: (1, 5)})
    pool_mentor(programme, offers={skill: 5}, capacity=1)
    run = _run(programme)
    assert run.matched == 1
    loser = second if _pairs(run) == {(first.pk, run.proposals.get().mentor_id)} else first
    unmatched = _reason(run, loser)
    assert unmatched.reason == UnmatchedMentee.Reason.CAPACITY
    assert unmatched.detail == "capacity ran out: the one eligible mentor is fully booked"


def test_total_score_only_leaves_weak_pairs_unmatched_with_the_minimum_named() -> None:
    programme = matching_programme()
    mentee = pool_mentee(programme)
    pool_mentor(programme)
    matching_settings_update(
        actor=coordinator_of(programme),
        programme=programme,
        values={"objective": MatchingSettings.Objective.TOTAL_SCORE, "min_score": 5.0},
    )
    unmatched = _reason(_run(programme), mentee)
    assert unmatched.reason == UnmatchedMentee.Reason.BELOW_MIN_SCORE
    assert unmatched.detail == "none of the 1 eligible mentors reaches the minimum score"


def test_when_the_coordinators_forbids_leave_nobody_the_reason_says_so() -> None:
    programme = matching_programme()
    mentee, mentor = pool_mentee(programme), pool_mentor(programme)
    run = _run(programme)
    proposal_forbid(actor=coordinator_of(programme), proposal=run.proposals.get())
    unmatched = _reason(_run(programme), mentee)
    assert unmatched.reason == UnmatchedMentee.Reason.NO_ELIGIBLE_MENTOR
    assert unmatched.excluded_by["coordinator"] == 1
    assert "the coordinator forbade the one pair" in unmatched.detail
    assert PairRule.objects.get(mentee=mentee, mentor=mentor).kind == PairRule.Kind.FORBID


def test_group_formats_form_groups_of_the_programmes_size_each_with_a_mentor() -> None:
    programme = matching_programme(format=Programme.Format.GROUP, group_size_min=2, group_size_max=3)
    skill, other = negotiation(), CompetencyFactory(name="Coaching")
    negotiators = [pool_mentee(programme, needs={skill: (1, 4)}) for _ in range(3)]
    coaches = [pool_mentee(programme, needs={other: (1, 4)}) for _ in range(3)]
    pool_mentor(programme, offers={skill: 5, other: 5}, capacity=1)
    pool_mentor(programme, offers={skill: 5, other: 5}, capacity=1)
    run = _run(programme)
    groups: dict[tuple[int, int], set[int]] = {}
    for proposal in run.proposals.all():
        groups.setdefault((proposal.mentor_id, proposal.group_no), set()).add(proposal.mentee_id)
    # Shared needs group together: the negotiators in one group, the coaching mentees in the other.
    assert sorted(groups.values(), key=min) == sorted([{m.pk for m in negotiators}, {m.pk for m in coaches}], key=min)
    assert len({mentor for mentor, _group in groups}) == 2
    result = match_run_publish(actor=coordinator_of(programme), run=run)
    assert result.relationships == 2
    relationship = Relationship.objects.filter(programme=programme).first()
    assert relationship.kind == Relationship.Kind.GROUP
    assert relationship.members.count() == 4


def test_matching_only_runs_in_implementation() -> None:
    programme = matching_programme(phase=Programme.Phase.DESIGN)
    pool_mentee(programme)
    pool_mentor(programme)
    with pytest.raises(DomainError, match="implementation"):
        _run(programme)


def test_loading_the_pool_takes_the_same_number_of_queries_for_two_or_twenty_people() -> None:
    programme = matching_programme()
    pool_mentee(programme)
    pool_mentor(programme)
    with CaptureQueriesContext(connection) as small:
        matching_pool(programme=programme)
    for _ in range(10):
        pool_mentee(programme, person=UserFactory(manager=UserFactory()))
        pool_mentor(programme)
    with CaptureQueriesContext(connection) as large:
        pool = matching_pool(programme=programme)
    assert len(pool.mentees) == 11
    assert len(large) == len(small) <= 10


# --- review, publish, answer ----------------------------------------------------------------------------------------


def test_reassigning_by_hand_recomputes_the_score_and_respects_capacity() -> None:
    programme = matching_programme()
    skill = negotiation()
    a, b = pool_mentee(programme, needs={skill: (2, 4)}), pool_mentee(programme, needs={skill: (2, 4)})
    full = pool_mentor(programme, offers={skill: 5}, capacity=1, goals="Negotiation with key accounts")
    spare = pool_mentor(programme, offers={skill: 4}, capacity=1, goals="Other things")
    coordinator = coordinator_of(programme)
    run = _run(programme)
    on_spare = run.proposals.get(mentor=spare)
    with pytest.raises(DomainError, match="no free place"):
        proposal_reassign(actor=coordinator, proposal=on_spare, mentor=full)
    on_full = run.proposals.get(mentor=full)
    proposal_forbid(actor=coordinator, proposal=on_full)
    moved = proposal_reassign(actor=coordinator, proposal=on_spare, mentor=full)
    assert moved.edited
    assert moved.mentor == full
    assert "mentor is level 5 in Negotiation" in moved.explanation
    assert {a.pk, b.pk} >= {moved.mentee_id}


def test_publish_proposes_each_pair_and_both_accepting_makes_an_accepted_relationship() -> None:
    programme = matching_programme()
    mentee, mentor = pool_mentee(programme), pool_mentor(programme, capacity=1)
    run = _run(programme)
    result = match_run_publish(actor=coordinator_of(programme), run=run)
    assert result.relationships == 1
    relationship = Relationship.objects.get(programme=programme)
    assert relationship.state == Relationship.State.PROPOSED
    assert "both speak" in relationship.explanation
    kinds = set(Notification.objects.filter(kind="match_proposed").values_list("recipient_id", flat=True))
    assert kinds == {mentee.person_id, mentor.person_id}
    relationship_respond(actor=mentee.person, relationship=relationship, enrolment=mentee, accept=True)
    relationship.refresh_from_db()
    assert relationship.state == Relationship.State.PROPOSED  # waiting for the mentor
    relationship_respond(actor=mentor.person, relationship=relationship, enrolment=mentor, accept=True)
    relationship.refresh_from_db()
    mentee.refresh_from_db()
    mentor.refresh_from_db()
    assert relationship.state == Relationship.State.ACCEPTED
    assert (mentee.state, mentor.state) == (Enrolment.State.MATCHED, Enrolment.State.MATCHED)  # capacity 1: full


def test_a_declined_pair_returns_both_to_the_pool_with_the_note_and_is_not_proposed_again() -> None:
    programme = matching_programme()
    mentee, mentor = pool_mentee(programme), pool_mentor(programme)
    other = pool_mentor(programme)
    run = _run(programme)
    match_run_publish(actor=coordinator_of(programme), run=run)
    relationship = Relationship.objects.get(programme=programme)
    chosen = relationship.members.get(role="mentor").enrolment
    relationship_respond(
        actor=mentee.person, relationship=relationship, enrolment=mentee, accept=False, note="We know each other."
    )
    relationship.refresh_from_db()
    assert relationship.state == Relationship.State.DECLINED
    assert RelationshipMember.objects.get(relationship=relationship, enrolment=mentee).note == "We know each other."
    assert Notification.objects.get(recipient=chosen.person, kind="match_answered").context["who"] == str(mentee.person)
    rerun = _run(programme)  # the mentee is back in the pool, with the other mentor
    assert _pairs(rerun) == {(mentee.pk, (other if chosen == mentor else mentor).pk)}


def test_publishing_skips_a_pair_whose_mentor_filled_up_since_the_run() -> None:
    programme = matching_programme()
    mentee, mentor = pool_mentee(programme), pool_mentor(programme, capacity=1)
    run = _run(programme)
    latecomer = pool_mentee(programme)
    relationship = RelationshipFactory(programme=programme)
    RelationshipMemberFactory(relationship=relationship, enrolment=mentor)
    RelationshipMemberFactory(relationship=relationship, enrolment=latecomer)
    result = match_run_publish(actor=coordinator_of(programme), run=run)
    assert result.relationships == 0
    assert "no free place" in result.skipped[0]
    assert MatchProposal.objects.get(run=run, mentee=mentee).relationship is None


def test_the_review_page_lists_pairs_with_breakdown_and_unmatched_reasons(client: Client) -> None:
    programme = matching_programme()
    mentee = pool_mentee(programme)
    pool_mentor(programme)
    loner = pool_mentee(programme, languages=["ja"])
    run = _run(programme)
    client.force_login(coordinator_of(programme))
    body = client.get(reverse("programmes:match_run", args=[programme.pk, run.pk])).content.decode()
    assert str(mentee.person) in body
    assert "Competencies" in body  # a breakdown column
    assert str(loner.person) in body
    assert "no shared language" in body


# --- self-service --------------------------------------------------------------------------------------------------


def test_a_mentee_sees_the_top_three_eligible_mentors_and_requests_one() -> None:
    programme = matching_programme()
    MatchingSettings.objects.filter(programme=programme).update(self_service=True)
    mentee = pool_mentee(programme)
    mentors = [pool_mentor(programme) for _ in range(4)]
    pool_mentor(programme, languages=["ja"])  # ineligible
    suggestions = mentor_suggestions(mentee=mentee)
    assert len(suggestions) == 3
    assert {s.mentor.pk for s in suggestions} <= {m.pk for m in mentors}
    assert all("both speak" in s.explanation for s in suggestions)
    relationship = mentor_request(actor=mentee.person, mentee=mentee, mentor=suggestions[0].mentor)
    assert relationship.origin == Relationship.Origin.REQUEST
    assert relationship.members.get(enrolment=mentee).response == "accepted"
    assert Notification.objects.get(kind="match_proposed").recipient == suggestions[0].mentor.person


def test_a_mentee_cannot_request_a_mentor_a_hard_rule_forbids() -> None:
    programme = matching_programme()
    MatchingSettings.objects.filter(programme=programme).update(self_service=True)
    mentee = pool_mentee(programme)
    boss = pool_mentor(programme, person=mentee.person.manager or UserFactory())
    mentee.person.manager = boss.person
    mentee.person.save()
    with pytest.raises(DomainError, match="hard rule"):
        mentor_request(actor=mentee.person, mentee=mentee, mentor=boss)


def test_requests_are_refused_when_the_coordinator_matches() -> None:
    programme = matching_programme()
    mentee, mentor = pool_mentee(programme), pool_mentor(programme)
    with pytest.raises(DomainError, match="coordinator proposes"):
        mentor_request(actor=mentee.person, mentee=mentee, mentor=mentor)


# --- supply and demand ----------------------------------------------------------------------------------------------


def test_supply_and_demand_per_competency_with_a_query_count_that_does_not_grow(django_assert_max_num_queries) -> None:
    programme = matching_programme(mentor_capacity=2)
    skill, other = negotiation(), CompetencyFactory(name="Coaching")
    for _ in range(3):
        pool_mentee(programme, needs={skill: (1, 4)})
    pool_mentee(programme, needs={other: (2, 3)})
    pool_mentor(programme, offers={skill: 5}, capacity=1)
    _run(programme)
    with django_assert_max_num_queries(4):
        report = supply_demand_report(programme=programme)
    rows = {r.competency: r for r in report.rows}
    assert (rows["Negotiation"].mentees, rows["Negotiation"].demand_levels, rows["Negotiation"].supply_slots) == (
        3,
        9,
        1,
    )
    assert rows["Negotiation"].balance == -2
    assert (rows["Coaching"].mentees, rows["Coaching"].supply_slots) == (1, 0)
    reasons = dict(report.unmatched)
    assert sum(reasons.values()) == 3
    for _ in range(10):
        pool_mentee(programme, needs={skill: (1, 2)})
    with django_assert_max_num_queries(4):
        supply_demand_report(programme=programme)


def test_the_matching_page_lists_runs_and_rules_and_a_published_run_links_each_match(client: Client) -> None:
    programme = matching_programme()
    mentee, mentor = pool_mentee(programme), pool_mentor(programme)
    other = pool_mentor(programme, languages=["ja"])  # forbidden by language, so never proposed
    coordinator = coordinator_of(programme)
    run = _run(programme)
    proposal_lock(actor=coordinator, proposal=run.proposals.get())
    client.force_login(coordinator)
    body = client.get(reverse("programmes:matching", args=[programme.pk])).content.decode()
    assert "Locked" in body
    assert f"{mentee.person} × {mentor.person}" in body
    assert str(other.person) not in body
    match_run_publish(actor=coordinator, run=run)
    body = client.get(reverse("programmes:match_run", args=[programme.pk, run.pk])).content.decode()
    relationship = Relationship.objects.get(programme=programme)
    assert reverse("programmes:relationship_detail", args=[programme.pk, relationship.pk]) in body
    assert 'data-testid="publish"' not in body
    report = client.get(reverse("programmes:supply_demand", args=[programme.pk])).content.decode()
    assert "Every mentee was matched." in report


def test_a_requested_pair_keeps_the_score_and_reasons_the_mentee_was_shown() -> None:
    programme = matching_programme()
    MatchingSettings.objects.filter(programme=programme).update(self_service=True)
    mentee = pool_mentee(programme, goals="negosiasi dengan pelanggan kunci, forecasting")
    # Other mentees' goals shape the pool's goal vocabulary, so the pair alone would score its goals otherwise.
    for goals in ("kepemimpinan tim", "kepemimpinan lintas fungsi", "negosiasi harga", "leadership coaching"):
        pool_mentee(programme, goals=goals)
    for goals in ("negosiasi, kepemimpinan, pelanggan", "forecasting and leadership", "kepemimpinan"):
        pool_mentor(programme, goals=goals)
    shown = mentor_suggestions(mentee=mentee)[0]
    relationship = mentor_request(actor=mentee.person, mentee=mentee, mentor=shown.mentor)
    assert relationship.score == pytest.approx(shown.score, abs=1e-12)
    assert relationship.explanation == shown.explanation.strip()
