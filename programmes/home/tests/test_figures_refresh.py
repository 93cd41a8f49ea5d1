"""Stale while revalidate (programmes.core.figures_cache): after a write, a page shows the kept figures at once and
a real worker computes them again, so no page waits for a whole-history aggregate; figures older than
FIGURES_SECONDS are computed by the page itself, and a broker that is away costs speed, never a page."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import Personas
from programmes.core import figures_cache
from programmes.core.figures_cache import FIGURES_SECONDS, programme_figures
from programmes.home.selectors.dashboard import dashboard_for_programme
from programmes.models import MentoringSession
from programmes.support.services.sessions import SessionInput, session_log
from programmes.tests.support_helpers import persona_pair
from programmes.tests.test_celery_worker import CLOSED_PORT_URL, project_app_on, worker_thread_connections_closed

__all__ = ["worker_thread_connections_closed"]  # a fixture the worker test uses


def _held() -> SessionInput:
    return SessionInput(
        held_at=timezone.now() - timedelta(minutes=5),
        minutes=45,
        mode=MentoringSession.Mode.VIDEO,
        status=MentoringSession.Status.HELD,
        topics="Kaizen review",
        mentor_roles=["coaching"],
    )


def _this_month(personas: Personas) -> tuple[int, list[str]]:
    """This month's sessions on the dashboard, and the SQL the read ran that aggregates sessions."""
    with CaptureQueriesContext(connection) as queries:
        sessions = dashboard_for_programme(programme=personas.programme).months[-1].sessions
    return sessions, [q["sql"] for q in queries.captured_queries if "programmes_mentoringsession" in q["sql"]]


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_page_after_a_write_shows_the_kept_figures_and_the_worker_brings_them_up_to_date(
    personas: Personas, redis_url: str, worker_thread_connections_closed: list[str]
) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("the worker's threads need a database they can share: PostgreSQL (CI) runs this test")
    relationship = persona_pair(personas, started=timezone.now() - timedelta(days=60))
    before, _sql = _this_month(personas)
    queue = f"test-{uuid.uuid4().hex}"
    with (
        project_app_on(redis_url, task_default_queue=queue, worker_enable_remote_control=False),
        start_worker(
            figures_cache.refresh_figures.app, pool="threads", concurrency=1, perform_ping_check=False, queues=[queue]
        ),
    ):
        session_log(actor=personas.mentor, relationship=relationship, data=_held())
        shown, sql = _this_month(personas)
        assert shown == before, "the page showed the kept figures"
        assert not sql, "and did not aggregate the programme's sessions itself"
        deadline = time.monotonic() + 30
        while _this_month(personas)[0] != before + 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        after, sql = _this_month(personas)
    assert after == before + 1, "the worker computed the figures again"
    assert not sql
    assert worker_thread_connections_closed, "the refresh ran on the worker"


@pytest.mark.redis
@pytest.mark.django_db
def test_with_the_broker_away_the_page_shows_the_kept_figures_and_computes_them_once_too_old(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    relationship = persona_pair(personas, started=timezone.now() - timedelta(days=60))
    before, _sql = _this_month(personas)
    with project_app_on(CLOSED_PORT_URL):
        session_log(actor=personas.mentor, relationship=relationship, data=_held())
        started = time.monotonic()
        assert _this_month(personas)[0] == before  # no error: the kept figures, and a warning in the log
        assert time.monotonic() - started < 10
        real_clock = figures_cache._clock
        monkeypatch.setattr(figures_cache, "_clock", lambda: real_clock() + FIGURES_SECONDS)
        shown, sql = _this_month(personas)
    assert shown == before + 1, "figures as old as FIGURES_SECONDS are computed by the page"
    assert sql


def test_two_figures_cannot_share_a_name() -> None:
    programme_figures("test-one-name")(lambda ids, variant: {})
    with pytest.raises(ValueError, match="test-one-name"):
        programme_figures("test-one-name")(lambda ids, variant: {})
