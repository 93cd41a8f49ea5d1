"""Background exports: a job row, a task that builds the file with progress, and who may download it.

Small exports stream straight to the browser; over `inline_limit()` rows the view creates an ExportJob and
the worker builds the file. The job is claimed by a conditional UPDATE (queued → running), so a retried
or duplicated task builds it once. The file is only ever served to the person who asked for it.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentoring.background import enqueue_on_commit
from mentoring.tasks_base import MentoringTask
from people.models import User
from programmes.models import Programme

from ..exports import csv_lines, table, xlsx_bytes
from ..models import ExportJob
from ..reports import ReportFilters, outcome_report, programmes_for_reports

logger = logging.getLogger(__name__)
DEFAULT_INLINE_LIMIT = 2000
PROGRESS_EVERY = 200


def inline_limit() -> int:
    """The most rows an export builds during the request; more go to a background job."""
    return int(getattr(settings, "EVALUATION_EXPORT_INLINE_ROWS", DEFAULT_INLINE_LIMIT))


def filters_from_json(data: dict[str, str]) -> ReportFilters:
    """The filters a job stored (as ReportFilters.as_query wrote them)."""

    def day(key: str) -> date | None:
        return date.fromisoformat(data[key]) if data.get(key) else None

    return ReportFilters(
        org_unit_id=int(data["org_unit"]) if data.get("org_unit") else None,
        cycle_id=int(data["cycle"]) if data.get("cycle") else None,
        role=data.get("role", ""),
        period_from=day("period_from"),
        period_to=day("period_to"),
    )


@transaction.atomic
def export_job_create(
    *, actor: User, fmt: str, programme: Programme | None, filters: ReportFilters, rows_total: int
) -> ExportJob:
    """Queue an export of the report the actor is looking at; the worker builds it after this commits."""
    job = ExportJob(
        requested_by=actor, programme=programme, format=fmt, filters=filters.as_query(), rows_total=rows_total
    )
    job.full_clean(exclude=["requested_by", "programme", "file"], validate_constraints=False)
    try:
        with transaction.atomic():
            job.save(force_insert=True)
    except IntegrityError as exc:  # one_unfinished_export_per_request: the same export is being built
        running = ExportJob.objects.filter(
            requested_by=actor,
            programme=programme,
            format=fmt,
            filters=job.filters,
            state__in=(ExportJob.State.QUEUED, ExportJob.State.RUNNING),
        ).first()
        raise ExportBusy(_("This export is already being built: it is ready here soon."), running) from exc
    enqueue_on_commit(build_export, job.pk)
    return job


class ExportBusy(Exception):
    """The same export is queued or being built already; `job` is that one."""

    def __init__(self, message: str, job: ExportJob | None) -> None:
        super().__init__(message)
        self.message = message
        self.job = job


def export_job_build(*, job_id: int) -> str:
    """Build a queued job's file (claiming it first); returns its final state."""
    now = timezone.now()
    if not ExportJob.objects.filter(pk=job_id, state=ExportJob.State.QUEUED).update(
        state=ExportJob.State.RUNNING, started_at=now
    ):
        return ExportJob.objects.filter(pk=job_id).values_list("state", flat=True).first() or "missing"
    job = ExportJob.objects.select_related("requested_by", "programme").get(pk=job_id)
    try:
        content = _build(job)
    except Exception as exc:  # a bug or a database error: the person sees it failed, not a spinner forever
        logger.exception("export job %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            state=ExportJob.State.FAILED, error=f"{type(exc).__name__}", finished_at=timezone.now()
        )
        return ExportJob.State.FAILED
    stamp = timezone.localtime(now).strftime("%Y%m%d-%H%M")
    job.filename = f"outcomes-{stamp}.{job.format}"
    # Stored under a random name: the download view checks who asks; the name must not be guessable either.
    job.file.save(f"{uuid.uuid4().hex}.{job.format}", ContentFile(content), save=False)
    job.state, job.rows_done, job.finished_at = ExportJob.State.DONE, job.rows_total, timezone.now()
    job.save(update_fields=["file", "filename", "state", "rows_done", "finished_at"])
    return ExportJob.State.DONE


def _build(job: ExportJob) -> bytes:
    """The file's bytes, with the job's progress updated as rows are written."""
    # What the requester may see now (a role they lost since asking no longer counts).
    allowed = programmes_for_reports(user=job.requested_by)
    programmes = allowed.filter(pk=job.programme_id) if job.programme_id else allowed
    reports = outcome_report(programmes=list(programmes.order_by("name")), filters=filters_from_json(job.filters))
    rows = []
    for number, row in enumerate(table(reports)):
        rows.append(row)
        if number and number % PROGRESS_EVERY == 0:
            ExportJob.objects.filter(pk=job.pk).update(rows_done=number)
    ExportJob.objects.filter(pk=job.pk).update(rows_total=max(len(rows) - 1, 0), rows_done=max(len(rows) - 1, 0))
    job.rows_total = max(len(rows) - 1, 0)
    if job.format == ExportJob.Format.XLSX:
        return xlsx_bytes(rows)
    return "".join(csv_lines(rows)).encode("utf-8")


# An export queued this long was probably published while the broker was down: queue it again; one
# queued this long never will start; one building this long lost its worker (the task's hard limit is 11 min).
QUEUED_RETRY_AFTER = timedelta(minutes=10)
QUEUED_GIVE_UP_AFTER = timedelta(hours=1)
RUNNING_GIVE_UP_AFTER = timedelta(minutes=30)


def export_jobs_unstick(*, now: datetime | None = None) -> dict[str, int]:
    """Nothing waits for ever: retry exports queued too long, fail (with a message) those that cannot finish.

    Idempotent: a retried job is still claimed by its conditional UPDATE, so building twice cannot happen,
    and the failures are conditional UPDATEs too.
    """
    now = now or timezone.now()
    queued = ExportJob.objects.filter(state=ExportJob.State.QUEUED)
    never = str(_("The export never started: the background worker could not be reached. Ask for it again."))
    failed = queued.filter(created_at__lte=now - QUEUED_GIVE_UP_AFTER).update(
        state=ExportJob.State.FAILED, error=never, finished_at=now
    )
    lost = str(_("The export stopped before it finished (its worker was interrupted). Ask for it again."))
    failed += ExportJob.objects.filter(
        state=ExportJob.State.RUNNING, started_at__lte=now - RUNNING_GIVE_UP_AFTER
    ).update(state=ExportJob.State.FAILED, error=lost, finished_at=now)
    retried = 0
    for job_id in queued.filter(created_at__lte=now - QUEUED_RETRY_AFTER).values_list("pk", flat=True):
        enqueue_on_commit(build_export, job_id)
        retried += 1
    return {"retried": retried, "failed": failed}


# The task lives beside its service, which enqueues it; its stored name stays the one queued messages carry.
@shared_task(base=MentoringTask, name="evaluation.tasks.build_export", soft_time_limit=600, time_limit=660)
def build_export(job_id: int) -> str:
    """Build one queued report export into a file its requester can download."""
    return export_job_build(job_id=job_id)
