"""The retention schedule's periodic task (mentoring/celery.py, daily): thin, idempotent."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from mentoring.tasks_base import MentoringTask

from .retention import programme_content_purge, programmes_due_for_purge


@shared_task(base=MentoringTask, name="privacy.tasks.apply_retention")
def apply_retention() -> int:
    """Purge the pair content of every closed programme past its retention period; returns how many."""
    purged = 0
    for programme_id in programmes_due_for_purge(now=timezone.now()):
        purged += programme_content_purge(programme_id=programme_id)
    return purged
