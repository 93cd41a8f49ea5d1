"""Nothing waits for ever: exports the broker dropped are queued again, those that cannot finish fail with a
message, by the periodic task in the beat schedule."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from conftest import Personas
from evaluation.models import ExportJob
from evaluation.reports import ReportFilters
from evaluation.services import exports
from evaluation.services.exports import export_job_build, export_job_create, export_jobs_unstick
from mentoring.celery import app

pytestmark = pytest.mark.django_db


class WorkerLost(BaseException):
    """The worker process died in the middle of a build (not an error the build could catch)."""


def _dropped_job(personas: Personas, capture: Any) -> ExportJob:
    """An export whose task never reached a worker (the broker was down when it was published)."""
    with capture(execute=False):
        return export_job_create(
            actor=personas.coordinator, fmt="csv", programme=personas.programme, filters=ReportFilters(), rows_total=1
        )


def test_the_beat_schedule_runs_the_unsticking_task() -> None:
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "evaluation.tasks.unstick_export_jobs" in tasks


def test_an_export_the_broker_dropped_is_queued_again_and_built(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    job = _dropped_job(personas, django_capture_on_commit_callbacks)
    assert export_jobs_unstick(now=timezone.now() + timedelta(minutes=5)) == {"retried": 0, "failed": 0}
    job.refresh_from_db()
    assert job.state == ExportJob.State.QUEUED
    with django_capture_on_commit_callbacks(execute=True):
        figures = export_jobs_unstick(now=timezone.now() + timedelta(minutes=15))
    assert figures == {"retried": 1, "failed": 0}
    job.refresh_from_db()
    assert job.state == ExportJob.State.DONE


def test_an_export_queued_for_an_hour_fails_with_a_message(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    job = _dropped_job(personas, django_capture_on_commit_callbacks)
    assert export_jobs_unstick(now=timezone.now() + timedelta(hours=2))["failed"] == 1
    job.refresh_from_db()
    assert job.state == ExportJob.State.FAILED
    assert "Ask for it again" in job.error


def test_an_export_whose_worker_died_fails_with_a_message(
    personas: Personas, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = _dropped_job(personas, django_capture_on_commit_callbacks)

    def dies(job: ExportJob) -> bytes:
        raise WorkerLost

    monkeypatch.setattr(exports, "_build", dies)
    with pytest.raises(WorkerLost):
        export_job_build(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == ExportJob.State.RUNNING
    assert export_jobs_unstick(now=timezone.now() + timedelta(minutes=10))["failed"] == 0
    assert export_jobs_unstick(now=timezone.now() + timedelta(minutes=45))["failed"] == 1
    job.refresh_from_db()
    assert job.state == ExportJob.State.FAILED
    assert "interrupted" in job.error
