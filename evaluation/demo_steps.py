"""The evaluation steps of the demo stories, through the pages' services (metrics, comparison group,
baselines, cycles, questionnaires, end values, costs, results). Each runs at the demo clock's moment.

Values follow the metric specs below: plausible for an Indonesian distributor's sales force (a sales
cycle of about 45 days, quarterly revenue per rep of about IDR 850 million, 12-month retention of about
82 %); the mentored improve more than the comparison group, so a report shows a real difference in
differences with its interval and an ROI.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from people.models import OrgUnit, User
from programmes.models import BusinessGoal, Programme

from .models import EvaluationCycle, InstrumentResponse, OutcomeMetric
from .selectors import group_index_for_programme
from .services import ComparisonRule, EvaluationError, baseline_import, comparison_group_freeze, metric_create
from .services.costs import cost_item_add
from .services.cycles import cycle_mark_reported, cycles_close_due, cycles_open_due, evaluation_plan_generate
from .services.instruments import expected_keys, response_submit
from .services.observations import cycle_observation_import
from .services.results import outcome_results_compute

Say = Callable[[str], object]


@dataclass(frozen=True)
class MetricSpec:
    """A demo metric, and how a person's value is drawn before and after (mentored or not)."""

    name: str
    unit: str
    direction: str
    kind: str
    data_source: str
    value_per_unit: Decimal
    target_change: Decimal
    target_basis: str
    goal: int  # index of the programme's business goal


METRICS = (
    MetricSpec(
        "Sales cycle length",
        "days",
        "lower",
        "continuous",
        "CRM: days from first visit to signed order",
        Decimal("2500000"),
        Decimal("-10"),
        "absolute",
        0,
    ),
    # Each extra IDR million a quarter is worth its 10 % margin over four quarters.
    MetricSpec(
        "Quarterly revenue per rep",
        "IDR million",
        "higher",
        "continuous",
        "ERP: invoiced revenue per quarter",
        Decimal("400000"),
        Decimal("15"),
        "percent",
        0,
    ),
    MetricSpec(
        "12-month retention",
        "share",
        "higher",
        "rate",
        "HRIS: still employed 12 months later",
        Decimal("150000000"),
        Decimal("0.05"),
        "absolute",
        1,
    ),
)


def metrics(programme: Programme, actor: User) -> list[OutcomeMetric]:
    """The coordinator defines the three outcome metrics on the metrics page (needs assessment)."""
    goals = list(BusinessGoal.objects.filter(programme=programme).order_by("priority", "pk"))
    made = []
    for spec in METRICS:
        fields = {
            "goal": goals[min(spec.goal, len(goals) - 1)],
            "name": spec.name,
            "unit": spec.unit,
            "level": OutcomeMetric.Level.RESULTS,
            "direction": spec.direction,
            "kind": spec.kind,
            "data_source": spec.data_source,
            "value_per_unit": spec.value_per_unit,
            "target_change": spec.target_change,
            "target_basis": spec.target_basis,
        }
        made.append(metric_create(actor=actor, programme=programme, fields=fields))
    return made


class Values:
    """Each person's baseline and later value per metric, drawn once from a seed (the same seed, the same values)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.before: dict[tuple[int, str], float] = {}

    def baseline(self, person: User, metric: str) -> float:
        key = (person.pk, metric)
        if key not in self.before:
            rng = self.rng
            if metric == "Sales cycle length":
                self.before[key] = max(15.0, round(rng.gauss(46, 8), 1))
            elif metric == "Quarterly revenue per rep":
                self.before[key] = max(200.0, round(rng.gauss(850, 150), 1))
            else:
                self.before[key] = 1.0
        return self.before[key]

    def after(self, person: User, metric: str, *, mentored: bool) -> float:
        rng, start = self.rng, self.baseline(person, metric)
        if metric == "Sales cycle length":
            return max(10.0, round(start - rng.gauss(12 if mentored else 3, 5), 1))
        if metric == "Quarterly revenue per rep":
            return round(start * (1 + rng.gauss(0.12 if mentored else 0.03, 0.08)), 1)
        return float(rng.random() < (0.93 if mentored else 0.80))


def _csv(rows: Iterable[tuple[str, str, str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["email", "metric", "value", "period_end"])
    writer.writerows(rows)
    return buffer.getvalue().encode()


def record_baselines(
    programme: Programme, actor: User, people: Iterable[User], values: Values, period_end: date, say: Say
) -> int:
    """The coordinator imports a baseline file for `people` on the baselines page; how many values it kept.

    A refusal (baselines closed for someone, or for the programme) is told, not hidden: the story goes on.
    A baseline is a value already measured, so its period ends no later than yesterday on the demo clock.
    """
    period_end = min(period_end, timezone.localdate() - timedelta(days=1))
    rows = [
        (p.email, m.name, f"{values.baseline(p, m.name):g}", period_end.isoformat())
        for p in people
        for m in OutcomeMetric.objects.filter(programme=programme).order_by("pk")
    ]
    if not rows:
        return 0
    try:
        result = baseline_import(actor=actor, programme=programme, data=_csv(rows))
    except EvaluationError as exc:
        first = getattr(exc, "errors", [""])[:1]
        say(f"  baselines refused for {programme.name}: {exc.message} {first}\n")
        return 0
    return int(result.created + result.updated)


def freeze_comparison(programme: Programme, actor: User, seed: int, max_size: int, say: Say) -> list[User]:
    """Draw the comparison group from Sales staff who are not enrolled (grades up to 8), and freeze it."""
    rule = ComparisonRule(
        org_units=list(OrgUnit.objects.filter(code="SAL")), grade_max=8, max_size=max_size, random_seed=seed
    )
    try:
        freeze = comparison_group_freeze(actor=actor, programme=programme, rule=rule)
    except EvaluationError as exc:
        say(f"  no comparison group for {programme.name}: {exc.message}\n")
        return []
    # Members who have applied since (a declined applicant, say) are left out of the comparison by its rule.
    members = User.objects.filter(pk__in=freeze.group.members.values("person_id"))
    return list(members.exclude(enrolments__programme=programme).order_by("pk"))


def plan(programme: Programme, actor: User, starts_on: date) -> dict[str, EvaluationCycle]:
    """The default evaluation plan (baseline, midpoint, end, follow-ups) from the programme's start."""
    evaluation_plan_generate(actor=actor, programme=programme, starts_on=starts_on)
    return {c.kind: c for c in EvaluationCycle.objects.filter(programme=programme)}


def tick(today: date) -> None:
    """What beat does every 30 minutes: open the cycles whose day has come, close those whose window ended."""
    cycles_open_due(today=today)
    cycles_close_due(today=today)


def answer_questionnaires(cycle: EvaluationCycle, rng: random.Random, mean: float, share: float = 0.85) -> int:
    """Most people asked in an open cycle answer its questionnaires on the questionnaire page."""
    answered = 0
    for response in InstrumentResponse.objects.filter(cycle=cycle, answered_at__isnull=True).select_related(
        "respondent", "instrument", "cycle__programme"
    ):
        if rng.random() > share:
            continue
        points = {key: min(5, max(1, round(rng.gauss(mean, 0.8)))) for key in expected_keys(response)}
        try:
            response_submit(actor=response.respondent, response=response, answers=points)
            answered += 1
        except EvaluationError:
            continue
    return answered


def end_values(
    cycle: EvaluationCycle,
    actor: User,
    values: Values,
    mentored: set[int],
    people: Iterable[User],
    period_end: date,
    say: Say,
) -> int:
    """The coordinator imports the end-of-programme values from CRM, ERP and HRIS into the open end cycle."""
    rows = [
        (p.email, spec.name, f"{values.after(p, spec.name, mentored=p.pk in mentored):g}", period_end.isoformat())
        for p in people
        for spec in METRICS
    ]
    try:
        result = cycle_observation_import(actor=actor, cycle=cycle, data=_csv(rows))
    except EvaluationError as exc:
        first = [str(e) for e in getattr(exc, "errors", [])[:3]]
        say(f"  end values refused for {cycle.programme.name}: {exc.message} {first}\n")
        return 0
    return int(result.created + result.updated)


COSTS = (
    ("participant_time", "Mentors' and mentees' hours", "310000000"),
    ("coordination", "Coordinator, 30 % for 10 months", "120000000"),
    ("events", "Kick-off and closing events", "45000000"),
)


def costs(programme: Programme, actor: User) -> None:
    for category, text, amount in COSTS:
        cost_item_add(actor=actor, programme=programme, category=category, description=text, amount=Decimal(amount))


def results(programme: Programme, actor: User, report: Iterable[str]) -> int:
    """The worker computes the results; the coordinator reports the analysed cycles of `report` kinds."""
    written = outcome_results_compute(programme=programme)
    for cycle in EvaluationCycle.objects.filter(
        programme=programme, kind__in=list(report), state=EvaluationCycle.State.ANALYSED
    ):
        cycle_mark_reported(actor=actor, cycle=cycle, reason="Presented to the Sales leadership team.")
    return written


def accepted_mentees(programme: Programme) -> list[User]:
    """The mentees whose application was accepted (the people a participant baseline is for)."""
    states = ("accepted", "oriented", "available", "matched")
    return list(
        User.objects.filter(
            enrolments__programme=programme, enrolments__role="mentee", enrolments__state__in=states
        ).order_by("pk")
    )


def participants(programme: Programme) -> list[User]:
    index = group_index_for_programme(programme=programme)
    return list(User.objects.filter(pk__in=index.participants).order_by("pk"))
