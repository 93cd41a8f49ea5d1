"""Import previews and finished import jobs are deleted by the hourly clean-up once older than
TEMPORARY_FILES_HOURS; newer ones and unfinished jobs stay."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import RequestFactory
from django.utils import timezone

from conftest import Personas
from mentoring.celery import app
from people.models import ImportJob
from people.services.import_jobs import import_job_run, import_job_start
from people.services.pending_imports import FOLDER, pending_import_save
from people.tasks import delete_temporary_files

pytestmark = pytest.mark.django_db


def test_old_previews_and_finished_jobs_go_and_recent_ones_stay(
    personas: Personas, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.TEMPORARY_FILES_HOURS = 24
    # The tests' in-memory storage lives as long as the process: previews other tests left are not ours to count.
    for name in _files_in(FOLDER):
        default_storage.delete(f"{FOLDER}/{name}")
    request = RequestFactory().get("/")
    request.session = {}  # type: ignore[attr-defined]
    pending_import_save(request, b"email,full_name\n", name="old.csv")
    old_path = request.session["people_import_pending"]["path"]  # type: ignore[attr-defined]
    job = import_job_start(actor=personas.hr_analyst, content=b"email,full_name\n", file_name="a.csv", dry_run=True)
    import_job_run(job_id=job.pk)

    assert delete_temporary_files() == 0  # all recent
    assert default_storage.exists(old_path)

    later = timezone.now() + timedelta(hours=25)
    monkeypatch.setattr(timezone, "now", lambda: later)
    running = import_job_start(actor=personas.hr_analyst, content=b"x", file_name="b.csv", dry_run=True)
    assert delete_temporary_files() == 2  # the preview file and the finished job
    assert not default_storage.exists(old_path)
    assert list(ImportJob.objects.values_list("pk", flat=True)) == [running.pk]  # unfinished: kept


def _files_in(folder: str) -> list[str]:
    try:
        return default_storage.listdir(folder)[1]
    except FileNotFoundError:
        return []


def test_the_clean_up_runs_hourly() -> None:
    entry = app.conf.beat_schedule["delete-temporary-files"]
    assert entry["task"] == delete_temporary_files.name
    assert entry["schedule"] == timedelta(hours=1)
