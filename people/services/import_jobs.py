"""HRIS files too big for a web request: checked and imported by the worker while the page shows progress.

A file of more than PEOPLE_IMPORT_INLINE_BYTES (settings) becomes an ImportJob; `import_job_start` keeps
the file in the database and asks the worker once the transaction commits; the worker's
`import_job_run` claims the job with a conditional UPDATE (a retried or duplicated task runs it once),
reports progress per phase, and stores the outcome. A previewed job can then be imported as a new job.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from celery import shared_task
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mentoring.background import enqueue_on_commit
from mentoring.tasks_base import MentoringTask
from people.models import ImportJob, User

from .hris_import import ImportResult, ImportSummary, people_import
from .hris_rows import Problem


class ImportBusy(Exception):
    """Another import is queued or running; the message says so in words."""


@transaction.atomic
def import_job_start(*, actor: User, content: bytes, file_name: str, dry_run: bool) -> ImportJob:
    """Queue a check (dry_run) or an import of `content`; refused while another import job is unfinished."""
    job = ImportJob(requested_by=actor, content=content, file_name=file_name[:255], dry_run=dry_run)
    job.full_clean(exclude=["content"], validate_constraints=False)  # the database settles races
    try:
        with transaction.atomic():
            job.save(force_insert=True)
    except IntegrityError as exc:  # the partial unique constraint: one unfinished job at a time
        raise ImportBusy(
            _("Another import is still running. Wait until it has finished, then start this one again.")
        ) from exc
    enqueue_on_commit(run_import_job, job.pk)
    return job


@transaction.atomic
def import_job_confirm(*, actor: User, previewed: ImportJob) -> ImportJob:
    """Import the file of a preview that found no problems, as a new job."""
    if not previewed.dry_run or previewed.state != ImportJob.State.DONE or not previewed.result.get("ok"):
        raise ImportBusy(_("Only a preview without problems can be imported."))
    return import_job_start(
        actor=actor, content=bytes(previewed.content or b""), file_name=previewed.file_name, dry_run=False
    )


def import_job_run(*, job_id: int) -> str:
    """Run one queued job (the worker calls this); returns its final state."""
    claimed = ImportJob.objects.filter(pk=job_id, state=ImportJob.State.QUEUED).update(
        state=ImportJob.State.RUNNING, progress=1
    )
    if not claimed:
        return "skipped"
    job = ImportJob.objects.select_related("requested_by").get(pk=job_id)

    def report(percent: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(progress=percent)

    try:
        # Problems are written in words the requester reads.
        with translation.override(job.requested_by.preferred_language or None):
            result = people_import(
                actor=job.requested_by, content=bytes(job.content or b""), dry_run=job.dry_run, progress=report
            )
    except Exception:
        ImportJob.objects.filter(pk=job_id).update(state=ImportJob.State.FAILED, finished_at=timezone.now())
        raise
    keep_file = job.dry_run and result.ok  # a good preview may be imported next
    ImportJob.objects.filter(pk=job_id).update(
        state=ImportJob.State.DONE,
        progress=100,
        result=result_to_json(result),
        finished_at=timezone.now(),
        **({} if keep_file else {"content": None}),
    )
    return ImportJob.State.DONE


def result_to_json(result: ImportResult) -> dict[str, Any]:
    return {
        "ok": result.ok,
        "dry_run": result.dry_run,
        "summary": dataclasses.asdict(result.summary),
        "problems": [dataclasses.asdict(p) for p in result.problems],
        "problem_count": result.problem_count,
    }


def result_from_json(data: dict[str, Any]) -> ImportResult:
    """The stored outcome as the ImportResult the import page's templates show."""
    return ImportResult(
        dry_run=bool(data.get("dry_run")),
        summary=ImportSummary(**data.get("summary", {})),
        problems=[Problem(**p) for p in data.get("problems", [])],
        problem_count=int(data.get("problem_count", 0)),
    )


# The task lives beside its service, which enqueues it (so no service imports people.tasks); its stored
# name stays the one queued messages carry.
@shared_task(
    base=MentoringTask, name="people.tasks.run_import_job", ignore_result=True, soft_time_limit=900, time_limit=960
)
def run_import_job(job_id: int) -> str:
    """Check or import one queued HRIS file."""
    return import_job_run(job_id=job_id)
