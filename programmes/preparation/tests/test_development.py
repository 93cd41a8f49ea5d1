"""Development plans: baselines, goals and their status, progress and comments, the manager's view of shared goals,
the chart, and the coordinator's preparation overview."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from people.models import CompetencyRating
from people.tests.factories import CompetencyFactory, CompetencyRatingFactory, UserFactory
from programmes.core.errors import DomainError, InvalidTransition
from programmes.models import (
    AuditEvent,
    DevelopmentGoal,
    Enrolment,
    NeedsSurvey,
    Notification,
    SurveyAnswer,
    SurveyInvitation,
)
from programmes.preparation.selectors.overview import preparation_overview
from programmes.preparation.services.agreements import current_version
from programmes.preparation.services.development import (
    GoalInput,
    ProgressInput,
    baseline_for,
    development_goal_create,
    development_goal_set_status,
    development_goal_share,
    development_plan_acknowledge,
    goal_comment_add,
    goal_progress_add,
)
from programmes.preparation.services.signing import agreement_sign
from programmes.tests.matching_helpers import coordinator_of, matching_programme, negotiation, pool_mentee
from programmes.tests.preparation_helpers import accepted_pair, fill_expectations, goal, mentee_enrolment, people_of

pytestmark = pytest.mark.django_db
Status = DevelopmentGoal.Status


def _input(**fields: object) -> GoalInput:
    values: dict[str, object] = {
        "competency": negotiation(),
        "business_goal": None,
        "statement": "Lead a price negotiation on my own by June.",
        "target_level": 4,
        "due_on": timezone.localdate() + timedelta(days=90),
        "baseline_level": None,
    }
    values.update(fields)
    return GoalInput(**values)  # type: ignore[arg-type]


# --- Baselines and goals --------------------------------------------------------------------------------------------


def test_the_baseline_comes_from_the_needs_survey_then_the_latest_rating_then_the_application() -> None:
    programme = matching_programme()
    skill = negotiation()
    mentee = pool_mentee(programme, needs={skill: (1, 4)})
    assert baseline_for(mentee, skill) == (1, "application")
    CompetencyRatingFactory(
        person=mentee.person, competency=skill, level=2, rated_on=timezone.localdate() - timedelta(days=90)
    )
    CompetencyRatingFactory(person=mentee.person, competency=skill, level=3, source=CompetencyRating.Source.MANAGER)
    assert baseline_for(mentee, skill) == (3, "rating")
    survey = NeedsSurvey.objects.create(programme=programme, title="Needs")
    invitation = SurveyInvitation.objects.create(survey=survey, person=mentee.person, state="responded")
    SurveyAnswer.objects.create(invitation=invitation, competency=skill, current_level=2, needed_level=4)
    assert baseline_for(mentee, skill) == (2, "survey")
    assert baseline_for(mentee, CompetencyFactory()) is None


def test_a_goal_takes_its_baseline_or_asks_for_one_and_its_target_must_be_above() -> None:
    programme = matching_programme()
    mentee = pool_mentee(programme, needs={negotiation(): (2, 4)})
    created = development_goal_create(actor=mentee.person, enrolment=mentee, data=_input())
    assert (created.baseline_level, created.baseline_source, created.status) == (2, "application", Status.OPEN)
    unknown = CompetencyFactory(name="Forecasting")
    with pytest.raises(DomainError, match="enter your current level"):
        development_goal_create(actor=mentee.person, enrolment=mentee, data=_input(competency=unknown))
    with pytest.raises(DomainError, match="must be above the baseline"):
        development_goal_create(
            actor=mentee.person, enrolment=mentee, data=_input(competency=unknown, baseline_level=4)
        )
    with pytest.raises(DomainError, match="past"):
        development_goal_create(
            actor=mentee.person, enrolment=mentee, data=_input(due_on=timezone.localdate() - timedelta(days=1))
        )
    other_goal = matching_programme().business_goals.create(statement="Elsewhere")
    with pytest.raises(DomainError, match="business goal of this programme"):
        development_goal_create(actor=mentee.person, enrolment=mentee, data=_input(business_goal=other_goal))
    with pytest.raises(DomainError, match="Only the mentee"):
        development_goal_create(actor=UserFactory(), enrolment=mentee, data=_input())
    assert DevelopmentGoal.objects.count() == 1


def test_goal_status_follows_its_path_and_each_move_is_audited() -> None:
    relationship = accepted_pair(matching_programme())
    mentor, mentee = people_of(relationship)
    planned = goal(mentee_enrolment(relationship))
    with pytest.raises(InvalidTransition, match="cannot become achieved"):
        development_goal_set_status(actor=mentee, goal=planned, status=Status.ACHIEVED)
    development_goal_set_status(actor=mentee, goal=planned, status=Status.ON_TRACK)
    development_goal_set_status(actor=mentor, goal=planned, status=Status.AT_RISK, note="No time this quarter")
    development_goal_set_status(actor=mentee, goal=planned, status=Status.ON_TRACK)
    development_goal_set_status(actor=mentee, goal=planned, status=Status.ACHIEVED)
    with pytest.raises(InvalidTransition):
        development_goal_set_status(actor=mentee, goal=planned, status=Status.ON_TRACK)
    with pytest.raises(DomainError, match="mentee and their mentor"):
        development_goal_set_status(actor=UserFactory(), goal=planned, status=Status.DROPPED)
    moves = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(DevelopmentGoal), object_id=planned.pk
    ).values_list("from_state", "to_state", "reason")
    assert list(moves) == [
        ("", "open", ""),
        ("open", "on_track", ""),
        ("on_track", "at_risk", "No time this quarter"),
        ("at_risk", "on_track", ""),
        ("on_track", "achieved", ""),
    ]


def test_progress_is_dated_by_the_pair_and_comments_reach_the_mentee() -> None:
    programme = matching_programme()
    relationship = accepted_pair(programme)
    mentor, mentee = people_of(relationship)
    planned = goal(mentee_enrolment(relationship))
    today = timezone.localdate()
    goal_progress_add(actor=mentee, goal=planned, data=ProgressInput(today - timedelta(days=10), 3, "Led one call"))
    goal_progress_add(actor=mentor, goal=planned, data=ProgressInput(today, 3, evidence="Call notes"))
    with pytest.raises(DomainError, match="not the future"):
        goal_progress_add(actor=mentee, goal=planned, data=ProgressInput(today + timedelta(days=1), 4))
    with pytest.raises(DomainError, match="mentee and their mentor"):
        goal_progress_add(actor=coordinator_of(programme), goal=planned, data=ProgressInput(today, 4))
    assert [(p.level, p.recorded_by) for p in planned.progress.order_by("recorded_on")] == [(3, mentee), (3, mentor)]
    goal_comment_add(actor=mentor, goal=planned, body="Try the anchoring technique next time.")
    goal_comment_add(actor=mentee, goal=planned, body="Will do.")
    assert Notification.objects.filter(kind="plan_comment", recipient=mentee).count() == 1
    with pytest.raises(DomainError, match="Only the mentee, their mentor and the coordinators"):
        goal_comment_add(actor=UserFactory(), goal=planned, body="Hello")


# --- The manager ----------------------------------------------------------------------------------------------------


def _managed_pair() -> tuple[object, Enrolment, DevelopmentGoal, DevelopmentGoal]:
    programme = matching_programme()
    manager = UserFactory(full_name="Hendra Wijaya")
    mentee = pool_mentee(programme, person=UserFactory(full_name="Maya Sari", manager=manager))
    relationship = accepted_pair(programme, mentee=mentee)
    shared = goal(mentee, statement="Shared: lead the quarterly pricing review.", shared=True)
    private = goal(
        mentee, statement="Private: speak up in leadership meetings.", competency=CompetencyFactory(name="Voice")
    )
    goal_progress_add(actor=mentee.person, goal=shared, data=ProgressInput(timezone.localdate(), 3, "Secret note"))
    fill_expectations(relationship.agreement)
    return manager, mentee, shared, private


def test_the_manager_sees_only_the_shared_goals_and_nothing_else_of_the_relationship(client: Client) -> None:
    manager, mentee, shared, private = _managed_pair()
    relationship = mentee.memberships.get().relationship
    assert Notification.objects.get(kind="plan_shared").recipient == manager
    client.force_login(manager)
    programme_id = mentee.programme_id
    page = client.get(reverse("programmes:plan_manager", args=[programme_id, mentee.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert shared.statement in html
    assert private.statement not in html
    assert "Voice" not in html
    assert "Secret note" not in html  # progress notes stay with the pair
    assert [g.goal for g in page.context["goals"]] == [shared]
    assert page.context["goals"][0].latest_level == 3
    # Everything else of the relationship is out of scope for the manager.
    elsewhere = [
        reverse("programmes:plan", args=[programme_id, mentee.pk]),
        reverse("programmes:goal_create", args=[programme_id, mentee.pk]),
        reverse("programmes:relationship_detail", args=[programme_id, relationship.pk]),
        reverse("programmes:agreement", args=[programme_id, relationship.pk]),
        reverse("programmes:agreement_print", args=[programme_id, relationship.pk, 1]),
        reverse("programmes:orientation_manage", args=[programme_id]),
        reverse("programmes:enrolment_detail", args=[programme_id, mentee.pk]),
    ]
    for url in elsewhere:
        assert client.get(url).status_code in (403, 404), url
    for url in (
        reverse("programmes:goal_progress", args=[programme_id, mentee.pk, shared.pk]),
        reverse("programmes:goal_comment", args=[programme_id, mentee.pk, shared.pk]),
        reverse("programmes:goal_status", args=[programme_id, mentee.pk, shared.pk]),
    ):
        assert client.post(url, {"body": "x", "level": "4", "status": "on_track"}).status_code == 404, url
    assert shared.comments.count() == 0
    assert shared.progress.count() == 1


def test_the_manager_acknowledges_the_plan_and_the_mentee_is_told(client: Client) -> None:
    manager, mentee, shared, _private = _managed_pair()
    with pytest.raises(DomainError, match="Only the mentee's manager"):
        development_plan_acknowledge(actor=mentee.person, plan=shared.plan)
    client.force_login(manager)
    url = reverse("programmes:plan_acknowledge", args=[mentee.programme_id, mentee.pk])
    assert client.post(url).status_code == 302
    shared.plan.refresh_from_db()
    assert shared.plan.manager_acknowledged_by == manager
    assert Notification.objects.get(kind="plan_acknowledged").recipient == mentee.person
    # Unsharing the last goal leaves the manager nothing to read.
    development_goal_share(actor=mentee.person, goal=shared, shared=False)
    page = client.get(reverse("programmes:plan_manager", args=[mentee.programme_id, mentee.pk]))
    assert page.context["goals"] == []
    assert shared.statement not in page.content.decode()


def test_the_mentee_and_coordinators_do_not_use_the_managers_page(client: Client) -> None:
    _manager, mentee, _shared, _private = _managed_pair()
    url = reverse("programmes:plan_manager", args=[mentee.programme_id, mentee.pk])
    for person in (mentee.person, coordinator_of(mentee.programme)):
        client.force_login(person)
        assert client.get(url).status_code == 403
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


# --- The plan page --------------------------------------------------------------------------------------------------


def test_the_plan_page_charts_progress_per_goal_with_a_table_of_the_same_figures(client: Client) -> None:
    relationship = accepted_pair(matching_programme())
    mentor, mentee = people_of(relationship)
    planned = goal(mentee_enrolment(relationship), baseline=2, target=4)
    day = timezone.localdate()
    goal_progress_add(actor=mentee, goal=planned, data=ProgressInput(day, 3))
    client.force_login(mentor)
    page = client.get(reverse("programmes:plan", args=[relationship.programme_id, mentee_enrolment(relationship).pk]))
    html = page.content.decode()
    assert 'id="progress-data"' in html
    assert "js/development.js" in html
    assert "chartjs/chart.umd.min.js" in html
    chart = page.context["chart"]
    assert chart["labels"] == [day.isoformat()]  # the baseline and today's entry fall on the same day
    assert chart["datasets"] == [{"label": "Negotiation → 4", "data": [3], "target": 4}]
    embedded = html.split('id="progress-data" type="application/json">')[1].split("</script>")[0]
    assert json.loads(embedded) == chart
    assert page.context["chart_rows"][-1] == (day.isoformat(), [3])
    assert 'data-testid="progress-table"' in html


def test_a_bad_progress_entry_re_shows_the_plan_with_the_message_and_what_was_typed(client: Client) -> None:
    relationship = accepted_pair(matching_programme())
    _mentor, mentee = people_of(relationship)
    enrolment = mentee_enrolment(relationship)
    planned = goal(enrolment)
    client.force_login(mentee)
    url = reverse("programmes:goal_progress", args=[relationship.programme_id, enrolment.pk, planned.pk])
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    page = client.post(
        url, {f"p{planned.pk}-recorded_on": tomorrow, f"p{planned.pk}-level": "3", f"p{planned.pk}-note": "Kept"}
    )
    assert page.status_code == 400
    assert "not the future" in page.content.decode()
    assert "Kept</textarea>" in page.content.decode()
    assert planned.progress.count() == 0


def test_the_level_picker_starts_at_the_goals_current_level_and_each_form_sits_behind_its_own_button(
    client: Client,
) -> None:
    relationship = accepted_pair(matching_programme())
    _mentor, mentee = people_of(relationship)
    enrolment = mentee_enrolment(relationship)
    planned = goal(enrolment, baseline=2, target=5)
    client.force_login(mentee)
    url = reverse("programmes:plan", args=[relationship.programme_id, enrolment.pk])
    card = client.get(url).context["cards"][0]
    assert card.progress_form["level"].value() == 2  # the baseline before any progress
    assert card.open_form == ""
    goal_progress_add(actor=mentee, goal=planned, data=ProgressInput(timezone.localdate(), 4))
    page = client.get(url)
    assert page.context["cards"][0].progress_form["level"].value() == 4
    html = page.content.decode()
    assert html.count('<details class="goal-action">') == 3  # progress, status, comment: all closed
    assert '<option value="4" selected>' in html


def test_a_failed_form_re_opens_behind_its_button(client: Client) -> None:
    relationship = accepted_pair(matching_programme())
    _mentor, mentee = people_of(relationship)
    enrolment = mentee_enrolment(relationship)
    planned = goal(enrolment)
    client.force_login(mentee)
    url = reverse("programmes:goal_comment", args=[relationship.programme_id, enrolment.pk, planned.pk])
    page = client.post(url, {f"c{planned.pk}-body": ""})
    assert page.status_code == 400
    assert page.context["cards"][0].open_form == "comment_form"
    assert '<details class="goal-action" open>' in page.content.decode()


def test_the_mentee_writes_a_goal_in_the_browser_form(client: Client) -> None:
    programme = matching_programme()
    mentee = pool_mentee(programme, needs={negotiation(): (2, 4)})
    business = programme.business_goals.create(statement="Shorten the sales cycle")
    client.force_login(mentee.person)
    url = reverse("programmes:goal_create", args=[programme.pk, mentee.pk])
    due = (timezone.localdate() + timedelta(days=60)).isoformat()
    data = {
        "competency": negotiation().pk,
        "business_goal": business.pk,
        "statement": "Close two renewals",
        "baseline_level": "",
        "target_level": "4",
        "due_on": due,
        "shared_with_manager": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    created = DevelopmentGoal.objects.get()
    assert (created.baseline_level, created.business_goal, created.shared_with_manager) == (2, business, True)
    page = client.post(url, {**data, "target_level": "2"})
    assert "must be above the baseline" in page.content.decode()
    assert DevelopmentGoal.objects.count() == 1


# --- The coordinator's overview -------------------------------------------------------------------------------------


def _world(pairs: int) -> object:
    programme = matching_programme()
    for index in range(pairs):
        relationship = accepted_pair(programme)
        enrolment = mentee_enrolment(relationship)
        fill_expectations(relationship.agreement)
        if index % 2 == 0:
            planned = goal(enrolment)
            development_goal_set_status(actor=enrolment.person, goal=planned, status=Status.ON_TRACK)
            development_goal_set_status(actor=enrolment.person, goal=planned, status=Status.AT_RISK)
            _mentor, mentee = people_of(relationship)
            agreement_sign(
                actor=mentee,
                agreement=relationship.agreement,
                version_number=current_version(relationship.agreement).number,
                typed_name=mentee.full_name,
            )
    return programme


def test_the_overview_lists_waiting_agreements_empty_plans_and_goals_at_risk() -> None:
    programme = _world(2)
    overview = preparation_overview(programme=programme, language="en")
    assert overview.counts == {"agreements": 2, "empty_plans": 1, "goals_at_risk": 1}
    signed = sorted(row.signed for row in overview.agreements)
    assert signed == [0, 1]
    assert all(row.members == 2 and row.days == 0 for row in overview.agreements)
    assert overview.empty_plans[0].role == "mentee"


def test_the_overview_takes_the_same_number_of_queries_for_two_or_twelve_pairs(
    client: Client, django_assert_max_num_queries: object
) -> None:
    small = _world(2)
    client.force_login(coordinator_of(small))
    url = reverse("programmes:preparation", args=[small.pk])
    client.get(url)
    with django_assert_max_num_queries(40) as measured:  # type: ignore[operator]
        page = client.get(url)
    assert page.context["overview"].counts["agreements"] == 2
    large = _world(12)
    client.force_login(coordinator_of(large))
    with django_assert_max_num_queries(len(measured.captured_queries)):  # type: ignore[operator]
        page = client.get(reverse("programmes:preparation", args=[large.pk]))
    assert page.context["overview"].counts == {"agreements": 12, "empty_plans": 6, "goals_at_risk": 6}
    assert "days" in page.content.decode() or "day" in page.content.decode()
