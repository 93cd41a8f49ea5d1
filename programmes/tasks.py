"""Periodic and background work of the programmes app. Tasks are thin: they call one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="programmes.tasks.send_due_notifications")
def send_due_notifications() -> int:
    """Send every due notification once; returns how many this run sent."""
    from .services.notifications import notifications_send_due

    return notifications_send_due()
