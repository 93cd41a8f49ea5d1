"""Periodic and background work of the evaluation app. Tasks are thin: they call one service.

Each is idempotent: cycles move by conditional UPDATEs, invitations and reminders carry dedupe keys,
results are skipped when their inputs' fingerprint is unchanged, and an export job is claimed by a
conditional UPDATE before it is built. The two tasks a service enqueues (building an export, computing
results) live beside that service, so that no service imports this module; they are named here too.
Stuck exports are swept with every other background job (people.tasks.unstick_background_jobs).
"""

from __future__ import annotations

from celery import shared_task

from mentoring.tasks_base import MentoringTask

from .services.cycles import cycles_close_due, cycles_open_due
from .services.exports import build_export
from .services.instruments import cycles_remind_open
from .services.results import compute_outcome_results

__all__ = ["build_export", "compute_outcome_results", "open_and_close_cycles", "send_cycle_reminders"]


@shared_task(base=MentoringTask, name="evaluation.tasks.open_and_close_cycles")
def open_and_close_cycles() -> dict[str, int]:
    """Open the cycles whose day has come (sending their instruments) and close those whose window ended."""
    return {"opened": cycles_open_due(), "closed": cycles_close_due()}


@shared_task(base=MentoringTask, name="evaluation.tasks.send_cycle_reminders")
def send_cycle_reminders() -> int:
    """Remind, at most once a week, everyone who has not answered an open cycle's questionnaires."""
    return cycles_remind_open()
