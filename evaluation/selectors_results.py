"""What outcome results are computed from: each metric's pairs of values per cell, and a result's inputs.

Read by the computation (evaluation.services.results) and by the reports, which compute the same figures
for a filtered population; neither writes here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from .models import EvaluationCycle, Observation, OutcomeMetric
from .outcomes import COMPARISON, MENTOR, PARTICIPANT, MetricInputs, Pairs
from .selectors_protocol import ProtocolGroups, protocol_groups_for_programmes

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
