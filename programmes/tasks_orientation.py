"""The orientation reminder task (its own module, found by mentoring/celery.py's autodiscovery)."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .services.orientation import orientation_reminders_send


@shared_task(
    name="programmes.tasks_orientation.send_orientation_reminders",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=4,
    soft_time_limit=120,
    time_limit=150,
)
def send_orientation_reminders() -> int:
    """Write the orientation reminders that are due (idempotent: each has a dedupe key)."""
    return orientation_reminders_send()
