"""Import previews, and finished background jobs with their files (an import's upload, a built export), are
deleted by the hourly clean-up once older than TEMPORARY_FILES_HOURS; newer ones and unfinished jobs stay,
and so does the file a kept job still names."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import RequestFactory
from django.utils import timezone

from conftest import Personas
from mentoring.celery import app
from people.models import BackgroundJob
from people.models_jobs import JOB_FOLDER
from people.services.import_jobs import import_job_run, import_job_start
from people.services.pending_imports import FOLDER, pending_import_save
from people.tasks import delete_temporary_files

pytestmark = pytest.mark.django_db


def test_old_previews_and_finished_jobs_go_and_recent_ones_stay(
    personas: Personas, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.TEMPORARY_FILES_HOURS = 24
    # The tests' in-memory storage lives as long as the process: files other tests left are not ours to count.
    for folder in (FOLDER, JOB_FOLDER):
        for name in _files_in(folder):
            default_storage.delete(f"{folder}/{name}")
    request = RequestFactory().get("/")
    request.session = {}  # type: ignore[attr-defined]
    pending_import_save(request, b"email,full_name\n", name="old.csv")
    old_path = request.session["people_import_pending"]["path"]  # type: ignore[attr-defined]
    job = import_job_start(actor=personas.hr_analyst, upload=ContentFile(b"x"), file_name="a.csv", dry_run=True)
    import_job_run(job_id=job.pk)  # a file with problems: its file goes at once
    kept = import_job_start(actor=personas.hr_analyst, upload=ContentFile(b"y"), file_name="k.csv", dry_run=True)
    BackgroundJob.objects.filter(pk=kept.pk).update(state="done")  # a good preview: its file waits for the import
    orphan = default_storage.save(f"{JOB_FOLDER}/orphan.csv", ContentFile(b"z"))  # its start was rolled back

    assert delete_temporary_files() == 0  # all recent
    assert default_storage.exists(old_path)

    later = timezone.now() + timedelta(hours=25)
    monkeypatch.setattr(timezone, "now", lambda: later)
    running = import_job_start(actor=personas.hr_analyst, upload=ContentFile(b"z"), file_name="b.csv", dry_run=True)
    assert delete_temporary_files() == 4  # the preview file, two finished jobs, the orphan
    assert not default_storage.exists(old_path)
    assert not default_storage.exists(kept.file.name)
    assert not default_storage.exists(orphan)
    assert list(BackgroundJob.objects.values_list("pk", flat=True)) == [running.pk]  # unfinished: kept
    assert default_storage.exists(running.file.name)  # a new file of a kept job: kept too


def _files_in(folder: str) -> list[str]:
    try:
        return default_storage.listdir(folder)[1]
    except FileNotFoundError:
        return []


def test_the_clean_up_runs_hourly() -> None:
    entry = app.conf.beat_schedule["delete-temporary-files"]
    assert entry["task"] == delete_temporary_files.name
    assert entry["schedule"] == timedelta(hours=1)
