"""Temporary files of the people app (import previews, background imports' files), deleted when old.

They live in the default storage (settings.STORAGES["default"], one setting) or the database, never on a
web process's own disk, and beat runs this every hour so that they do not pile up.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from people.models import ImportJob, PendingPublish

from .pending_imports import FOLDER


def temporary_files_delete() -> int:
    """Delete what is older than TEMPORARY_FILES_HOURS; returns how many files and jobs went."""
    cutoff = timezone.now() - timedelta(hours=settings.TEMPORARY_FILES_HOURS)
    deleted = 0
    try:
        _folders, files = default_storage.listdir(FOLDER)
    except (FileNotFoundError, NotImplementedError):
        files = []
    for name in files:
        path = f"{FOLDER}/{name}"
        if default_storage.get_modified_time(path) < cutoff:
            default_storage.delete(path)
            deleted += 1
    finished = ImportJob.objects.filter(state__in=[ImportJob.State.DONE, ImportJob.State.FAILED], created_at__lt=cutoff)
    deleted += finished.delete()[0]
    # A publish nobody could send for a week is not going to be wanted any more.
    PendingPublish.objects.filter(created_at__lt=timezone.now() - timedelta(days=7)).delete()
    return deleted
