"""The coordinator's preparation overview: orientation completion, agreements waiting for signatures (and for
how long), mentees whose plan has no goal, and goals at risk. Every part is a fixed number of aggregate
queries, whatever the size of the programme."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from programmes.home.selectors.figures import agreements_waiting
from programmes.models import DevelopmentGoal, Enrolment, OrientationModule, Programme, Relationship, RelationshipMember
from programmes.preparation.selectors.development import MENTEE_SIDE, PLAN_STATES
from programmes.preparation.selectors.orientation import orientation_completion_report

Status = DevelopmentGoal.Status


@dataclass
class WaitingAgreement:
    """A relationship whose agreement is not fully signed, or which waits for its first meeting."""

    relationship: Relationship
    names: list[str]
    version: int | None
    signed: int
    members: int
    since: datetime
    first_meeting: datetime | None
    now: datetime

    @property
    def days(self) -> int:
        return (self.now - self.since).days

    @property
    def needs_signatures(self) -> bool:
        return self.version is None or self.signed < self.members


@dataclass
class PreparationOverview:
    orientation: list[tuple[str, int, int]]  # (audience label, complete, expected)
    agreements: list[WaitingAgreement]
    empty_plans: list[Enrolment]
    goals_at_risk: list[DevelopmentGoal]
    today: date
    counts: dict[str, int] = field(default_factory=dict)


def _waiting_agreements(programme: Programme, now: datetime) -> list[WaitingAgreement]:
    """The waiting agreements (one definition, shared with the dashboard) with the members' names (2 queries)."""
    waiting = list(agreements_waiting(programme=programme))
    names: dict[int, list[str]] = defaultdict(list)
    members = RelationshipMember.objects.filter(relationship__in=[r.pk for r in waiting])
    for relationship_id, name in members.order_by("role", "pk").values_list(
        "relationship_id", "enrolment__person__full_name"
    ):
        names[relationship_id].append(name)
    return [
        WaitingAgreement(
            relationship=r,
            names=names[r.pk],
            version=r.version_number,
            signed=r.signed,
            members=r.member_count,
            since=r.version_created or r.state_changed_at,
            first_meeting=r.first_meeting,
            now=now,
        )
        for r in waiting
    ]


def _empty_plans(programme: Programme) -> QuerySet[Enrolment]:
    """Mentees working on a plan (accepted to matched) whose plan has no goal that is not dropped."""
    return (
        Enrolment.objects.filter(programme=programme, role__in=MENTEE_SIDE, state__in=PLAN_STATES)
        .annotate(
            goal_count=Count("development_plan__goals", filter=~Q(development_plan__goals__status=Status.DROPPED))
        )
        .filter(goal_count=0)
        .select_related("person")
        .order_by("person__full_name")
    )


def _goals_at_risk(programme: Programme, today: date) -> QuerySet[DevelopmentGoal]:
    """Goals marked at risk, and goals past their due date that are neither achieved nor dropped."""
    overdue = Q(due_on__lt=today) & ~Q(status__in=(Status.ACHIEVED, Status.DROPPED))
    return (
        DevelopmentGoal.objects.filter(plan__programme=programme)
        .filter(Q(status=Status.AT_RISK) | overdue)
        .select_related("competency", "plan__enrolment__person")
        .order_by("due_on", "pk")
    )


def preparation_overview(*, programme: Programme, language: str) -> PreparationOverview:
    """The coordinator's overview of one programme (about a dozen queries, independent of the data's size)."""
    now = timezone.now()
    today = timezone.localdate(now)
    report = orientation_completion_report(programme=programme, language=language)
    orientation = [
        (str(OrientationModule.Audience(audience).label), complete, expected)
        for audience, (complete, expected) in report.totals.items()
    ]
    overview = PreparationOverview(
        orientation=orientation,
        agreements=_waiting_agreements(programme, now),
        empty_plans=list(_empty_plans(programme)),
        goals_at_risk=list(_goals_at_risk(programme, today)),
        today=today,
    )
    overview.counts = {
        "agreements": len(overview.agreements),
        "empty_plans": len(overview.empty_plans),
        "goals_at_risk": len(overview.goals_at_risk),
    }
    return overview
