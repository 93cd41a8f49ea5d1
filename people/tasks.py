"""Background work of the people app: the republish sweep of tasks a web request could not publish, the HRIS
sync and import, the clean-up of temporary files and finished jobs, and the sweep of stuck background jobs."""

from __future__ import annotations

import logging

from celery import current_app, shared_task

from mentoring.tasks_base import MentoringTask

from .models import PendingPublish
from .services.cleanup import temporary_files_delete
from .services.hris_sync import hris_sync_scheduled
from .services.import_jobs import run_import_job
from .services.jobs import jobs_unstick

__all__ = ["delete_temporary_files", "hris_sync", "republish_pending", "run_import_job", "unstick_background_jobs"]

logger = logging.getLogger(__name__)

BATCH = 500


@shared_task(base=MentoringTask, name="people.tasks.republish_pending", ignore_result=True)
def republish_pending() -> int:
    """Publish again each task a request failed to publish; delete it once the broker took it.

    A row is deleted only after its publish succeeded, so a sweep that dies midway leaves the rest for the
    next one. Every task published this way is idempotent (house rule), so a row published twice (a sweep
    killed between publish and delete) does its work once.
    """
    sent = 0
    for pending in PendingPublish.objects.all()[:BATCH]:
        try:
            current_app.send_task(pending.task, args=pending.args, kwargs=pending.kwargs)
        except Exception:
            logger.warning("republish: the broker still refuses %s", pending.task, exc_info=True)
            PendingPublish.objects.filter(pk=pending.pk).update(attempts=pending.attempts + 1)
            break  # the broker is down: the next sweep tries again
        PendingPublish.objects.filter(pk=pending.pk).delete()
        sent += 1
    return sent


@shared_task(base=MentoringTask, name="people.tasks.hris_sync", ignore_result=True)
def hris_sync() -> int | None:
    """The scheduled HRIS sync (HRIS_SYNC_SOURCE); a file already synced is not run again, so retries are safe."""
    sync = hris_sync_scheduled()
    return sync.pk if sync is not None else None


@shared_task(base=MentoringTask, name="people.tasks.delete_temporary_files", ignore_result=True)
def delete_temporary_files() -> int:
    """Delete import previews, and finished background jobs with their files, older than TEMPORARY_FILES_HOURS."""
    return temporary_files_delete()


@shared_task(base=MentoringTask, name="people.tasks.unstick_background_jobs", ignore_result=True)
def unstick_background_jobs() -> dict[str, int]:
    """Publish again background jobs queued too long; fail with a message those that cannot finish."""
    return jobs_unstick()
