"""A relationship's activity figures have one writer (support/services/activity.py): the rule it keeps, and
that no other shipped module writes the figures."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from conftest import Personas
from programmes.models import MentoringSession, Relationship, RelationshipHealth
from programmes.support.services.activity import activity_figures_update
from programmes.tests.support_helpers import SessionFactory, persona_pair

pytestmark = pytest.mark.django_db
PROGRAMMES = Path(__file__).resolve().parents[2]
# An assignment or update of either figure: `last_activity_at=`, `.last_session_at =`, a bulk_update list.
WRITE = re.compile(r"\blast_(activity|session)_at\s*=(?!=)|\"last_(activity|session)_at\"\s*[,\]]")


def _ago(days: float) -> Any:
    return timezone.now() - timedelta(days=days)


def _update(relationship: Relationship, **kwargs: Any) -> RelationshipHealth:
    activity_figures_update(relationships=Relationship.objects.filter(pk=relationship.pk), **kwargs)
    return RelationshipHealth.objects.get(relationship=relationship)


def test_a_held_session_is_the_last_session_and_a_missed_one_only_activity(personas: Personas) -> None:
    relationship = persona_pair(personas, started=_ago(30))
    SessionFactory(relationship=relationship, held_at=_ago(5), status=MentoringSession.Status.HELD)
    SessionFactory(relationship=relationship, held_at=_ago(2), status=MentoringSession.Status.NO_SHOW)
    health = _update(relationship, now=timezone.now())
    assert abs(health.last_session_at - _ago(5)) < timedelta(minutes=5)
    assert abs(health.last_activity_at - _ago(2)) < timedelta(minutes=5)  # a missed meeting: still in touch


def test_a_session_scheduled_ahead_is_activity_now_not_in_the_future(personas: Personas) -> None:
    relationship = persona_pair(personas, started=_ago(30))
    SessionFactory(relationship=relationship, held_at=timezone.now() + timedelta(days=3))
    now = timezone.now()
    health = _update(relationship, now=now)
    assert health.last_activity_at == now


def test_a_restart_sets_the_clock_to_now(personas: Personas) -> None:
    relationship = persona_pair(personas, started=_ago(30))
    now = timezone.now()
    assert _update(relationship, now=now, restart=True).last_activity_at == now


def test_no_other_shipped_module_writes_the_activity_figures() -> None:
    writers = set()
    for path in PROGRAMMES.rglob("*.py"):
        parts = path.relative_to(PROGRAMMES).parts
        if "tests" in parts or "migrations" in parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if WRITE.search(line) and "models.DateTimeField" not in line and "list_display" not in line:
                writers.add(f"{path.relative_to(PROGRAMMES)}:{number}")
    # Creating a health row starts the clock at the relationship's start; every later change is the writer's.
    creation = {"support/services/support.py", "support/services/reminders.py"}
    assert {w for w in writers if w.rsplit(":", 1)[0] not in creation | {"support/services/activity.py"}} == set()
    assert any(w.startswith("support/services/activity.py") for w in writers), "the pattern finds the writer"
