"""Programme design pages: create, team, policies, business goals and readiness."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from conftest import Personas
from evaluation.tests.factories import BaselineFactory, MetricFactory
from mentoring.tests.matrix import Case
from people.tests.factories import CompetencyFactory, UserFactory
from programmes.core.services.lifecycle import audit_event_record
from programmes.design.tests.permission_cases import CASES as DESIGN_CASES
from programmes.models import AuditEvent, BusinessGoal, Programme, ProgrammeRole, ReadinessAssessment
from programmes.tests.design_helpers import add_goal, new_programme

pytestmark = pytest.mark.django_db


# --- create ------------------------------------------------------------------------------------------


def test_coordinator_creates_a_programme_that_starts_in_needs_assessment(client: Client, personas: Personas) -> None:
    client.force_login(personas.coordinator)
    response = client.post(
        reverse("programmes:create"), {"name": "Women in leadership", "purpose": "Grow leaders", "format": "group"}
    )
    programme = Programme.objects.get(name="Women in leadership")
    assert response["Location"] == programme.get_absolute_url()
    assert programme.phase == Programme.Phase.NEEDS_ASSESSMENT
    assert (programme.group_size_min, programme.group_size_max, programme.term_months) == (4, 8, 9)
    assert programme.agreement_template == ""  # offered on the policies page, decided there
    assert ProgrammeRole.objects.filter(programme=programme, user=personas.coordinator, role="coordinator").exists()


def test_a_bad_create_form_says_what_is_wrong_and_creates_nothing(client: Client, personas: Personas) -> None:
    client.force_login(personas.coordinator)
    before = Programme.objects.count()
    response = client.post(reverse("programmes:create"), {"name": "", "format": "nonsense"})
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"name", "format"}
    assert Programme.objects.count() == before


def test_the_new_programme_button_shows_only_to_those_who_may_create(client: Client, personas: Personas) -> None:
    for user, shown in ((personas.coordinator, True), (personas.hr_analyst, True), (personas.mentor, False)):
        client.force_login(user)
        body = client.get(reverse("programmes:list")).content.decode()
        assert (reverse("programmes:create") in body) == shown


# --- team ------------------------------------------------------------------------------------------------


def test_team_search_finds_people_by_name_or_email(client: Client, personas: Personas) -> None:
    UserFactory(full_name="Putri Anggraini", email="putri@example.co.id")
    UserFactory(full_name="Gone Person", email="gone@example.co.id", is_active=False)
    client.force_login(personas.coordinator)
    url = reverse("programmes:team", args=[personas.programme.pk])
    assert [p.email for p in client.get(url, {"q": "anggr"}).context["found"]] == ["putri@example.co.id"]
    assert [p.full_name for p in client.get(url, {"q": "putri@"}).context["found"]] == ["Putri Anggraini"]
    assert client.get(url, {"q": "gone"}).context["found"] == []


def test_coordinator_adds_a_second_coordinator_and_a_programme_hr_analyst(client: Client, personas: Personas) -> None:
    colleague, analyst = UserFactory(), UserFactory()
    client.force_login(personas.coordinator)
    url = reverse("programmes:team_add", args=[personas.programme.pk])
    client.post(url, {"person": colleague.pk, "role": "coordinator"})
    client.post(url, {"person": analyst.pk, "role": "hr_analyst"})
    roles = set(ProgrammeRole.objects.filter(programme=personas.programme).values_list("user_id", "role"))
    assert {(colleague.pk, "coordinator"), (analyst.pk, "hr_analyst")} <= roles
    # The programme HR analyst now reads the programme's design pages.
    client.force_login(analyst)
    assert client.get(reverse("programmes:goals", args=[personas.programme.pk])).status_code == 200


def test_adding_someone_twice_says_so(client: Client, personas: Personas) -> None:
    client.force_login(personas.coordinator)
    url = reverse("programmes:team_add", args=[personas.programme.pk])
    response = client.post(url, {"person": personas.coordinator.pk, "role": "coordinator"}, follow=True)
    assert "already a coordinator" in response.content.decode()


def test_the_last_coordinator_cannot_be_removed(client: Client, personas: Personas) -> None:
    member = ProgrammeRole.objects.get(programme=personas.programme, role="coordinator")
    client.force_login(personas.coordinator)
    url = reverse("programmes:team_remove", args=[personas.programme.pk, member.pk])
    response = client.post(url, {"confirm": "leave"}, follow=True)  # their own role: confirmed, still refused
    assert "at least one coordinator" in response.content.decode()
    assert ProgrammeRole.objects.filter(pk=member.pk).exists()


def test_a_coordinator_can_be_removed_when_another_remains(client: Client, personas: Personas) -> None:
    other = ProgrammeRole.objects.create(programme=personas.programme, user=UserFactory(), role="coordinator")
    client.force_login(personas.coordinator)
    client.post(reverse("programmes:team_remove", args=[personas.programme.pk, other.pk]))
    assert not ProgrammeRole.objects.filter(pk=other.pk).exists()


def test_a_coordinator_who_leaves_the_team_is_taken_home_and_told_not_shown_a_closed_page(
    client: Client, personas: Personas
) -> None:
    ProgrammeRole.objects.create(programme=personas.programme, user=UserFactory(), role="coordinator")
    own = ProgrammeRole.objects.get(programme=personas.programme, user=personas.coordinator)
    client.force_login(personas.coordinator)
    team = client.get(reverse("programmes:team", args=[personas.programme.pk])).content.decode()
    assert team.count("Leave the team") == 1  # on their own row only; the others' rows say "Remove <name>"
    url = reverse("programmes:team_remove", args=[personas.programme.pk, own.pk])
    unconfirmed = client.post(url, follow=True)  # leaving closes the pages: it takes the box ticked
    assert "Tick “Confirm” to leave the team" in unconfirmed.content.decode()
    assert ProgrammeRole.objects.filter(pk=own.pk).exists()
    response = client.post(url, {"confirm": "leave"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert f"You left the team of {personas.programme.name} as coordinator." in response.content.decode()
    assert not ProgrammeRole.objects.filter(pk=own.pk).exists()
    assert client.get(reverse("programmes:team", args=[personas.programme.pk])).status_code == 404


def test_a_team_member_of_another_programme_cannot_be_removed_through_this_one(
    client: Client, personas: Personas
) -> None:
    elsewhere = ProgrammeRole.objects.create(programme=personas.other_programme, user=UserFactory(), role="coordinator")
    client.force_login(personas.coordinator)
    response = client.post(reverse("programmes:team_remove", args=[personas.programme.pk, elsewhere.pk]))
    assert response.status_code == 404
    assert ProgrammeRole.objects.filter(pk=elsewhere.pk).exists()


# --- policies ---------------------------------------------------------------------------------------------


def _policy_data(**overrides: object) -> dict[str, object]:
    from programmes.models import format_defaults

    data: dict[str, object] = {"format": "one_to_one", **format_defaults("one_to_one")}
    data.update(overrides)
    return data


def test_policies_page_offers_the_format_defaults_for_the_texts(client: Client, personas: Personas) -> None:
    client.force_login(personas.coordinator)
    form = client.get(reverse("programmes:policies", args=[personas.programme.pk])).context["form"]
    assert "without blame" in form.initial["no_fault_clause"]
    group = client.get(reverse("programmes:policies", args=[personas.programme.pk]), {"defaults": "group"})
    assert group.context["form"].initial["group_size_max"] == 8


def test_coordinator_saves_the_policies(client: Client, personas: Personas) -> None:
    client.force_login(personas.coordinator)
    client.post(reverse("programmes:policies", args=[personas.programme.pk]), _policy_data(term_months=9))
    personas.programme.refresh_from_db()
    assert personas.programme.term_months == 9
    assert personas.programme.missing_policies() == []


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"group_size_min": 6, "group_size_max": 4}, "group_size_max"),
        ({"term_months": 0}, "term_months"),
        ({"no_fault_clause": ""}, "no_fault_clause"),
        ({"max_time_zone_gap_hours": "soon"}, "max_time_zone_gap_hours"),
    ],
)
def test_bad_policies_are_refused_field_by_field(
    client: Client, personas: Personas, overrides: dict[str, object], field: str
) -> None:
    client.force_login(personas.coordinator)
    response = client.post(reverse("programmes:policies", args=[personas.programme.pk]), _policy_data(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    personas.programme.refresh_from_db()
    assert personas.programme.term_months is None


def test_policies_page_is_read_only_in_implementation(client: Client, personas: Personas) -> None:
    Programme.objects.filter(pk=personas.programme.pk).update(phase="implementation", term_months=12)
    client.force_login(personas.coordinator)
    url = reverse("programmes:policies", args=[personas.programme.pk])
    assert 'data-testid="policies-locked"' in client.get(url).content.decode()
    response = client.post(url, _policy_data(term_months=3), follow=True)
    assert "read-only" in response.content.decode()
    personas.programme.refresh_from_db()
    assert personas.programme.term_months == 12


# --- goals ----------------------------------------------------------------------------------------------


def test_coordinator_adds_a_goal_with_an_owner_by_email(client: Client, personas: Personas) -> None:
    client.force_login(personas.coordinator)
    client.post(
        reverse("programmes:goals", args=[personas.programme.pk]),
        {"statement": "Cut the sales cycle by 20%", "priority": 1, "owner": "MENTOR@example.co.id"},
    )
    goal = BusinessGoal.objects.get(programme=personas.programme)
    assert (goal.statement, goal.priority, goal.owner) == ("Cut the sales cycle by 20%", 1, personas.mentor)


def test_a_goal_owner_must_be_in_the_directory(client: Client, personas: Personas) -> None:
    client.force_login(personas.coordinator)
    response = client.post(
        reverse("programmes:goals", args=[personas.programme.pk]),
        {"statement": "Grow", "priority": 2, "owner": "nobody@example.co.id"},
    )
    assert "Nobody you can choose here has this e-mail address" in str(response.context["form"].errors["owner"])
    assert not BusinessGoal.objects.exists()


def test_coordinator_edits_a_goal(client: Client, personas: Personas) -> None:
    goal = add_goal(personas.programme, owner=personas.mentor)
    client.force_login(personas.coordinator)
    url = reverse("programmes:goal_edit", args=[personas.programme.pk, goal.pk])
    assert client.get(url).context["form"].initial["owner"] == personas.mentor.email
    client.post(url, {"statement": "Shorter cycle", "priority": 3, "owner": personas.coordinator.email})
    goal.refresh_from_db()
    assert (goal.statement, goal.priority, goal.owner) == ("Shorter cycle", 3, personas.coordinator)


def test_a_goal_with_outcome_metrics_cannot_be_deleted(client: Client, personas: Personas) -> None:
    goal = add_goal(personas.programme)
    MetricFactory(goal=goal)
    client.force_login(personas.coordinator)
    response = client.post(reverse("programmes:goal_delete", args=[personas.programme.pk, goal.pk]), follow=True)
    assert "linked record" in response.content.decode()
    assert BusinessGoal.objects.filter(pk=goal.pk).exists()


def test_a_goal_of_another_programme_is_out_of_scope(client: Client, personas: Personas) -> None:
    elsewhere = add_goal(personas.other_programme)
    client.force_login(personas.coordinator)
    url = reverse("programmes:goal_edit", args=[personas.programme.pk, elsewhere.pk])
    assert client.get(url).status_code == 404
    assert client.post(reverse("programmes:goal_delete", args=[personas.programme.pk, elsewhere.pk])).status_code == 404
    assert BusinessGoal.objects.filter(pk=elsewhere.pk).exists()


# --- readiness --------------------------------------------------------------------------------------------


def _readiness_post(
    assessment: ReadinessAssessment, rows: list[dict[str, object]], **decision: str
) -> dict[str, object]:
    data: dict[str, object] = {
        "items-TOTAL_FORMS": len(rows),
        "items-INITIAL_FORMS": sum(1 for row in rows if row.get("id")),
        "decision": decision.get("decision", ""),
        "conditions": decision.get("conditions", ""),
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"items-{i}-{key}"] = value
    return data


def _rows(assessment: ReadinessAssessment, score: object = 4) -> list[dict[str, object]]:
    return [{"id": i.pk, "name": i.name, "score": score, "evidence": ""} for i in assessment.items.all()]


def test_readiness_lines_can_be_renamed_added_and_removed_in_one_save(client: Client) -> None:
    coordinator = UserFactory()
    programme = new_programme(coordinator)
    assessment = programme.readiness
    rows = _rows(assessment)
    rows[0]["name"] = "Executive sponsor named"
    rows[1]["DELETE"] = "on"
    rows.append({"name": "HR business partner support", "score": 2, "evidence": "Two of five HRBPs agreed"})
    client.force_login(coordinator)
    client.post(reverse("programmes:readiness", args=[programme.pk]), _readiness_post(assessment, rows))
    names = list(assessment.items.values_list("name", flat=True))
    assert names[0] == "Executive sponsor named"
    assert "Time released for mentoring" not in names
    assert names[-1] == "HR business partner support"
    assert len(names) == 7


def test_a_decision_needs_every_factor_scored(client: Client) -> None:
    coordinator = UserFactory()
    programme = new_programme(coordinator)
    rows = _rows(programme.readiness, score="")
    client.force_login(coordinator)
    response = client.post(
        reverse("programmes:readiness", args=[programme.pk]), _readiness_post(programme.readiness, rows, decision="go")
    )
    assert "Score every factor before deciding" in response.content.decode()
    programme.readiness.refresh_from_db()
    assert programme.readiness.decision == ""


def test_go_with_conditions_needs_the_conditions(client: Client) -> None:
    coordinator = UserFactory()
    programme = new_programme(coordinator)
    rows = _rows(programme.readiness)
    client.force_login(coordinator)
    url = reverse("programmes:readiness", args=[programme.pk])
    response = client.post(url, _readiness_post(programme.readiness, rows, decision="go_with_conditions"))
    assert "List the conditions" in response.content.decode()
    client.post(
        url,
        _readiness_post(
            programme.readiness, rows, decision="go_with_conditions", conditions="Budget signed\nSponsor named"
        ),
    )
    programme.readiness.refresh_from_db()
    assert programme.readiness.condition_list == ["Budget signed", "Sponsor named"]
    assert programme.readiness.decided_by == coordinator


def test_a_changed_readiness_decision_is_audited(client: Client) -> None:
    coordinator = UserFactory()
    programme = new_programme(coordinator)
    rows = _rows(programme.readiness)
    client.force_login(coordinator)
    url = reverse("programmes:readiness", args=[programme.pk])
    client.post(url, _readiness_post(programme.readiness, rows, decision="not_ready"))
    client.post(url, _readiness_post(programme.readiness, rows, decision="go"))
    client.post(url, _readiness_post(programme.readiness, rows, decision="go"))  # unchanged: no event
    ct = ContentType.objects.get_for_model(ReadinessAssessment)
    moves = list(AuditEvent.objects.filter(content_type=ct).values_list("from_state", "to_state", "actor"))
    assert moves == [("", "not_ready", coordinator.pk), ("not_ready", "go", coordinator.pk)]


def test_readiness_page_offers_the_standard_factors_to_a_programme_without_an_assessment(
    client: Client, personas: Personas
) -> None:
    client.force_login(personas.coordinator)
    response = client.get(reverse("programmes:readiness", args=[personas.programme.pk]))
    names = [f.initial.get("name") for f in response.context["formset"].forms]
    assert names[:2] == ["Executive sponsorship", "Time released for mentoring"]
    assert not ReadinessAssessment.objects.filter(programme=personas.programme).exists()  # a GET writes nothing


# --- the programme page's query count ---------------------------------------------------------------------


def _grow(programme: Programme, size: int) -> None:
    """More goals with metrics and baselines, staff, audit events and targets: none may add queries."""
    for i in range(size):
        goal = add_goal(programme, f"Goal {i}", owner=UserFactory())
        BaselineFactory(metric=MetricFactory(goal=goal))
        ProgrammeRole.objects.create(programme=programme, user=UserFactory(), role="hr_analyst")
        audit_event_record(actor=UserFactory(), obj=programme, from_state="x", to_state="y", reason=str(i))
        programme.target_competencies.add(CompetencyFactory())


@pytest.mark.parametrize("size", [1, 15])
def test_programme_page_queries_do_not_grow_with_goals_metrics_people_or_history(
    client: Client, django_assert_max_num_queries: object, size: int
) -> None:
    coordinator = UserFactory()
    programme = new_programme(coordinator)
    _grow(programme, size)
    client.force_login(coordinator)
    client.get(programme.get_absolute_url())  # warm the content-type cache
    with django_assert_max_num_queries(18):  # type: ignore[operator]
        response = client.get(programme.get_absolute_url())
    assert len(response.context["goals"]) == size
    assert len(response.context["stepper"].events) == size + 1


# --- refused requests change nothing ---------------------------------------------------------------------

_POST_CASES = [case for case in DESIGN_CASES if case.method == "post"]


@pytest.mark.parametrize("case", _POST_CASES, ids=lambda case: case.id)
def test_refused_posts_have_no_effect(client: Client, personas: Personas, case: Case) -> None:
    """The matrix checks the effect after allowed requests; here the same checks run after refused ones."""
    refused = [persona for persona, status in case.expect.items() if status in (403, 404)]
    assert refused, "every POST case refuses someone"
    for persona in refused:
        if case.setup:
            case.setup(personas)
        client.force_login(personas.all()[persona])
        response = client.post(case.url(personas), case.data(personas) if case.data else {})
        assert response.status_code == case.expect[persona]
        assert case.check is not None
        case.check(response, personas, persona)


def test_a_read_only_reader_sees_the_readiness_and_comparison_rule_without_a_form_to_send(
    client: Client, personas: Personas
) -> None:
    client.force_login(personas.hr_analyst)
    readiness = client.get(reverse("programmes:readiness", args=[personas.programme.pk])).content.decode()
    assert "<fieldset disabled>" in readiness
    assert '<form method="post">' not in readiness
    comparison = client.get(reverse("evaluation:comparison", args=[personas.programme.pk])).content.decode()
    assert reverse("evaluation:comparison_freeze", args=[personas.programme.pk]) not in comparison
    client.force_login(personas.coordinator)
    readiness = client.get(reverse("programmes:readiness", args=[personas.programme.pk])).content.decode()
    assert '<form method="post">' in readiness
