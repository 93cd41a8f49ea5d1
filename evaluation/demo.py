"""The evaluation part of the demo: a finished pilot with outcomes, and the planning programme's baselines.

First the finished programme "Sales mentoring pilot 2025" (evaluation.demo_pilot): mentored salespeople,
a comparison group, baselines and end-of-programme values, questionnaire answers, costs and the outcome
results computed at seed time, so the report shows a real difference in differences with its interval.

seed_demo calls `build` after people.demo and programmes.demo, inside their transaction. It dresses the
programme "Sales leadership accelerator 2026" (built by programmes.demo; without it this does nothing):
three metrics for its business goals, a comparison group drawn like its participants, and baselines for
everyone, loaded through the same baseline import a coordinator would use. The same seed gives the same
values. The values are plausible for an Indonesian distributor's sales force: a sales cycle of about 45
days, quarterly revenue per rep of about IDR 850 million, and 12-month retention of about 82 %.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol

from django.utils import timezone

from people.models import User
from programmes.models import BusinessGoal, Programme

from .demo_pilot import NAME as PILOT_NAME
from .demo_pilot import DemoPilot, build_pilot
from .models import OutcomeMetric
from .selectors import comparison_rule_suggestion, group_index_for_programme
from .services import (
    ComparisonRule,
    EvaluationError,
    ImportResult,
    baseline_import,
    baselines_locked,
    comparison_group_freeze,
)

PROGRAMME_NAME = "Sales leadership accelerator 2026"
COMPARISON_SIZE = 60


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...


@dataclass(frozen=True)
class MetricSpec:
    """A demo metric and how its baseline values are drawn."""

    name: str
    unit: str
    direction: str
    kind: str
    data_source: str
    value_per_unit: Decimal | None
    target_change: Decimal
    target_basis: str


METRICS = (
    MetricSpec("Sales cycle length", "days", "lower", "continuous", "CRM: days from first visit to signed order",
               Decimal("2500000"), Decimal("-10"), "absolute"),
    MetricSpec("Quarterly revenue per rep", "IDR", "higher", "continuous", "ERP: invoiced revenue per quarter",
               Decimal("1"), Decimal("15"), "percent"),
    MetricSpec("12-month retention", "share", "higher", "rate", "HRIS: still employed 12 months later",
               Decimal("150000000"), Decimal("0.05"), "absolute"),
)  # fmt: skip


@dataclass(frozen=True)
class DemoEvaluation:
    """What the evaluation demo built: the planning programme's set-up, and the finished pilot."""

    programme: Programme | None
    metrics: list[OutcomeMetric]
    comparison_members: int
    baselines: ImportResult | None
    pilot: DemoPilot | None = None


def _draw(spec: MetricSpec, rng: random.Random) -> str:
    """One person's baseline value of a demo metric, as the HRIS file would write it."""
    if spec.name == "Sales cycle length":
        return f"{max(12.0, round(rng.gauss(45, 8) * 2) / 2):g}"
    if spec.name == "Quarterly revenue per rep":
        return str(max(150_000_000, round(rng.gauss(850e6, 150e6), -5)))
    return "1" if rng.random() < 0.82 else "0"


def _last_quarter_end(today: date) -> date:
    """The last day of the quarter before the one `today` is in."""
    first_of_quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return first_of_quarter - timedelta(days=1)


def _metrics(programme: Programme, actor: User) -> list[OutcomeMetric]:
    goals = list(BusinessGoal.objects.filter(programme=programme).order_by("priority", "pk"))
    if not goals:
        goals = [
            BusinessGoal.objects.create(
                programme=programme, statement="Grow revenue by shortening the sales cycle", priority=1
            )
        ]
    metrics = []
    for i, spec in enumerate(METRICS):
        goal = goals[min(i // 2, len(goals) - 1)]  # cycle and revenue to the first goal, retention to the next
        metric, _created = OutcomeMetric.objects.update_or_create(
            programme=programme,
            name=spec.name,
            defaults={
                "goal": goal,
                "unit": spec.unit,
                "level": OutcomeMetric.Level.RESULTS,
                "direction": spec.direction,
                "kind": spec.kind,
                "data_source": spec.data_source,
                "value_per_unit": spec.value_per_unit,
                "target_change": spec.target_change,
                "target_basis": spec.target_basis,
                "created_by": actor,
            },
        )
        metrics.append(metric)
    return metrics


def _baseline_file(programme: Programme, metrics: list[OutcomeMetric], seed: int) -> bytes:
    groups = group_index_for_programme(programme=programme)
    people = User.objects.filter(pk__in=groups.participants | groups.comparison).order_by("pk")
    period_end = _last_quarter_end(timezone.localdate()).isoformat()
    rng = random.Random(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["email", "metric", "value", "period_end"])
    specs = {spec.name: spec for spec in METRICS}
    for person in people.only("pk", "email"):
        for metric in metrics:
            writer.writerow([person.email, metric.name, _draw(specs[metric.name], rng), period_end])
    return buffer.getvalue().encode()


def build(
    *, people: Any, programmes: object | None = None, seed: int = 2026, stdout: Writer | None = None
) -> DemoEvaluation | None:
    """Build the finished sales pilot with its outcomes, then add metrics, a frozen comparison group and
    baselines to the demo sales programme in planning (if it exists)."""
    say = stdout.write if stdout is not None else (lambda text: None)
    pilot = None
    if not Programme.objects.filter(name=PILOT_NAME).exists():
        pilot = build_pilot(coordinator=people.coordinator, hr=people.hr, seed=seed)
    if pilot is not None:
        say(
            f"{PILOT_NAME}: {pilot.mentees} mentored salespeople, a comparison group of {pilot.comparison}, "
            f"{pilot.results} outcome results.\n"
        )
    programme = Programme.objects.filter(name=PROGRAMME_NAME).first()
    if programme is None or baselines_locked(programme):
        say(f"evaluation demo: no open programme named {PROGRAMME_NAME!r}; nothing to add.\n")
        return DemoEvaluation(None, [], 0, None, pilot) if pilot is not None else None
    actor: User = people.coordinator
    metrics = _metrics(programme, actor)
    like = comparison_rule_suggestion(programme=programme)  # the participants' units and grades
    rule = ComparisonRule(
        org_units=like["org_units"],
        grade_min=like["grade_min"],
        grade_max=like["grade_max"],
        max_size=COMPARISON_SIZE,
        random_seed=seed,
    )
    members = 0
    try:
        members = comparison_group_freeze(actor=actor, programme=programme, rule=rule, refreeze=True).members
    except EvaluationError as exc:
        say(f"evaluation demo: no comparison group ({exc.message}).\n")
    result = baseline_import(actor=actor, programme=programme, data=_baseline_file(programme, metrics, seed))
    say(
        f"{PROGRAMME_NAME}: {len(metrics)} outcome metrics, a comparison group of {members}, "
        f"{result.created + result.updated} baselines.\n"
    )
    return DemoEvaluation(programme, metrics, members, result, pilot)
