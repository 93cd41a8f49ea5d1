"""Development plan pages' queries: the pair's full plan with progress and comments, the manager's shared goals,
and the progress chart's data."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from programmes.core.states import ENROLMENT_IN_PROGRAMME, RUNNING
from programmes.models import (
    DevelopmentGoal,
    DevelopmentPlan,
    Enrolment,
    GoalComment,
    GoalProgress,
    Relationship,
    RelationshipMember,
)

MENTEE_SIDE = (Enrolment.Role.MENTEE, Enrolment.Role.PEER)
# Enrolment states in which a mentee works on their plan.
PLAN_STATES = ENROLMENT_IN_PROGRAMME
# Relationship states in which a mentor works with the mentee's plan.
MENTORING_STATES = RUNNING


def mentor_ids_for(enrolment: Enrolment) -> set[int]:
    """The people mentoring this mentee now (members on the giving side of an accepted or running relationship)."""
    relationships = Relationship.objects.filter(members__enrolment=enrolment, state__in=MENTORING_STATES)
    return set(
        RelationshipMember.objects.filter(
            relationship__in=relationships,
            role__in=(RelationshipMember.Role.MENTOR, RelationshipMember.Role.FACILITATOR),
        ).values_list("enrolment__person_id", flat=True)
    )


def _goals(plan: DevelopmentPlan | None) -> QuerySet[DevelopmentGoal]:
    if plan is None:
        return DevelopmentGoal.objects.none()
    return DevelopmentGoal.objects.filter(plan=plan).select_related("competency", "business_goal")


def plan_goals_for_pair(*, plan: DevelopmentPlan | None) -> list[DevelopmentGoal]:
    """Every goal with its progress entries and comments (three queries whatever their number)."""
    return list(
        _goals(plan)
        .prefetch_related(
            Prefetch(
                "progress", queryset=GoalProgress.objects.select_related("recorded_by").order_by("recorded_on", "pk")
            ),
            Prefetch("comments", queryset=GoalComment.objects.select_related("author").order_by("created_at", "pk")),
        )
        .order_by("position", "pk")
    )


@dataclass
class SharedGoal:
    """What a manager sees of one shared goal: the goal itself and the levels reached, nothing more."""

    goal: DevelopmentGoal
    levels: list[tuple[str, int]]  # (ISO date, level)

    @property
    def latest_level(self) -> int:
        return self.levels[-1][1] if self.levels else self.goal.baseline_level


def plan_goals_for_manager(*, plan: DevelopmentPlan | None) -> list[SharedGoal]:
    """Only the goals the mentee shared; progress as dates and levels (no notes, evidence or comments)."""
    goals = list(_goals(plan).filter(shared_with_manager=True).order_by("position", "pk"))
    levels: dict[int, list[tuple[str, int]]] = {g.pk: [] for g in goals}
    entries = GoalProgress.objects.filter(goal__in=goals).order_by("recorded_on", "pk")
    for goal_id, day, level in entries.values_list("goal_id", "recorded_on", "level"):
        levels[goal_id].append((day.isoformat(), level))
    return [SharedGoal(goal, levels[goal.pk]) for goal in goals]


def progress_chart(goals: list[DevelopmentGoal]) -> dict[str, Any]:
    """Chart.js data: one line per goal from its baseline (on the day it was set) through each progress entry.

    Dates form the shared x axis; a goal without an entry on a date has a gap there (the chart spans it).
    Uses the goals' prefetched progress; no query.
    """
    points: dict[int, dict[str, int]] = {}
    for goal in goals:
        series = {timezone.localdate(goal.created_at).isoformat(): goal.baseline_level}  # the reader's day
        for entry in goal.progress.all():
            series[entry.recorded_on.isoformat()] = entry.level
        points[goal.pk] = series
    labels = sorted({day for series in points.values() for day in series})
    datasets = [
        {
            "label": f"{goal.competency.name} → {goal.target_level}",
            "data": [points[goal.pk].get(day) for day in labels],
            "target": goal.target_level,
        }
        for goal in goals
    ]
    return {"labels": labels, "datasets": datasets}


def progress_table(chart: dict[str, Any]) -> list[tuple[str, list[int | None]]]:
    """The chart's figures as table rows: (date, [level per goal or None])."""
    return [(day, [d["data"][i] for d in chart["datasets"]]) for i, day in enumerate(chart["labels"])]
