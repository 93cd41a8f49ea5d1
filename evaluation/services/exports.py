"""Background exports: a large report export is a background job (people.services.jobs) whose worker builds
the file with progress; only the person who asked may download it.

Small exports stream straight to the browser; over `inline_limit()` rows the view starts a job of kind
"report_export" about the programme (none for the cross-programme report), keyed by the requester, the
format and the filters: the same export asked for again while it builds is refused by the database, and
the person follows the first. The claim, the failure message, the sweep of stuck jobs and the clean-up
of old files are the ones every background job has.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mentoring.tasks_base import MentoringTask
from people.models import BackgroundJob, User
from people.services.jobs import FAILED_MESSAGE, JobRefused, Progress, job_file_save, job_run, job_start
from programmes.models import Programme

from ..exports import csv_lines, table, xlsx_bytes
from ..reports import ReportFilters, outcome_report, programmes_for_reports

KIND = BackgroundJob.Kind.REPORT_EXPORT
FORMATS = ("csv", "xlsx")
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


def export_key(*, actor_id: int, fmt: str, filters: dict[str, str]) -> str:
    """What makes two exports of a programme the same one: who asked, the format and the filters."""
    return f"{actor_id}:{fmt}:{urlencode(sorted(filters.items()))}"


def export_job_create(
    *, actor: User, fmt: str, programme: Programme | None, filters: ReportFilters, rows_total: int
) -> BackgroundJob:
    """Queue an export of the report the actor is looking at; JobBusy (with that job) while it is being built."""
    query = filters.as_query()
    return job_start(
        actor=actor,
        kind=KIND,
        target=programme,
        task=build_export,
        params={"format": fmt, "filters": query, "rows": rows_total},
        key=export_key(actor_id=actor.pk, fmt=fmt, filters=query),
        busy_message=_("This export is already being built: it is ready here soon."),
    )


def export_job_build(*, job_id: int) -> str:
    """Build a queued export's file (the worker calls this); returns its final state."""
    return job_run(job_id=job_id, work=_build, kind=KIND)


def _build(job: BackgroundJob, progress: Progress) -> tuple[dict[str, Any], str]:
    """Write the file, with the job's progress updated as rows are written."""
    actor, fmt = job.requested_by, job.params.get("format", "")
    if actor is None or fmt not in FORMATS:  # the requester's account is gone: nobody could download it
        raise JobRefused(FAILED_MESSAGE)
    # What the requester may see now (a role they lost since asking no longer counts).
    allowed = programmes_for_reports(user=actor)
    programmes = allowed.filter(pk=job.target_id) if job.target_id else allowed
    reports = outcome_report(
        programmes=list(programmes.order_by("name")), filters=filters_from_json(job.params.get("filters", {}))
    )
    estimate, rows = int(job.params.get("rows", 0)), []
    for number, row in enumerate(table(reports)):
        rows.append(row)
        if number and number % PROGRESS_EVERY == 0:
            progress(BackgroundJob.Stage.BUILDING, number, max(estimate, number))
    written = max(len(rows) - 1, 0)  # the header is not a row of results
    progress(BackgroundJob.Stage.BUILDING, written, written)
    content = xlsx_bytes(rows) if fmt == "xlsx" else "".join(csv_lines(rows)).encode("utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    job_file_save(job, ContentFile(content), file_name=f"outcomes-{stamp}.{fmt}")
    with translation.override(actor.preferred_language or None):
        message = f"{fmt.upper()} · " + ngettext("%(n)s row", "%(n)s rows", written) % {"n": written}
    return {"rows": written}, message


def export_job_outcome(job: BackgroundJob) -> str:
    """A finished export's page: its download."""
    return reverse("evaluation:export_job", args=[job.pk])


# The task lives beside its service, which enqueues it; its stored name stays the one queued messages carry.
@shared_task(base=MentoringTask, name="evaluation.tasks.build_export", soft_time_limit=600, time_limit=660)
def build_export(job_id: int) -> str:
    """Build one queued report export into a file its requester can download."""
    return export_job_build(job_id=job_id)
