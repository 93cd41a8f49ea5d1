"""The comparison group: chosen by a stored rule, frozen with its members, refrozen only on purpose."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import Personas
from evaluation.models import ComparisonGroup, ComparisonMember, EvaluationCycle, Observation
from evaluation.services import ComparisonRule, EvaluationError, baseline_record, comparison_group_freeze
from evaluation.tests.conftest import Evaluated
from evaluation.tests.factories import GoalFactory, MetricFactory
from people.models import OrgUnit, User
from people.tests.factories import OrgUnitFactory, UserFactory
from programmes.models import AuditEvent, Programme, ProgrammeRole
from programmes.tests.factories import ProgrammeRoleFactory

EAST = (
    "east4@example.co.id",
    "east5@example.co.id",
    "east6@example.co.id",
    "east4b@example.co.id",
    "east5b@example.co.id",
)


def _members(programme: Programme) -> set[str]:
    return set(ComparisonMember.objects.filter(group__programme=programme).values_list("person__email", flat=True))


@pytest.fixture
def org(personas: Personas) -> dict[str, Any]:
    """Sales with a sub-unit (Sales East), and Finance; people of several grades in each."""
    sales = OrgUnit.objects.get(code="SALES")
    east = OrgUnitFactory(code="SALES-E", name="Sales East", parent=sales)
    finance = OrgUnitFactory(code="FIN", name="Finance")
    people = {
        "sales4": UserFactory(email="sales4@example.co.id", org_unit=sales, grade=4),
        "sales5": UserFactory(email="sales5@example.co.id", org_unit=sales, grade=5),
        "sales9": UserFactory(email="sales9@example.co.id", org_unit=sales, grade=9),
        "east4": UserFactory(email="east4@example.co.id", org_unit=east, grade=4),
        "east5": UserFactory(email="east5@example.co.id", org_unit=east, grade=5),
        "east6": UserFactory(email="east6@example.co.id", org_unit=east, grade=6),
        "east4b": UserFactory(email="east4b@example.co.id", org_unit=east, grade=4),
        "east5b": UserFactory(email="east5b@example.co.id", org_unit=east, grade=5),
        "fin4": UserFactory(email="fin4@example.co.id", org_unit=finance, grade=4),
        "left": UserFactory(email="left@example.co.id", org_unit=sales, grade=4, left_date=datetime.date(2020, 1, 1)),
        "inactive": UserFactory(email="inactive@example.co.id", org_unit=east, grade=5, is_active=False),
        "hr": UserFactory(email="programme-hr@example.co.id", org_unit=sales, grade=5),
    }
    ProgrammeRoleFactory(programme=personas.programme, user=people["hr"], role=ProgrammeRole.Role.HR_ANALYST)
    return {"sales": sales, "east": east, "finance": finance, **people}


def test_freezing_snapshots_everyone_the_rule_matches_and_no_one_else(personas: Personas, org: dict[str, Any]) -> None:
    rule = ComparisonRule(org_units=[org["sales"]], grade_min=3, grade_max=6)
    result = comparison_group_freeze(actor=personas.coordinator, programme=personas.programme, rule=rule)
    assert _members(personas.programme) == {"sales4@example.co.id", "sales5@example.co.id", *EAST}, (
        "sub-units in; grade 9, Finance, leavers, inactive, enrolled people and programme staff out"
    )
    group = result.group
    assert group.is_frozen
    assert (group.grade_min, group.grade_max, group.matched_count) == (3, 6, 7)
    assert list(group.org_units.all()) == [org["sales"]], "the rule is stored as data"


def test_without_sub_units_only_the_named_units_count(personas: Personas, org: dict[str, Any]) -> None:
    rule = ComparisonRule(org_units=[org["east"], org["finance"]], include_sub_units=False)
    comparison_group_freeze(actor=personas.coordinator, programme=personas.programme, rule=rule)
    assert _members(personas.programme) == {*EAST, "fin4@example.co.id"}


def test_enrolled_people_are_left_out_unless_the_rule_says_otherwise(personas: Personas, org: dict[str, Any]) -> None:
    rule = ComparisonRule(org_units=[org["sales"]], grade_max=5, exclude_enrolled=False)
    comparison_group_freeze(actor=personas.coordinator, programme=personas.programme, rule=rule)
    assert "mentee@example.co.id" in _members(personas.programme)
    assert "coordinator@example.co.id" not in _members(personas.programme), "programme staff never"


def test_a_largest_size_draws_the_same_people_for_the_same_seed(personas: Personas, org: dict[str, Any]) -> None:
    def draw(seed: int) -> set[str]:
        group = ComparisonGroup.objects.filter(programme=personas.programme).first()
        rule = ComparisonRule(org_units=[org["sales"]], max_size=5, random_seed=seed)
        comparison_group_freeze(
            actor=personas.coordinator, programme=personas.programme, rule=rule, refreeze=group is not None
        )
        return _members(personas.programme)

    first = draw(11)
    assert len(first) == 5
    assert draw(11) == first
    assert {frozenset(draw(seed)) for seed in range(12, 20)} != {frozenset(first)}, "other seeds draw others"
    assert ComparisonGroup.objects.get().matched_count == 8


def test_members_stay_frozen_when_the_organisation_changes(personas: Personas, org: dict[str, Any]) -> None:
    rule = ComparisonRule(org_units=[org["east"]])
    comparison_group_freeze(actor=personas.coordinator, programme=personas.programme, rule=rule)
    before = _members(personas.programme)
    UserFactory(email="newcomer@example.co.id", org_unit=org["east"], grade=5)
    assert _members(personas.programme) == before


def test_refreezing_needs_a_confirmation_and_drops_the_old_members_baselines(
    personas: Personas, org: dict[str, Any]
) -> None:
    coordinator, programme = personas.coordinator, personas.programme
    comparison_group_freeze(actor=coordinator, programme=programme, rule=ComparisonRule(org_units=[org["sales"]]))
    metric = MetricFactory(goal=GoalFactory(programme=programme))
    for key in ("sales4", "east5"):
        baseline_record(
            actor=coordinator, metric=metric, person=org[key], value=3, period_end=datetime.date(2026, 3, 31)
        )
    narrower = ComparisonRule(org_units=[org["east"]])
    with pytest.raises(EvaluationError, match="already frozen"):
        comparison_group_freeze(actor=coordinator, programme=programme, rule=narrower)
    assert "sales4@example.co.id" in _members(programme)

    UserFactory(email="east7@example.co.id", org_unit=org["east"], grade=7)
    result = comparison_group_freeze(actor=coordinator, programme=programme, rule=narrower, refreeze=True)
    assert _members(programme) == {*EAST, "east7@example.co.id"}
    assert result.removed_baselines == 1
    assert list(Observation.objects.values_list("person__email", flat=True)) == ["east5@example.co.id"]
    events = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(ComparisonGroup), object_id=result.group.pk
    ).order_by("at", "pk")
    assert [(e.from_state, e.to_state) for e in events] == [("draft", "frozen"), ("frozen", "frozen")]
    assert events.last().programme == programme  # type: ignore[union-attr]
    assert "6 of 6 matching people" in events.last().reason  # type: ignore[union-attr]


@pytest.mark.parametrize(("unit", "message"), [("finance", "Only 1 people match"), ("nowhere", "No one matches")])
def test_a_group_too_small_to_report_is_refused(
    personas: Personas, org: dict[str, Any], unit: str, message: str
) -> None:
    target = org[unit] if unit in org else OrgUnitFactory(code="EMPTY", name="Empty")
    with pytest.raises(EvaluationError, match=message):
        comparison_group_freeze(
            actor=personas.coordinator, programme=personas.programme, rule=ComparisonRule(org_units=[target])
        )
    assert not ComparisonMember.objects.exists()
    assert not ComparisonGroup.objects.filter(frozen_at__isnull=False).exists()


def test_the_group_is_drawn_after_screening_and_fixed_once_an_outcome_cycle_opens(
    client: Client, personas: Personas, org: dict[str, Any]
) -> None:
    """Freezing and refreezing work in implementation (after screening) until values to compare arrive."""
    Programme.objects.filter(pk=personas.programme.pk).update(phase="implementation")
    personas.programme.refresh_from_db()
    comparison_group_freeze(
        actor=personas.coordinator, programme=personas.programme, rule=ComparisonRule(org_units=[org["sales"]])
    )
    comparison_group_freeze(
        actor=personas.coordinator,
        programme=personas.programme,
        rule=ComparisonRule(org_units=[org["sales"]], random_seed=2),
        refreeze=True,
    )
    assert len(_members(personas.programme)) == 8
    client.force_login(personas.coordinator)
    url = reverse("evaluation:comparison", args=[personas.programme.pk])
    assert 'data-testid="comparison-freeze"' in client.get(url).content.decode(), "refreezable in implementation"
    EvaluationCycle.objects.create(
        programme=personas.programme,
        kind=EvaluationCycle.Kind.MIDPOINT,
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate(),
        state=EvaluationCycle.State.OPEN,
        opened_at=timezone.now(),
    )
    with pytest.raises(EvaluationError, match="can no longer be refrozen"):
        comparison_group_freeze(
            actor=personas.coordinator,
            programme=personas.programme,
            rule=ComparisonRule(org_units=[org["east"]]),
            refreeze=True,
        )
    assert len(_members(personas.programme)) == 8
    client.force_login(personas.coordinator)
    page = client.get(reverse("evaluation:comparison", args=[personas.programme.pk])).content.decode()
    assert 'data-testid="comparison-freeze"' not in page
    assert "<fieldset disabled>" in page


@pytest.mark.parametrize("phase", ["evaluation", "closed", "cancelled"])
def test_the_group_cannot_be_drawn_once_the_programme_leaves_implementation(
    personas: Personas, org: dict[str, Any], phase: str
) -> None:
    Programme.objects.filter(pk=personas.programme.pk).update(phase=phase)
    personas.programme.refresh_from_db()
    with pytest.raises(EvaluationError, match="can no longer change"):
        comparison_group_freeze(
            actor=personas.coordinator, programme=personas.programme, rule=ComparisonRule(org_units=[org["sales"]])
        )


# --- the page -----------------------------------------------------------------------------------------


def _post(client: Client, programme: Programme, unit: OrgUnit, **extra: str) -> Any:
    data = {"org_units": [unit.pk], "include_sub_units": "on", "exclude_enrolled": "on", "random_seed": "5"}
    data.update(extra)
    return client.post(reverse("evaluation:comparison_freeze", args=[programme.pk]), data)


def test_the_page_suggests_a_rule_like_the_participants(
    client: Client, personas: Personas, org: dict[str, Any]
) -> None:
    client.force_login(personas.coordinator)
    response = client.get(reverse("evaluation:comparison", args=[personas.programme.pk]))
    form = response.context["form"]
    assert list(form.initial["org_units"]) == [org["sales"]]
    assert (form.initial["grade_min"], form.initial["grade_max"]) == (4, 8), "the mentee's and the mentor's grades"
    assert "refreeze" not in form.fields, "nothing to refreeze yet"


def test_preview_counts_without_freezing(client: Client, personas: Personas, org: dict[str, Any]) -> None:
    client.force_login(personas.coordinator)
    response = _post(client, personas.programme, org["east"], action="preview")
    assert response.status_code == 200
    assert "5 people match this rule today" in response.content.decode()
    assert not ComparisonGroup.objects.exists()


def test_freezing_from_the_page_and_refreezing_with_confirmation(
    client: Client, personas: Personas, org: dict[str, Any]
) -> None:
    client.force_login(personas.coordinator)
    response = _post(client, personas.programme, org["sales"], action="freeze")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Comparison group frozen: 8 of 8 matching people." in page
    assert "east6@example.co.id" not in page, "members are shown by name, not e-mail"
    assert User.objects.get(email="east6@example.co.id").full_name in page

    again = _post(client, personas.programme, org["east"], action="freeze")
    assert again.status_code == 200
    assert "confirm that you want to refreeze" in again.content.decode()
    assert len(_members(personas.programme)) == 8
    assert _post(client, personas.programme, org["east"], action="freeze", refreeze="on").status_code == 302
    assert _members(personas.programme) == set(EAST)


def test_a_grade_range_upside_down_is_refused_on_the_form(
    client: Client, personas: Personas, org: dict[str, Any]
) -> None:
    client.force_login(personas.coordinator)
    response = _post(client, personas.programme, org["sales"], grade_min="7", grade_max="3")
    assert "The highest grade cannot be below the lowest." in response.content.decode()
    assert not ComparisonGroup.objects.exists()


def test_comparison_members_get_baselines_like_participants(evaluated: Evaluated) -> None:
    e = evaluated
    observation, created = baseline_record(
        actor=e.p.coordinator, metric=e.cycle, person=e.sellers[4], value=51, period_end=datetime.date(2026, 3, 31)
    )
    assert created
    assert observation.group == Observation.Group.COMPARISON


def test_the_members_list_is_paged(client: Client, personas: Personas) -> None:
    unit = OrgUnitFactory(code="BIG", name="Big unit")
    for i in range(60):
        UserFactory(email=f"big{i}@example.co.id", org_unit=unit)
    comparison_group_freeze(
        actor=personas.coordinator, programme=personas.programme, rule=ComparisonRule(org_units=[unit])
    )
    client.force_login(personas.hr_analyst)
    first = client.get(reverse("evaluation:comparison", args=[personas.programme.pk]))
    assert len(first.context["members"]) == 50
    second = client.get(reverse("evaluation:comparison", args=[personas.programme.pk]) + "?page=2")
    assert len(second.context["members"]) == 10
