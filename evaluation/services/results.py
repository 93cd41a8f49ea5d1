"""Computing outcome results: for every metric and cycle an immutable snapshot, recomputed when inputs change.

`outcome_results_compute(programme=…)` reads the programme's values in a fixed number of queries, pairs
each person's baseline with their value in each cycle (same person, same group), and for every metric
and cycle compares the inputs' fingerprint with the current snapshot's: equal, it only clears a stale
mark; different (or none yet), it supersedes the old snapshot and writes a new one. Two workers racing
on one programme write one current snapshot: the unique constraint on current results settles it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from programmes.models import Programme

from .. import stats
from ..models import CostItem, EvaluationCycle, Observation, OutcomeMetric, OutcomeResult
from ..outcomes import COMPARISON, MENTOR, PARTICIPANT, MetricInputs, Pairs, compute, fingerprint
from ..report_disclosure import FilterUniverse
from ..selectors_protocol import ProtocolGroups, protocol_groups_for_programmes
from .cycles import cycle_mark_analysed

logger = logging.getLogger(__name__)
State = EvaluationCycle.State
# Cycles whose results are computed: from the moment values may arrive; a planned cycle has none.
COMPUTED_STATES = (State.OPEN, State.CLOSED, State.ANALYSED, State.REPORTED)

Key = tuple[int, int]  # (metric id, cycle id)


@dataclass
class _Collected:
    ids: list[int]
    pre: list[float]
    post: list[float]


# Why a person's values are in no cell (the report's "about these figures" names each reason).
NOT_MENTORED = "not_mentored"  # a participant who is neither a mentored mentee nor a mentor, per protocol
LEFT_COMPARISON = "comparison_enrolled"  # a comparison member who applied to the programme later


@dataclass(frozen=True)
class CellPairs:
    """One metric's pairs in one cycle, per cell, and how many people were left out, by reason."""

    cells: dict[str, Pairs]
    excluded: dict[str, int]

    def get(self, cell: str) -> Pairs:
        return self.cells.get(cell, Pairs())


def _cell_of(groups: ProtocolGroups | None, person_id: int, recorded: str) -> str:
    """Which cell a person's pair of values goes to: participant, mentor, comparison, or a reason to leave it out."""
    if groups is None:
        return NOT_MENTORED if recorded == PARTICIPANT else LEFT_COMPARISON
    if recorded == COMPARISON:
        return COMPARISON if person_id in groups.comparison else LEFT_COMPARISON
    if person_id in groups.mentored:
        return PARTICIPANT
    return MENTOR if person_id in groups.mentors else NOT_MENTORED


def collect_pairs(
    *, programme_ids: Collection[int], cycle_ids: Collection[int], people: Collection[int] | None = None
) -> dict[Key, CellPairs]:
    """(metric, cycle) → cell → the people with a baseline and a value in that cycle, in a fixed number of queries.

    Cells: "participant" (the mentored, per protocol), "comparison", "mentor"; and the number of people
    left out, by reason (evaluation.selectors_protocol states the rule). `people`, when
    given, keeps only those people (the report's filters). A person whose group differs between baseline
    and cycle is left out: they would belong to neither comparison.
    """
    programme_ids = list(programme_ids)
    protocol = protocol_groups_for_programmes(programme_ids=programme_ids)
    baselines = Observation.objects.filter(
        metric__programme_id__in=programme_ids, period_kind=Observation.PeriodKind.BASELINE
    )
    values = Observation.objects.filter(metric__programme_id__in=programme_ids, cycle_id__in=list(cycle_ids))
    if people is not None:
        baselines = baselines.filter(person_id__in=list(people))
        values = values.filter(person_id__in=list(people))
    before = {(m, p): (g, v) for m, p, g, v in baselines.values_list("metric_id", "person_id", "group", "value")}
    collected: dict[Key, dict[str, _Collected]] = defaultdict(
        lambda: {cell: _Collected([], [], []) for cell in (PARTICIPANT, COMPARISON, MENTOR)}
    )
    left_out: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = values.order_by("person_id").values_list(
        "metric_id", "metric__programme_id", "cycle_id", "person_id", "group", "value"
    )
    for metric_id, programme_id, cycle_id, person_id, group, value in rows:
        baseline = before.get((metric_id, person_id))
        if baseline is None or baseline[0] != group:
            continue
        cell_name = _cell_of(protocol.get(programme_id), person_id, group)
        if cell_name in (NOT_MENTORED, LEFT_COMPARISON):
            left_out[(metric_id, cycle_id)][cell_name] += 1
            _ = collected[(metric_id, cycle_id)]  # the key exists even when everyone was left out
            continue
        cell = collected[(metric_id, cycle_id)][cell_name]
        cell.ids.append(person_id)
        cell.pre.append(baseline[1])
        cell.post.append(value)
    return {
        key: CellPairs(
            cells={name: Pairs(tuple(c.ids), tuple(c.pre), tuple(c.post)) for name, c in cells.items()},
            excluded=dict(left_out.get(key, {})),
        )
        for key, cells in collected.items()
    }


def fingerprint_key() -> bytes:
    """The key of the inputs' fingerprint: derived from SECRET_KEY, so only this server can test a guess."""
    return salted_hmac("evaluation.outcomes.fingerprint", b"").digest()


def metric_inputs(metric: OutcomeMetric, pairs: CellPairs | None, costs: Iterable[float]) -> MetricInputs:
    """The inputs of one metric's result from its collected pairs and the programme's costs."""
    pairs = pairs or CellPairs(cells={}, excluded={})
    return MetricInputs(
        kind=metric.kind,
        direction=metric.direction,
        unit=metric.unit,
        value_per_unit=float(metric.value_per_unit) if metric.value_per_unit is not None else None,
        participant=pairs.get(PARTICIPANT),
        comparison=pairs.get(COMPARISON),
        costs=tuple(costs),
        mentors=pairs.get(MENTOR),
        excluded=pairs.excluded,
    )


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
