"""Computing outcome results: for every metric and cycle an immutable snapshot, recomputed when inputs change.

`outcome_results_compute(programme=…)` reads the programme's values in a fixed number of queries, pairs
each person's baseline with their value in each cycle (same person, same group), and for every metric
and cycle compares the inputs' fingerprint with the current snapshot's: equal, it only clears a stale
mark; different (or none yet), it supersedes the old snapshot and writes a new one. Two workers racing
on one programme write one current snapshot: the unique constraint on current results settles it.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from mentoring.tasks_base import MentoringTask
from programmes.core.figures_cache import programme_data_changed
from programmes.models import Programme

from .. import stats
from ..models import CostItem, EvaluationCycle, OutcomeMetric, OutcomeResult
from ..outcomes import MetricInputs, compute, fingerprint
from ..report_disclosure import FilterUniverse
from ..selectors_results import COMPUTED_STATES, CellPairs, collect_pairs, metric_inputs
from .cycle_states import cycle_mark_analysed

logger = logging.getLogger(__name__)
State = EvaluationCycle.State


def fingerprint_key() -> bytes:
    """The key of the inputs' fingerprint: derived from SECRET_KEY, so only this server can test a guess."""
    return salted_hmac("evaluation.outcomes.fingerprint", b"").digest()


def programme_costs(programme: Programme) -> list[float]:
    """The programme's fully loaded cost items, as floats for the ROI formula."""
    return [float(amount) for amount in CostItem.objects.filter(programme=programme).values_list("amount", flat=True)]


def _write_snapshot(
    metric: OutcomeMetric, cycle: EvaluationCycle, inputs: MetricInputs, digest: str, old: OutcomeResult | None
) -> bool:
    """Supersede `old` and write the new snapshot; False when another worker wrote this one first."""
    figures = compute(inputs)
    now = timezone.now()
    try:
        with transaction.atomic():
            if old is not None:
                OutcomeResult.objects.filter(pk=old.pk, superseded_at__isnull=True).update(superseded_at=now)
            OutcomeResult.objects.create(
                programme_id=metric.programme_id,
                metric=metric,
                cycle=cycle,
                computed_at=now,
                method_version=figures["method_version"],
                fingerprint=digest,
                figures=figures,
                suppressed=figures["suppressed"],
            )
    except IntegrityError:
        logger.info("outcome result %s/%s written by another worker", metric.pk, cycle.pk)
        return False
    return True


def outcome_results_compute(*, programme: Programme) -> int:
    """Bring every result of the programme up to date; returns how many snapshots were written.

    Closed cycles whose results are then all current become analysed. Call it outside a transaction
    (each snapshot commits on its own, so a long run never holds locks on the whole programme).
    """
    cycles = list(
        EvaluationCycle.objects.filter(programme=programme, state__in=COMPUTED_STATES).exclude(kind="baseline")
    )
    metrics = list(OutcomeMetric.objects.filter(programme=programme))
    pairs = collect_pairs(programme_ids=[programme.pk], cycle_ids=[c.pk for c in cycles])
    costs = programme_costs(programme)
    current = {
        (r.metric_id, r.cycle_id): r
        for r in OutcomeResult.objects.filter(programme=programme, superseded_at__isnull=True).only(
            "pk", "metric_id", "cycle_id", "fingerprint", "stale"
        )
    }
    written = 0
    for cycle in cycles:
        for metric in metrics:
            inputs = metric_inputs(metric, pairs.get((metric.pk, cycle.pk)), costs)
            digest = fingerprint(inputs, key=fingerprint_key())
            old = current.get((metric.pk, cycle.pk))
            if old is None and not inputs.participant.pre and not inputs.comparison.pre:
                continue  # no values in this cycle yet: nothing to report (the page says so)
            if old is not None and old.fingerprint == digest:
                if old.stale:
                    OutcomeResult.objects.filter(pk=old.pk).update(stale=False)
                continue
            written += _write_snapshot(metric, cycle, inputs, digest, old)
    for cycle in cycles:
        if cycle.state == State.CLOSED:
            cycle_mark_analysed(cycle=cycle)
    _decide_disclosure(programme, pairs)
    programme_data_changed(programme.pk)  # results, their staleness or disclosure: the report shows them
    return written


def _decide_disclosure(programme: Programme, pairs: dict[tuple[int, int], CellPairs]) -> None:
    """Decide now, for every figure's people, which report filters may show them, so the first filtered
    report after new values reads the decision from the cache instead of waiting for it (a cache hit when
    nothing changed; evaluation.report_disclosure)."""
    universe = FilterUniverse.load([programme.pk])[programme.pk]
    for cell in pairs.values():
        for group in cell.cells.values():
            if not stats.is_suppressed(len(group.person_ids)):
                universe.published_keys(group.person_ids)


def outcome_results_compute_all() -> int:
    """Bring every programme's results up to date (the periodic task); returns how many snapshots were written."""
    programme_ids = (
        EvaluationCycle.objects.filter(state__in=COMPUTED_STATES).values_list("programme_id", flat=True).distinct()
    )
    return sum(outcome_results_compute(programme=p) for p in Programme.objects.filter(pk__in=list(programme_ids)))


# The task lives beside its service: closing a cycle (evaluation.services.cycles) enqueues it, and the beat
# runs it hourly; its stored name stays the one queued messages carry.
@shared_task(base=MentoringTask, name="evaluation.tasks.compute_outcome_results")
def compute_outcome_results(programme_id: int | None = None) -> int:
    """Recompute the outcome results whose inputs changed (one programme, or every programme)."""
    if programme_id is None:
        return outcome_results_compute_all()
    programme = Programme.objects.filter(pk=programme_id).first()
    return outcome_results_compute(programme=programme) if programme is not None else 0
