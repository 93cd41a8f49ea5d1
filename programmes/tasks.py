"""Periodic and background work of the programmes app. Tasks are thin: they call one service."""

from __future__ import annotations

from celery import shared_task

from mentoring.tasks_base import LongSweepTask, MentoringTask
from programmes.core.services.notifications import notifications_send_due
from programmes.enrolment.services.invitations import invitations_remind_due
from programmes.preparation.services.orientation import orientation_reminders_send


@shared_task(
    base=MentoringTask,
    name="programmes.tasks.send_due_notifications",
    # The sweep stops claiming after 60 s (its budget); these limits only stop a stuck send.
    soft_time_limit=120,
    time_limit=150,
)
def send_due_notifications() -> int:
    """Send every due notification once; returns how many rows this run settled."""
    return notifications_send_due()


@shared_task(
    base=LongSweepTask,
    name="programmes.tasks.sweep_support",
    soft_time_limit=600,
    time_limit=660,
)
def sweep_support() -> dict[str, int]:
    """Reminders, check-ins falling due, inactivity flags and tasks, the term (each written once, however often run)."""
    # Imported here: the support services import this module's tasks (to send the outbox soon).
    from programmes.support.services.reminders import support_sweep

    return dict(support_sweep().counts)


@shared_task(base=LongSweepTask, name="programmes.tasks.invitation_reminders")
def invitation_reminders() -> int:
    """One reminder to each invited person who neither opened the link nor applied (each at most once)."""
    return invitations_remind_due()


@shared_task(
    base=MentoringTask, name="programmes.tasks.run_match_job", ignore_result=True, soft_time_limit=900, time_limit=960
)
def run_match_job(job_id: int) -> str:
    """Solve and save one queued match run (matching.services.jobs); a duplicate delivery does nothing."""
    from programmes.matching.services.jobs import match_run_job_run

    return match_run_job_run(job_id=job_id)


@shared_task(
    base=MentoringTask,
    name="programmes.tasks.run_invitation_job",
    ignore_result=True,
    soft_time_limit=900,
    time_limit=960,
)
def run_invitation_job(job_id: int) -> str:
    """Invite the audience of one queued bulk invitation (enrolment.services.jobs), a batch at a time."""
    from programmes.enrolment.services.jobs import invitation_job_run

    return invitation_job_run(job_id=job_id)


# Its stored name is kept from the module it used to live in (queued messages and beat's schedule file carry it).
@shared_task(
    base=MentoringTask,
    name="programmes.tasks_orientation.send_orientation_reminders",
    soft_time_limit=120,
    time_limit=150,
)
def send_orientation_reminders() -> int:
    """Write the orientation reminders that are due (idempotent: each has a dedupe key)."""
    return orientation_reminders_send()
