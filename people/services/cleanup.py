"""Temporary files of the people app and of background jobs, deleted when old.

Import previews (the small files a session previewed) and background jobs' files (an import's upload, a
built export) live in the default storage (settings.STORAGES["default"], one setting), never on a web
process's own disk; beat runs this every hour so that neither they nor finished jobs pile up.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from people.models import BackgroundJob, PendingPublish
from people.models_jobs import JOB_FOLDER

from .jobs import jobs_delete_old
from .pending_imports import FOLDER


def temporary_files_delete() -> int:
    """Delete what is older than TEMPORARY_FILES_HOURS; returns how many files and jobs went."""
    cutoff = timezone.now() - timedelta(hours=settings.TEMPORARY_FILES_HOURS)
    deleted = jobs_delete_old(before=cutoff) + _old_files_delete(FOLDER, cutoff)
    # A job's file whose row is gone (a start whose transaction rolled back after the file was stored).
    kept = set(BackgroundJob.objects.exclude(file="").values_list("file", flat=True))
    deleted += _old_files_delete(JOB_FOLDER, cutoff, keep=kept)
    # A publish nobody could send for a week is not going to be wanted any more.
    PendingPublish.objects.filter(created_at__lt=timezone.now() - timedelta(days=7)).delete()
    return deleted


def _old_files_delete(folder: str, cutoff: datetime, keep: Collection[str] = ()) -> int:
    try:
        _folders, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotImplementedError):
        return 0
    deleted = 0
    for name in files:
        path = f"{folder}/{name}"
        if path not in keep and default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            deleted += 1
    return deleted
