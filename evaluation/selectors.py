"""Queries that feed the evaluation pages: metrics, baseline summaries, who may have a baseline.

Each selector runs a fixed number of queries however many metrics, people or observations there are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, Exists, F, FloatField, Max, Min, OuterRef, Q, QuerySet, Sum, Value, When

from people.models import OrgUnit, User
from programmes.core.states import ENROLMENT_GONE
from programmes.models import Enrolment, Programme

from . import stats
from .models import ComparisonGroup, ComparisonMember, Observation, OutcomeMetric
from .selectors_protocol import ACCEPTED_STATES, started_person_ids

Group = Observation.Group
BASELINE = Observation.PeriodKind.BASELINE

# Enrolments that make a person a participant: everyone who applied and has not left or been turned down.
NOT_PARTICIPATING = ENROLMENT_GONE
# What GroupIndex answers besides the two groups.
LEFT_COMPARISON = "both"  # in the frozen comparison group, but has applied to the programme since
STARTED = "started"  # a participant whose first relationship is active: their baseline can no longer change


def participant_ids(programme: Programme) -> QuerySet[Enrolment, int]:
    """The people enrolled in the programme in any role, as a subquery of person ids."""
    return Enrolment.objects.filter(programme=programme).exclude(state__in=NOT_PARTICIPATING).values_list("person_id")  # type: ignore[return-value]


@dataclass
class GroupIndex:
    """Who may have values, in which group (the rule: evaluation.selectors_protocol and services.common).

    `participants` are the people accepted into the programme (not withdrawn); `comparison` the members of
    the frozen comparison group who never applied; `applicants` everyone with an application in any state;
    `started` the people whose first relationship has become active.
    """

    participants: set[int] = field(default_factory=set)
    comparison: set[int] = field(default_factory=set)
    comparison_frozen: bool = False
    frozen_members: set[int] = field(default_factory=set)
    applicants: set[int] = field(default_factory=set)
    started: set[int] = field(default_factory=set)

    def group_of(self, person_id: int) -> str | None:
        """ "participant", "comparison", "both" (applied since the group was frozen, not accepted) or None."""
        if person_id in self.participants:
            return Group.PARTICIPANT
        if person_id in self.comparison:
            return Group.COMPARISON
        return LEFT_COMPARISON if person_id in self.frozen_members else None

    def baseline_group_of(self, person_id: int) -> str | None:
        """group_of, and "started" for a participant whose baseline time is over (their relationship began)."""
        group = self.group_of(person_id)
        if group == Group.PARTICIPANT and person_id in self.started:
            return STARTED
        return group

    @property
    def baseline_open(self) -> set[int]:
        """The people whose baseline may be recorded now."""
        return (self.participants - self.started) | self.comparison


def group_index_for_programme(*, programme: Programme) -> GroupIndex:
    """The accepted participants and the frozen comparison group of one programme (four queries)."""
    enrolments = list(Enrolment.objects.filter(programme=programme).values_list("person_id", "state"))
    participants = {person for person, state in enrolments if state in ACCEPTED_STATES}
    applicants = {person for person, _state in enrolments}
    members = set(
        ComparisonMember.objects.filter(group__programme=programme, group__frozen_at__isnull=False).values_list(
            "person_id", flat=True
        )
    )
    return GroupIndex(
        participants=participants,
        comparison=members - applicants,
        comparison_frozen=bool(members),
        frozen_members=members,
        applicants=applicants,
        started=started_person_ids(programme_id=programme.pk),
    )


def eligible_people_for_programme(*, programme: Programme, baseline: bool = False) -> QuerySet[User]:
    """The people who may have values now, by name: participants and comparison members.

    With `baseline`, only those whose baseline may still be recorded (GroupIndex.baseline_open).
    """
    groups = group_index_for_programme(programme=programme)
    people = groups.baseline_open if baseline else groups.participants | groups.comparison
    return User.objects.filter(pk__in=people).only("pk", "email", "full_name").order_by("full_name", "email")


def participants_waiting_for_baseline(*, programme: Programme, groups: GroupIndex) -> int:
    """How many participants whose baseline may still be recorded have none yet, for any metric (one query).

    Once their first relationship becomes active it is too late: the baselines page warns while there is time.
    """
    open_participants = groups.participants - groups.started
    if not open_participants:
        return 0
    have = set(
        Observation.objects.filter(
            metric__programme=programme, period_kind=BASELINE, person_id__in=open_participants
        ).values_list("person_id", flat=True)
    )
    return len(open_participants - have)


def metric_list_for_programme(*, programme: Programme) -> QuerySet[OutcomeMetric]:
    """A programme's metrics with their goal and how many baseline values each has (one query)."""
    return (
        OutcomeMetric.objects.filter(programme=programme)
        .select_related("goal")
        .annotate(baseline_count=Count("observations", filter=Q(observations__period_kind=BASELINE)))
        .order_by("goal__priority", "goal_id", "level", "name")
    )


def metrics_with_baseline(*, programme: Programme) -> list[bool]:
    """For each metric of the programme, whether it has at least one baseline value (one query)."""
    has_baseline = Exists(Observation.objects.filter(metric=OuterRef("pk"), period_kind=BASELINE))
    return list(
        OutcomeMetric.objects.filter(programme=programme).annotate(has=has_baseline).values_list("has", flat=True)
    )


@dataclass(frozen=True)
class Cell:
    """n, mean and sd of one group's baselines; cells under stats.MIN_CELL people never carry figures."""

    n: int
    mean: float | None
    sd: float | None

    @property
    def suppressed(self) -> bool:
        return stats.is_suppressed(self.n)


EMPTY = Cell(n=0, mean=None, sd=None)


@dataclass(frozen=True)
class MetricSummary:
    """One metric's baseline summary: participants and the comparison group."""

    metric: OutcomeMetric
    participant: Cell
    comparison: Cell


def _baseline_cells(programme: Programme) -> dict[tuple[int, str], Cell]:
    """Count, mean and sample sd per (metric, group) of a programme's baselines, in at most two queries.

    Two passes, as a careful hand computation would do them: the database first counts and sums each
    cell, then sums squared deviations from each cell's mean (a CASE picks the mean), with the usual
    correction for the mean's rounding. One-pass sums of squares lose every digit when values are large
    and close together (revenue of 1,250,000 ± 5); SQLite has no StdDev to lean on.
    """
    baselines = Observation.objects.filter(metric__programme=programme, period_kind=BASELINE)
    first = baselines.values("metric_id", "group").annotate(n=Count("id"), total=Sum("value")).order_by()
    counts = {(row["metric_id"], row["group"]): (row["n"], row["total"] / row["n"]) for row in first}
    cells = {key: Cell(n=n, mean=None, sd=None) for key, (n, _mean) in counts.items()}
    shown = {key: mean for key, (n, mean) in counts.items() if not stats.is_suppressed(n)}
    if not shown:
        return cells
    centre = Case(
        *[When(metric_id=m, group=g, then=Value(mean)) for (m, g), mean in shown.items()], output_field=FloatField()
    )
    deviations = (
        baselines.annotate(dev=F("value") - centre)
        .values("metric_id", "group")
        .annotate(ss=Sum(F("dev") * F("dev")), drift=Sum("dev"))
        .order_by()
    )
    for row in deviations:
        key = (row["metric_id"], row["group"])
        if key not in shown:
            continue  # suppressed: the CASE gave no centre, and no figures are wanted
        n = counts[key][0]
        squares = max(row["ss"] - row["drift"] ** 2 / n, 0.0)
        cells[key] = Cell(n=n, mean=shown[key] + row["drift"] / n, sd=math.sqrt(squares / (n - 1)))
    return cells


def baseline_summary_for_programme(*, programme: Programme) -> list[MetricSummary]:
    """n, mean and standard deviation of every metric's baselines, per group, in three queries at most.

    Cells with fewer than stats.MIN_CELL people carry their n only, never a mean or sd.
    """
    metrics = list(metric_list_for_programme(programme=programme))
    cells = _baseline_cells(programme)
    return [
        MetricSummary(
            metric=metric,
            participant=cells.get((metric.pk, Group.PARTICIPANT), EMPTY),
            comparison=cells.get((metric.pk, Group.COMPARISON), EMPTY),
        )
        for metric in metrics
    ]


def comparison_group_for_programme(*, programme: Programme) -> ComparisonGroup | None:
    """The programme's comparison group with its rule's org units, or None when none was frozen yet."""
    return ComparisonGroup.objects.filter(programme=programme).prefetch_related("org_units").first()


def comparison_members_for_group(*, group: ComparisonGroup) -> QuerySet[ComparisonMember]:
    """The members of a comparison group with their unit, by name."""
    return group.members.select_related("person__org_unit").order_by("person__full_name", "person__email")


def comparison_rule_suggestion(*, programme: Programme) -> dict[str, Any]:
    """A first rule like the participants: their org units (with sub-units) and their grade range."""
    people = User.objects.filter(pk__in=participant_ids(programme))
    grades = people.aggregate(low=Min("grade"), high=Max("grade"))
    units = OrgUnit.objects.filter(pk__in=people.exclude(org_unit=None).values("org_unit_id"))
    return {
        "org_units": list(units),
        "include_sub_units": True,
        "grade_min": grades["low"],
        "grade_max": grades["high"],
        "exclude_enrolled": True,
    }
