"""Large exports are background jobs (people.models_jobs): the request returns at once to a page that follows
the build with the progress fragment every job has, only the requester downloads the file, the same export
asked for again while it builds is built once (the database refuses the second), and nothing waits for
ever: the sweep every job has fails exports that cannot finish and publishes again those the broker
dropped, which a real Celery worker on Redis then builds."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import Personas
from evaluation.reports import ReportFilters
from evaluation.services import exports
from evaluation.services.exports import export_job_build, export_job_create
from evaluation.services.results import outcome_results_compute
from evaluation.tests.outcome_helpers import Outcomes, outcomes
from people.models import BackgroundJob
from people.services.import_jobs import import_job_start
from people.services.jobs import jobs_unstick
from programmes.tests.test_celery_worker import CLOSED_PORT_URL, project_app_on, worker_thread_connections_closed

__all__ = ["worker_thread_connections_closed"]  # a fixture the worker test uses


class WorkerLost(BaseException):
    """The worker process died in the middle of a build (not an error the build could catch)."""


@pytest.fixture(autouse=True)
def _every_export_is_large(settings: Any) -> None:
    settings.EVALUATION_EXPORT_INLINE_ROWS = 0


def _built(personas: Personas) -> Outcomes:
    o = outcomes(programme=personas.programme, mentored=10, comparison=10)
    outcome_results_compute(programme=o.programme)
    return o


def _export_url(o: Outcomes, fmt: str = "csv") -> str:
    return reverse("evaluation:report_export", args=[o.programme.pk, fmt])


def _dropped_job(personas: Personas, capture: Any) -> BackgroundJob:
    """An export whose task never reached a worker (the broker was down when it was published)."""
    with capture(execute=False):
        return export_job_create(
            actor=personas.coordinator, fmt="csv", programme=personas.programme, filters=ReportFilters(), rows_total=1
        )


@pytest.mark.django_db
def test_a_large_export_becomes_a_background_job_only_its_requester_downloads(
    client: Client, personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    o = _built(personas)
    client.force_login(personas.coordinator)
    with django_capture_on_commit_callbacks(execute=True):  # the publish after the commit (eager in tests)
        response = client.get(_export_url(o))
    job = BackgroundJob.objects.get()
    assert response["Location"] == reverse("evaluation:export_job", args=[job.pk])
    assert (job.kind, job.target, job.state) == (BackgroundJob.Kind.REPORT_EXPORT, o.programme, "done")
    assert (job.total, job.result, job.message) == (1, {"rows": 1}, "CSV · 1 row")
    assert job.file_name.startswith("outcomes-")
    assert job.file_name.endswith(".csv")

    fragment = client.get(reverse("people:job_progress", args=[job.pk]), headers={"HX-Request": "true"})
    assert 'data-state="done"' in fragment.content.decode()
    assert "hx-trigger" not in fragment.content.decode()  # finished: the fragment stops polling
    assert fragment["HX-Redirect"] == response["Location"]  # on to the page with the download
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="export-download"' in page
    download = client.get(reverse("evaluation:export_job_download", args=[job.pk]))
    assert b"".join(download.streaming_content).decode("utf-8").startswith("\ufeffProgramme,")
    assert job.file_name in download["Content-Disposition"]
    client.force_login(personas.admin)
    for name in ("evaluation:export_job", "evaluation:export_job_download", "people:job_progress"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_the_same_large_export_asked_again_while_it_builds_follows_the_first_job(
    client: Client, personas: Personas
) -> None:
    o = _built(personas)
    client.force_login(personas.coordinator)
    first = client.get(_export_url(o))  # queued (tests run no on-commit publish)
    again = client.get(_export_url(o), follow=True)
    job = BackgroundJob.objects.get()  # not built twice
    assert first["Location"] == again.redirect_chain[0][0] == reverse("evaluation:export_job", args=[job.pk])
    assert "This export is already being built" in again.content.decode()
    client.get(_export_url(o, "xlsx"))
    client.force_login(personas.hr_analyst)
    client.get(_export_url(o))
    assert BackgroundJob.objects.count() == 3  # another format, or another person, is another export
    twin = BackgroundJob(kind=job.kind, target=o.programme, key=job.key, task=job.task, state="running")
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()  # the database itself refuses the duplicate
    BackgroundJob.objects.filter(pk=job.pk).update(state="done")
    client.force_login(personas.coordinator)
    assert client.get(_export_url(o))["Location"] != first["Location"]  # built: the next one is a new export


@pytest.mark.django_db
def test_a_running_export_polls_its_progress_and_the_old_status_url_leads_there(
    client: Client, personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    job = _dropped_job(personas, django_capture_on_commit_callbacks)
    BackgroundJob.objects.filter(pk=job.pk).update(state="running", stage="building", total=400, done=100)
    client.force_login(personas.coordinator)
    body = client.get(reverse("evaluation:export_job", args=[job.pk])).content.decode()
    assert f'hx-get="{reverse("people:job_progress", args=[job.pk])}"' in body
    assert 'hx-trigger="every 1s"' in body
    assert 'value="25"' in body
    assert "Building the file" in body
    assert 'data-testid="export-download"' not in body
    old = client.get(reverse("evaluation:export_job_status", args=[job.pk]), follow=True)
    assert old.redirect_chain == [(reverse("people:job_progress", args=[job.pk]), 302)]
    assert 'value="25"' in old.content.decode()


@pytest.mark.django_db
def test_the_home_panel_lists_the_persons_recent_exports(client: Client, personas: Personas) -> None:
    o = _built(personas)
    client.force_login(personas.coordinator)
    client.get(_export_url(o, "xlsx"))
    job = BackgroundJob.objects.get()
    fragment = client.get(reverse("evaluation:home_panel") + "?part=reports", headers={"HX-Request": "true"})
    assert f'href="{reverse("evaluation:export_job", args=[job.pk])}">XLSX · Waiting to start</a>' in (
        fragment.content.decode()
    )
    client.force_login(personas.hr_analyst)
    other = client.get(reverse("evaluation:home_panel") + "?part=reports", headers={"HX-Request": "true"})
    assert 'data-testid="exports"' not in other.content.decode()  # someone else's export is not listed


@pytest.mark.django_db
def test_an_export_queued_for_an_hour_fails_with_a_message_on_its_page(
    client: Client, personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    job = _dropped_job(personas, django_capture_on_commit_callbacks)
    assert jobs_unstick(now=timezone.now() + timedelta(minutes=5)) == {"retried": 0, "failed": 0}
    assert jobs_unstick(now=timezone.now() + timedelta(hours=2))["failed"] == 1
    job.refresh_from_db()
    assert job.state == BackgroundJob.State.FAILED
    client.force_login(personas.coordinator)
    page = client.get(reverse("evaluation:export_job", args=[job.pk])).content.decode()
    assert "It never started" in page


@pytest.mark.django_db
def test_an_export_whose_worker_died_fails_with_a_message(
    personas: Personas, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = _dropped_job(personas, django_capture_on_commit_callbacks)

    def dies(job: BackgroundJob, progress: Any) -> Any:
        raise WorkerLost

    monkeypatch.setattr(exports, "_build", dies)
    with pytest.raises(WorkerLost):
        export_job_build(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == BackgroundJob.State.RUNNING
    assert jobs_unstick(now=timezone.now() + timedelta(minutes=10))["failed"] == 0
    assert jobs_unstick(now=timezone.now() + timedelta(minutes=45))["failed"] == 1
    job.refresh_from_db()
    assert job.state == BackgroundJob.State.FAILED
    assert "interrupted" in job.message


@pytest.mark.django_db
def test_a_task_naming_a_job_of_another_kind_does_nothing(personas: Personas) -> None:
    """A message from before the exports moved names an old ExportJob id, which may be another kind's job now."""
    other = import_job_start(actor=personas.hr_analyst, upload=ContentFile(b"x"), file_name="a.csv", dry_run=True)
    assert export_job_build(job_id=other.pk) == "skipped"
    other.refresh_from_db()
    assert other.state == BackgroundJob.State.QUEUED


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_an_export_the_broker_dropped_is_published_again_by_the_sweep_and_built_by_a_real_worker(
    personas: Personas, redis_url: str, worker_thread_connections_closed: list[str]
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the worker's threads need a database they can share: PostgreSQL (CI) runs this test")
    _built(personas)
    with project_app_on(CLOSED_PORT_URL):  # the broker is down when the request publishes the build
        job = export_job_create(
            actor=personas.coordinator, fmt="csv", programme=personas.programme, filters=ReportFilters(), rows_total=1
        )
    queue = f"test-{uuid.uuid4().hex}"
    with (
        project_app_on(redis_url, task_default_queue=queue, worker_enable_remote_control=False) as app,
        start_worker(app, pool="threads", concurrency=1, perform_ping_check=False, queues=[queue]),
    ):
        assert jobs_unstick(now=timezone.now() + timedelta(minutes=15)) == {"retried": 1, "failed": 0}
        deadline = time.monotonic() + 30
        while not worker_thread_connections_closed and time.monotonic() < deadline:
            time.sleep(0.1)
    job.refresh_from_db()
    assert job.state == BackgroundJob.State.DONE, job.message
    assert job.file.read().decode("utf-8").startswith("\ufeffProgramme,")
