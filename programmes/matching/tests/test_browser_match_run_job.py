"""A match run in the background, in a real browser (Debian's chromium) with a real Celery worker on Redis: the
coordinator's click returns at once to the matching page, which shows the run's progress bar while the job
waits for the worker; once the worker has solved and saved it, the page goes on by itself (htmx polling) to
the review table of the proposals. Console errors and accessibility violations fail the test."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.urls import reverse

from conftest import Personas
from people.models import BackgroundJob
from people.tests.factories import UserFactory
from programmes.models import Enrolment, MatchRun, Programme
from programmes.tests.factories import MatchingSettingsFactory
from programmes.tests.matching_helpers import pool_mentee, pool_mentor
from programmes.tests.test_celery_worker import project_app_on, worker_thread_connections_closed

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.redis]
__all__ = ["worker_thread_connections_closed"]  # a fixture this test uses


def _programme(personas: Personas) -> Programme:
    programme = personas.programme
    Programme.objects.filter(pk=programme.pk).update(
        phase=Programme.Phase.IMPLEMENTATION, mentor_capacity=1, reporting_line_exclusion_depth=0
    )
    programme.refresh_from_db()
    MatchingSettingsFactory(programme=programme)
    Enrolment.objects.filter(programme=programme).update(state=Enrolment.State.COMPLETED)  # not in this pool
    return programme


@pytest.mark.django_db(transaction=True)
def test_the_match_review_shows_the_runs_progress_bar_and_then_its_proposals(
    sign_in: Any, personas: Personas, redis_url: str, worker_thread_connections_closed: list[str]
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the worker's threads need a database they can share: PostgreSQL (CI) runs this test")
    programme = _programme(personas)
    pool_mentor(programme, capacity=1, person=UserFactory(full_name="Agung Mentor"))
    pool_mentor(programme, capacity=1, person=UserFactory(full_name="Bayu Mentor"))
    pool_mentee(programme, person=UserFactory(full_name="Citra Mentee"))
    pool_mentee(programme, person=UserFactory(full_name="Dimas Mentee"))

    reverse("people:login")  # the URLconf (SAML's schemas) loads here, not inside the first page's time limit
    queue = f"test-{uuid.uuid4().hex}"
    with project_app_on(redis_url, task_default_queue=queue, worker_enable_remote_control=False) as app:
        page = sign_in(personas.coordinator, personas.password)
        page.goto(f"/programmes/{programme.pk}/matching/")
        page.get_by_test_id("run-matcher").click()

        # No worker yet: the click came back at once, and the page follows the queued job.
        progress = page.get_by_test_id("job-progress")
        assert progress.get_attribute("data-state") == "queued"
        assert progress.locator("progress").is_visible()
        assert "Match run" in progress.inner_text()
        assert page.url.endswith(f"/programmes/{programme.pk}/matching/")
        assert not MatchRun.objects.exists()

        with start_worker(app, pool="threads", concurrency=1, perform_ping_check=False, queues=[queue]):
            # The worker runs it; the next poll sends the page on to the review of the new run.
            page.wait_for_url(f"**/programmes/{programme.pk}/matching/runs/*/", timeout=30000)
            table = page.get_by_test_id("proposals")
            assert table.locator("tbody tr").count() == 2
            assert "Citra Mentee" in table.inner_text()
            assert "Dimas Mentee" in table.inner_text()

    run = MatchRun.objects.get(programme=programme)
    assert page.url.endswith(f"/matching/runs/{run.pk}/")
    assert BackgroundJob.objects.get().state == BackgroundJob.State.DONE
    assert page.get_by_test_id("job-progress").count() == 0  # finished: no bar on the review
    assert page.errors == [], f"console errors: {page.errors}"
