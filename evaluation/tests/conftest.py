"""Fixtures of the evaluation tests: a programme with metrics, participants and a frozen comparison group."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from conftest import Personas
from evaluation.models import OutcomeMetric
from evaluation.services import ComparisonRule, comparison_group_freeze
from evaluation.tests.factories import GoalFactory, MetricFactory
from people.models import OrgUnit, User
from people.tests.factories import UserFactory
from programmes.models import BusinessGoal, Programme


@dataclass
class Evaluated:
    """The personas' programme with three metrics (continuous, rate, count) and a comparison group of six."""

    p: Personas
    goal: BusinessGoal
    cycle: OutcomeMetric
    retention: OutcomeMetric
    deals: OutcomeMetric
    sellers: list[User]

    @property
    def programme(self) -> Programme:
        return self.p.programme


@pytest.fixture
def evaluated(personas: Personas) -> Evaluated:
    goal = GoalFactory(programme=personas.programme, statement="Close deals faster")
    cycle = MetricFactory(goal=goal, name="Sales cycle length", unit="days", direction="lower", kind="continuous")
    retention = MetricFactory(goal=goal, name="12-month retention", unit="share", direction="higher", kind="rate")
    deals = MetricFactory(goal=goal, name="Deals closed", unit="deals", direction="higher", kind="count")
    sales = OrgUnit.objects.get(code="SALES")
    sellers = [UserFactory(email=f"seller{i}@example.co.id", org_unit=sales, grade=4) for i in range(6)]
    comparison_group_freeze(
        actor=personas.coordinator, programme=personas.programme, rule=ComparisonRule(org_units=[sales], random_seed=1)
    )
    return Evaluated(personas, goal, cycle, retention, deals, sellers)


def upload(client: Client, programme: Programme, content: bytes | str, name: str = "baselines.csv") -> object:
    """Post a baseline file to the import view (the client is already logged in)."""
    data = content.encode() if isinstance(content, str) else content
    url = reverse("evaluation:baseline_import", args=[programme.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


@pytest.fixture
def coordinator_client(client: Client, personas: Personas) -> Client:
    client.force_login(personas.coordinator)
    return client
