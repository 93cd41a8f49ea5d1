"""Outcome metrics: defining them per business goal, their rules, and the baseline guard of the lifecycle."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from conftest import Personas
from evaluation.models import OutcomeMetric
from evaluation.services import EvaluationError, baseline_record, metric_create, metric_update
from evaluation.tests.conftest import Evaluated
from evaluation.tests.factories import GoalFactory, MetricFactory
from programmes.core.errors import TransitionBlocked
from programmes.core.lifecycle import blockers_for, guards_for
from programmes.core.services.lifecycle import programme_advance
from programmes.models import Programme, ReadinessAssessment


def _form_data(goal_pk: int, **overrides: Any) -> dict[str, Any]:
    data = {
        "goal": goal_pk,
        "name": "Quarterly revenue per rep",
        "unit": "IDR",
        "level": 4,
        "direction": "higher",
        "kind": "continuous",
        "data_source": "CRM export",
        "value_per_unit": "1",
        "target_change": "15",
        "target_basis": "percent",
    }
    data.update(overrides)
    return data


def test_a_coordinator_defines_a_metric_for_a_business_goal(client: Client, personas: Personas) -> None:
    goal = GoalFactory(programme=personas.programme)
    client.force_login(personas.coordinator)
    response = client.post(reverse("evaluation:metric_create", args=[personas.programme.pk]), _form_data(goal.pk))
    assert response.status_code == 302
    metric = OutcomeMetric.objects.get()
    assert metric.programme == personas.programme, "the programme follows the goal"
    assert (metric.goal, metric.level, metric.direction) == (goal, 4, "higher")
    assert (metric.target_change, metric.target_basis) == (Decimal("15"), "percent")
    assert metric.created_by == personas.coordinator
    page = client.get(reverse("evaluation:metrics", args=[personas.programme.pk])).content.decode()
    assert "Quarterly revenue per rep" in page
    assert "15 %" in page


def test_a_goal_of_another_programme_cannot_be_chosen(client: Client, personas: Personas) -> None:
    GoalFactory(programme=personas.programme)
    foreign = GoalFactory(programme=personas.other_programme)
    client.force_login(personas.coordinator)
    response = client.post(reverse("evaluation:metric_create", args=[personas.programme.pk]), _form_data(foreign.pk))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not OutcomeMetric.objects.exists()


def test_the_model_refuses_a_goal_of_another_programme(personas: Personas) -> None:
    metric = OutcomeMetric(
        programme=personas.programme,
        goal=GoalFactory(programme=personas.other_programme),
        name="x",
        unit="days",
        direction="lower",
    )
    with pytest.raises(ValidationError) as caught:
        metric.full_clean()
    assert "goal" in caught.value.error_dict


def test_saving_a_metric_keeps_its_programme_in_step_with_its_goal(personas: Personas) -> None:
    metric = MetricFactory(goal=GoalFactory(programme=personas.programme))
    metric.goal = GoalFactory(programme=personas.other_programme)
    metric.save()
    metric.refresh_from_db()
    assert metric.programme == personas.other_programme


@pytest.mark.parametrize(
    ("direction", "target", "message"),
    [
        ("lower", "10", "must be negative"),
        ("higher", "-5", "must be positive"),
        ("higher", "0", "aims for nothing"),
    ],
)
def test_a_target_change_must_point_the_way_the_metric_improves(
    client: Client, personas: Personas, direction: str, target: str, message: str
) -> None:
    goal = GoalFactory(programme=personas.programme)
    client.force_login(personas.coordinator)
    data = _form_data(goal.pk, direction=direction, target_change=target, target_basis="absolute")
    response = client.post(reverse("evaluation:metric_create", args=[personas.programme.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not OutcomeMetric.objects.exists()


def test_metric_names_are_unique_in_a_programme_whatever_their_case(client: Client, personas: Personas) -> None:
    goal = GoalFactory(programme=personas.programme)
    MetricFactory(goal=goal, name="Sales cycle length")
    MetricFactory(goal=GoalFactory(programme=personas.other_programme), name="Quarterly revenue per rep")
    client.force_login(personas.coordinator)
    url = reverse("evaluation:metric_create", args=[personas.programme.pk])
    refused = client.post(url, _form_data(goal.pk, name="sales CYCLE length"))
    assert "already has a metric called" in refused.content.decode()
    assert client.post(url, _form_data(goal.pk)).status_code == 302, "the same name in another programme is fine"
    with pytest.raises(IntegrityError), transaction.atomic():
        MetricFactory(goal=goal, name="SALES CYCLE LENGTH")


def test_a_metric_name_cannot_start_a_spreadsheet_formula(personas: Personas) -> None:
    goal = GoalFactory(programme=personas.programme)
    with pytest.raises(ValidationError) as caught:
        metric_create(
            actor=personas.coordinator, programme=personas.programme, fields=_form_data_obj(goal, "=HYPERLINK(1)")
        )
    assert "name" in caught.value.error_dict


def _form_data_obj(goal: Any, name: str) -> dict[str, Any]:
    return {"goal": goal, "name": name, "unit": "days", "direction": "lower", "kind": "continuous"}


def test_a_metric_cannot_become_a_rate_when_its_values_do_not_fit(evaluated: Evaluated) -> None:
    e = evaluated
    baseline_record(
        actor=e.p.coordinator, metric=e.deals, person=e.p.mentee, value=7, period_end=datetime.date(2026, 3, 31)
    )
    with pytest.raises(EvaluationError, match="1 recorded values do not fit"):
        metric_update(actor=e.p.coordinator, metric=e.deals, fields={"kind": "rate"})
    e.deals.refresh_from_db()
    assert e.deals.kind == "count"


def test_editing_a_metric_changes_it(client: Client, evaluated: Evaluated) -> None:
    e = evaluated
    client.force_login(e.p.coordinator)
    url = reverse("evaluation:metric_edit", args=[e.programme.pk, e.cycle.pk])
    data = _form_data(e.goal.pk, name="Sales cycle length", unit="working days", direction="lower", target_change="-10")
    data["target_basis"] = "absolute"
    assert client.post(url, data).status_code == 302
    e.cycle.refresh_from_db()
    assert (e.cycle.unit, e.cycle.target_change) == ("working days", Decimal("-10"))


def test_a_metric_of_another_programme_is_not_found(client: Client, personas: Personas) -> None:
    foreign = MetricFactory(goal=GoalFactory(programme=personas.other_programme))
    client.force_login(personas.coordinator)
    url = reverse("evaluation:metric_edit", args=[personas.programme.pk, foreign.pk])
    assert client.get(url).status_code == 404


def test_metrics_are_fixed_once_the_programme_is_in_implementation(client: Client, evaluated: Evaluated) -> None:
    e = evaluated
    Programme.objects.filter(pk=e.programme.pk).update(phase="implementation")
    e.programme.refresh_from_db()
    client.force_login(e.p.coordinator)
    page = client.get(reverse("evaluation:metrics", args=[e.programme.pk])).content.decode()
    assert 'data-testid="metric-create"' not in page
    assert "/edit/" not in page
    response = client.post(reverse("evaluation:metric_create", args=[e.programme.pk]), _form_data(e.goal.pk))
    assert response.status_code == 302
    assert not OutcomeMetric.objects.filter(name="Quarterly revenue per rep").exists()
    with pytest.raises(EvaluationError, match="can no longer change"):
        metric_update(actor=e.p.coordinator, metric=e.cycle, fields={"unit": "weeks"})


def test_the_metrics_page_points_to_business_goals_when_there_are_none(client: Client, personas: Personas) -> None:
    client.force_login(personas.coordinator)
    page = client.get(reverse("evaluation:metrics", args=[personas.programme.pk])).content.decode()
    assert reverse("programmes:goals", args=[personas.programme.pk]) in page
    assert 'data-testid="metric-create"' not in page


# --- the lifecycle guard -------------------------------------------------------------------------


def _ready(programme: Programme) -> None:
    """Everything else the move out of needs assessment asks for: a go decision and a business goal."""
    ReadinessAssessment.objects.update_or_create(programme=programme, defaults={"decision": "go"})


def test_the_baseline_guard_is_registered_for_leaving_needs_assessment() -> None:
    assert "baselines" in guards_for(Programme.Phase.NEEDS_ASSESSMENT, Programme.Phase.PLANNING)
    assert "baselines" not in guards_for(Programme.Phase.PLANNING, Programme.Phase.DESIGN)


def test_the_guard_blocks_until_a_metric_is_defined_then_passes_without_baselines(personas: Personas) -> None:
    """Baselines come after screening (participants apply in implementation): a metric is enough here."""
    programme = personas.programme
    _ready(programme)
    goal = GoalFactory(programme=programme)

    mine = [b for b in blockers_for(programme, "planning") if b.guard == "baselines"]
    assert len(mine) == 1
    assert "Define at least one outcome metric" in str(mine[0].message)
    assert mine[0].fix_url == reverse("evaluation:metrics", args=[programme.pk])
    with pytest.raises(TransitionBlocked):
        programme_advance(actor=personas.coordinator, programme=programme)

    MetricFactory(goal=goal)
    assert not [b for b in blockers_for(programme, "planning") if b.guard == "baselines"]
    programme_advance(actor=personas.coordinator, programme=programme)
    programme.refresh_from_db()
    assert programme.phase == Programme.Phase.PLANNING


def test_the_guard_ignores_metrics_of_other_programmes(personas: Personas) -> None:
    MetricFactory(goal=GoalFactory(programme=personas.other_programme))
    assert [b for b in blockers_for(personas.programme, "planning") if b.guard == "baselines"]
