"""Periodic and background work of the evaluation app. Tasks are thin: they call one service.

Each is idempotent: cycles move by conditional UPDATEs, invitations and reminders carry dedupe keys,
results are skipped when their inputs' fingerprint is unchanged, and an export job is claimed by a
conditional UPDATE before it is built.
"""

from __future__ import annotations

from celery import shared_task

from mentoring.tasks_base import MentoringTask
from programmes.models import Programme


@shared_task(base=MentoringTask, name="evaluation.tasks.open_and_close_cycles")
def open_and_close_cycles() -> dict[str, int]:
    """Open the cycles whose day has come (sending their instruments) and close those whose window ended."""
    from .services.cycles import cycles_close_due, cycles_open_due

    return {"opened": cycles_open_due(), "closed": cycles_close_due()}


@shared_task(base=MentoringTask, name="evaluation.tasks.send_cycle_reminders")
def send_cycle_reminders() -> int:
    """Remind, at most once a week, everyone who has not answered an open cycle's questionnaires."""
    from .services.instruments import cycles_remind_open

    return cycles_remind_open()


@shared_task(base=MentoringTask, name="evaluation.tasks.compute_outcome_results")
def compute_outcome_results(programme_id: int | None = None) -> int:
    """Recompute the outcome results whose inputs changed (one programme, or every programme)."""
    from .services.results import outcome_results_compute, outcome_results_compute_all

    if programme_id is None:
        return outcome_results_compute_all()
    programme = Programme.objects.filter(pk=programme_id).first()
    return outcome_results_compute(programme=programme) if programme is not None else 0


@shared_task(
    base=MentoringTask,
    name="evaluation.tasks.build_export",
    soft_time_limit=600,
    time_limit=660,
)
def build_export(job_id: int) -> str:
    """Build one queued report export into a file its requester can download."""
    from .services.exports import export_job_build

    return export_job_build(job_id=job_id)


@shared_task(base=MentoringTask, name="evaluation.tasks.unstick_export_jobs")
def unstick_export_jobs() -> dict[str, int]:
    """Retry exports queued too long (a broker that was down) and fail those that can no longer finish."""
    from .services.exports import export_jobs_unstick

    return export_jobs_unstick()
