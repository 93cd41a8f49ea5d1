"""Periodic and background work of the programmes app. Tasks are thin: they call one service."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from .services.invitations import invitations_remind_due
from .services.notifications import notifications_send_due


@shared_task(
    name="programmes.tasks.send_due_notifications",
    # A database that is briefly away (failover, restart) is retried soon, with jittered exponential
    # backoff (about 2, 4, 8, 16 s): the beat entry expires after one interval, so late retries would
    # only duplicate the next sweep.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=60,
    retry_jitter=True,
    max_retries=4,
    # The sweep stops claiming after 60 s (its budget); these limits only stop a stuck send.
    soft_time_limit=120,
    time_limit=150,
)
def send_due_notifications() -> int:
    """Send every due notification once; returns how many rows this run settled."""
    return notifications_send_due()


@shared_task(
    name="programmes.tasks.sweep_support",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=3,
    soft_time_limit=600,
    time_limit=660,
)
def sweep_support() -> dict[str, int]:
    """Reminders, check-ins falling due, inactivity flags and tasks, the term (each written once, however often run)."""
    # Imported here: the support services import this module's tasks (to send the outbox soon).
    from .services.reminders import support_sweep

    return dict(support_sweep().counts)


@shared_task(
    name="programmes.tasks.invitation_reminders",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=5,
    retry_backoff_max=120,
    retry_jitter=True,
    max_retries=3,
)
def invitation_reminders() -> int:
    """One reminder to each invited person who neither opened the link nor applied (each at most once)."""
    return invitations_remind_due()
