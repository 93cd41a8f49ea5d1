"""Queries that feed the evaluation plan, the cycle values page, the questionnaires and the outcome cards.

Each runs a fixed number of queries however many cycles, people, answers or values there are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from people.models import User
from programmes.models import Programme

from . import stats
from .models import EvaluationCycle, Instrument, InstrumentResponse, Observation, OutcomeMetric, OutcomeResult
from .selectors import EMPTY, Cell


def cycle_list_for_programme(*, programme: Programme) -> QuerySet[EvaluationCycle]:
    """The programme's plan with each cycle's instruments and answer, value and result counts (two queries)."""
    return (
        EvaluationCycle.objects.filter(programme=programme)
        .annotate(
            invited=Count("responses", distinct=True),
            answered=Count("responses", filter=Q(responses__answered_at__isnull=False), distinct=True),
            values=Count("observations", distinct=True),
            stale_results=Count(
                "results", filter=Q(results__superseded_at__isnull=True, results__stale=True), distinct=True
            ),
        )
        .prefetch_related("instruments")
        .order_by("opens_on", "pk")
    )


def instrument_list_for_programme(*, programme: Programme) -> QuerySet[Instrument]:
    """The programme's instruments with their items (two queries)."""
    return Instrument.objects.filter(programme=programme).prefetch_related("items").order_by("level", "name")


@dataclass(frozen=True)
class CycleValueSummary:
    """One metric's values in one cycle, per group; cells under 5 people carry no figures."""

    metric: OutcomeMetric
    participant: Cell
    comparison: Cell


def cycle_value_summary(*, cycle: EvaluationCycle) -> list[CycleValueSummary]:
    """n, mean and sd of each metric's values in the cycle, per group (two queries)."""
    values: dict[tuple[int, str], list[float]] = defaultdict(list)
    for metric_id, group, value in Observation.objects.filter(cycle=cycle).values_list("metric_id", "group", "value"):
        values[(metric_id, group)].append(value)

    def cell(key: tuple[int, str]) -> Cell:
        found = values.get(key)
        if not found:
            return EMPTY
        if stats.is_suppressed(len(found)):
            return Cell(n=len(found), mean=None, sd=None)
        summary = stats.describe(found)
        return Cell(n=summary.n, mean=summary.mean, sd=summary.sd)

    metrics = OutcomeMetric.objects.filter(programme_id=cycle.programme_id).select_related("goal")
    return [
        CycleValueSummary(metric, cell((metric.pk, "participant")), cell((metric.pk, "comparison")))
        for metric in metrics.order_by("goal__priority", "goal_id", "level", "name")
    ]


def responses_for_respondent(*, user: User, cycle_id: int) -> QuerySet[InstrumentResponse]:
    """The questionnaires `user` was asked to answer in a cycle, with whom each is about."""
    return (
        InstrumentResponse.objects.filter(cycle_id=cycle_id, respondent=user)
        .select_related("instrument", "subject", "cycle__programme")
        .order_by("instrument__level", "instrument__name", "subject__full_name")
    )


def open_cycles_for_respondent(*, user: User) -> QuerySet[EvaluationCycle]:
    """Open cycles in which `user` still has a questionnaire to answer."""
    return (
        EvaluationCycle.objects.filter(
            state=EvaluationCycle.State.OPEN,
            responses__respondent=user,
            responses__answered_at__isnull=True,
        )
        .select_related("programme")
        .distinct()
    )


def latest_results_for_programme(*, programme: Programme) -> list[OutcomeResult]:
    """Each metric's current result in its most recent computed cycle (two queries), for the cards."""
    results = (
        OutcomeResult.objects.filter(programme=programme, superseded_at__isnull=True)
        .select_related("metric__goal", "cycle")
        .order_by("metric_id", "-cycle__opens_on", "-pk")
    )
    latest: dict[int, OutcomeResult] = {}
    for result in results:
        latest.setdefault(result.metric_id, result)
    return sorted(latest.values(), key=lambda r: (r.metric.level, r.metric.name))
