"""factory_boy factories of the evaluation app (and a business goal, which metrics need)."""

from __future__ import annotations

import datetime

import factory
from factory.django import DjangoModelFactory

from evaluation.models import Observation, OutcomeMetric
from people.tests.factories import UserFactory
from programmes.models import BusinessGoal
from programmes.tests.factories import ProgrammeFactory


class GoalFactory(DjangoModelFactory[BusinessGoal]):
    class Meta:
        model = BusinessGoal

    programme = factory.SubFactory(ProgrammeFactory)
    statement = factory.Sequence(lambda n: f"Grow revenue in region {n}")


class MetricFactory(DjangoModelFactory[OutcomeMetric]):
    class Meta:
        model = OutcomeMetric

    goal = factory.SubFactory(GoalFactory)
    programme = factory.SelfAttribute("goal.programme")
    name = factory.Sequence(lambda n: f"Metric {n}")
    unit = "days"
    direction = OutcomeMetric.Direction.LOWER
    kind = OutcomeMetric.Kind.CONTINUOUS


class BaselineFactory(DjangoModelFactory[Observation]):
    class Meta:
        model = Observation

    metric = factory.SubFactory(MetricFactory)
    person = factory.SubFactory(UserFactory)
    group = Observation.Group.PARTICIPANT
    period_kind = Observation.PeriodKind.BASELINE
    period_end = datetime.date(2026, 3, 31)
    value = 10.0
    source = Observation.Source.MANUAL
