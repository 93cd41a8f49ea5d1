"""The programme figures kept in the cache (programmes.core.figures_cache) follow the services' writes at once:
a cached dashboard or report never hides a session just logged or cancelled, or a pair that moved on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import Personas
from evaluation.selectors_process import process_metrics_for_programmes
from programmes.core.services.transitions import relationship_move
from programmes.home.selectors.dashboard import dashboard_for_programme
from programmes.models import MentoringSession, Relationship
from programmes.support.services.sessions import SessionInput, session_log
from programmes.tests.support_helpers import persona_pair

pytestmark = pytest.mark.django_db


def _held(days_ago: int) -> SessionInput:
    return SessionInput(
        held_at=timezone.now() - timedelta(days=days_ago),
        minutes=45,
        mode=MentoringSession.Mode.VIDEO,
        status=MentoringSession.Status.HELD,
        topics="Account review",
        mentor_roles=["coaching"],
    )


def _sessions_this_month(personas: Personas) -> int:
    return dashboard_for_programme(programme=personas.programme).months[-1].sessions


def test_the_dashboards_monthly_sessions_are_cached_and_follow_a_logged_session(personas: Personas) -> None:
    relationship = persona_pair(personas, started=timezone.now() - timedelta(days=60))
    before = _sessions_this_month(personas)
    with CaptureQueriesContext(connection) as again:
        assert _sessions_this_month(personas) == before
    assert not [q for q in again.captured_queries if "programmes_mentoringsession" in q["sql"]], "read from the cache"

    session_log(actor=personas.mentor, relationship=relationship, data=_held(days_ago=0))
    assert _sessions_this_month(personas) == before + 1


def test_the_cached_waiting_agreements_follow_a_pair_that_is_closing(personas: Personas) -> None:
    relationship = persona_pair(personas)  # running, nobody signed an agreement
    assert dashboard_for_programme(programme=personas.programme).unsigned.total == 1
    relationship = Relationship.objects.get(pk=relationship.pk)
    relationship_move(actor=personas.coordinator, relationship=relationship, to=Relationship.State.CLOSING)
    assert dashboard_for_programme(programme=personas.programme).unsigned.total == 0


def test_the_reports_process_figures_follow_a_logged_session(personas: Personas) -> None:
    relationship = persona_pair(personas, started=timezone.now() - timedelta(days=60))

    def sessions_per_month() -> float | None:
        figures = process_metrics_for_programmes(programme_ids=[personas.programme.pk])[personas.programme.pk]
        return next(f for f in figures if f.key == "sessions_per_month").value

    before = sessions_per_month()
    session_log(actor=personas.mentor, relationship=relationship, data=_held(days_ago=2))
    assert sessions_per_month() != before
