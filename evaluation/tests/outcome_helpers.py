"""Builders for the outcome tests: a programme with mentored people, a comparison group, values and cycles.

Rows are written straight to the tables (the services that write them have their own tests), with the
same invariants the services keep: mentored participants are enrolled and in an active relationship,
comparison members are in a frozen group, a cycle's value has its cycle.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.utils import timezone

from evaluation.models import ComparisonGroup, ComparisonMember, EvaluationCycle, Observation, OutcomeMetric
from evaluation.tests.factories import GoalFactory, MetricFactory
from people.models import User
from people.tests.factories import UserFactory
from programmes.models import Enrolment, Programme, Relationship, RelationshipMember
from programmes.tests.factories import EnrolmentFactory

BASELINE_END = datetime.date(2026, 3, 31)


@dataclass
class Outcomes:
    """A programme with one metric, its mentored people and its comparison group, and one follow-up cycle."""

    programme: Programme
    metric: OutcomeMetric
    cycle: EvaluationCycle
    mentored: list[User]
    comparison: list[User]
    values: dict[tuple[int, str], float] = field(default_factory=dict)  # (person, "pre"/"post") → value


def make_cycle(
    programme: Programme, kind: str = "end", state: str = "closed", opens_on: datetime.date | None = None
) -> EvaluationCycle:
    opens_on = opens_on or timezone.localdate() - datetime.timedelta(days=30)
    return EvaluationCycle.objects.create(
        programme=programme, kind=kind, state=state, opens_on=opens_on, closes_on=opens_on + datetime.timedelta(20)
    )


def make_people(programme: Programme, mentored: int, comparison: int) -> tuple[list[User], list[User]]:
    """Enrolled mentees and a frozen comparison group (bulk, so thousands stay quick)."""
    start = User.objects.count()
    treated = User.objects.bulk_create(
        [User(email=f"m{start + i}@example.co.id", full_name=f"Mentee {i}") for i in range(mentored)]
    )
    control = User.objects.bulk_create(
        [User(email=f"c{start + i}@example.co.id", full_name=f"Control {i}") for i in range(comparison)]
    )
    enrolments = Enrolment.objects.bulk_create(
        [Enrolment(programme=programme, person=p, role="mentee", state="matched") for p in treated]
    )
    start_relationships(programme, enrolments)
    group, _ = ComparisonGroup.objects.get_or_create(programme=programme, defaults={"frozen_at": timezone.now()})
    if group.frozen_at is None:
        group.frozen_at = timezone.now()
        group.save()
    ComparisonMember.objects.bulk_create([ComparisonMember(group=group, person=p) for p in control])
    return treated, control


def start_relationships(programme: Programme, mentees: list[Enrolment]) -> None:
    """Each mentee in an active pair with one shared mentor: mentored per protocol (evaluation.selectors_protocol)."""
    if not mentees:
        return
    mentor_person = User.objects.create(email=f"mentor{User.objects.count()}@example.co.id", full_name="Mentor")
    mentor = Enrolment.objects.create(programme=programme, person=mentor_person, role="mentor", state="matched")
    pairs = Relationship.objects.bulk_create(
        [Relationship(programme=programme, state=Relationship.State.ACTIVE) for _ in mentees]
    )
    RelationshipMember.objects.bulk_create(
        [
            RelationshipMember(relationship=r, enrolment=e, role=e.role, response="accepted")
            for r, mentee in zip(pairs, mentees, strict=True)
            for e in (mentor, mentee)
        ]
    )


def record(metric: OutcomeMetric, person: User, group: str, value: float, cycle: EvaluationCycle | None) -> None:
    Observation.objects.create(
        metric=metric,
        person=person,
        group=group,
        period_kind="cycle" if cycle else "baseline",
        cycle=cycle,
        period_end=BASELINE_END,
        value=value,
        source="manual",
    )


def outcomes(
    *,
    mentored: int = 12,
    comparison: int = 15,
    seed: int = 7,
    kind: str = "continuous",
    direction: str = "lower",
    programme: Programme | None = None,
    cycle_state: str = "closed",
) -> Outcomes:
    """Baselines and cycle values for everyone: the mentored group improves by about 8, the comparison by 2."""
    rng = random.Random(seed)
    programme = programme or GoalFactory().programme
    goal = GoalFactory(programme=programme, statement="Close deals faster")
    unit = "share" if kind == "rate" else "days"
    metric = MetricFactory(goal=goal, name=f"Metric {rng.random():.6f}", unit=unit, direction=direction, kind=kind)
    cycle = EvaluationCycle.objects.filter(programme=programme, kind="end").first() or make_cycle(
        programme, state=cycle_state
    )
    treated, control = make_people(programme, mentored, comparison)
    result = Outcomes(programme, metric, cycle, treated, control)
    rows = []
    for group, people, gain in (("participant", treated, 8.0), ("comparison", control, 2.0)):
        for person in people:
            if kind == "rate":
                pre, post = 1.0, float(rng.random() < (0.9 if group == "participant" else 0.7))
            else:
                pre = round(rng.gauss(45, 6), 1)
                post = round(pre - gain + rng.gauss(0, 3), 1)
            result.values[(person.pk, "pre")] = pre
            result.values[(person.pk, "post")] = post
            for value, c in ((pre, None), (post, cycle)):
                rows.append(
                    Observation(
                        metric=metric,
                        person=person,
                        group=group,
                        period_kind="cycle" if c else "baseline",
                        cycle=c,
                        period_end=BASELINE_END,
                        value=value,
                        source="manual",
                    )
                )
    Observation.objects.bulk_create(rows, batch_size=500)
    return result


def new_user(**kwargs: object) -> User:
    return UserFactory(**kwargs)


def enrol(programme: Programme, person: User, role: str = "mentee") -> Enrolment:
    """An enrolment in an active relationship: a mentee counts as mentored, a mentor is reported apart."""
    enrolment = EnrolmentFactory(programme=programme, person=person, role=role)
    if role == "mentee":
        start_relationships(programme, [enrolment])
    return enrolment
