"""The orientation reminder task (its own module, found by mentoring/celery.py's autodiscovery)."""

from __future__ import annotations

from celery import shared_task

from mentoring.tasks_base import MentoringTask
from programmes.preparation.services.orientation import orientation_reminders_send


@shared_task(
    base=MentoringTask,
    name="programmes.tasks_orientation.send_orientation_reminders",
    soft_time_limit=120,
    time_limit=150,
)
def send_orientation_reminders() -> int:
    """Write the orientation reminders that are due (idempotent: each has a dedupe key)."""
    return orientation_reminders_send()
