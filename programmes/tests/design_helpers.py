"""Helpers for the programme-design tests: programmes made the way coordinators make them, and fillers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from people.models import User
from people.tests.factories import UserFactory
from programmes.core import lifecycle
from programmes.design.services.design import programme_create
from programmes.models import BusinessGoal, Programme, ReadinessAssessment, format_defaults

PROGRAMMES_GUARDS = ("readiness", "business_goals", "coordinators", "policies")


@contextmanager
def only_programmes_guards() -> Iterator[None]:
    """Run the lifecycle with the programmes app's own guards only (other apps' guards are tested there)."""
    saved = dict(lifecycle._GUARDS)
    lifecycle._GUARDS.clear()
    lifecycle._GUARDS.update({k: v for k, v in saved.items() if k in PROGRAMMES_GUARDS})
    try:
        yield
    finally:
        lifecycle._GUARDS.clear()
        lifecycle._GUARDS.update(saved)


def new_programme(coordinator: User | None = None, name: str = "Sales leadership 2027") -> Programme:
    """A programme created through the service, as the create page does."""
    return programme_create(actor=coordinator or UserFactory(), name=name, purpose="Grow sales leaders.")


def decide(programme: Programme, decision: str = ReadinessAssessment.Decision.GO) -> None:
    """Score every readiness factor 3 and record `decision` (straight to the rows: not what is under test)."""
    assessment, _ = ReadinessAssessment.objects.get_or_create(programme=programme)
    assessment.items.update(score=3)
    assessment.decision = decision
    assessment.conditions = "Budget confirmed by March" if decision == "go_with_conditions" else ""
    assessment.save()


def add_goal(
    programme: Programme, statement: str = "Shorten the sales cycle", owner: User | None = None
) -> BusinessGoal:
    return BusinessGoal.objects.create(programme=programme, statement=statement, owner=owner)


def fill_policies(programme: Programme) -> None:
    for name, value in format_defaults(programme.format).items():
        setattr(programme, name, value)
    programme.save()
