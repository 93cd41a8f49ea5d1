"""HRIS files too big for a web request: checked and imported by the worker while the page shows progress.

A file of more than PEOPLE_IMPORT_INLINE_BYTES (settings) becomes a background job (people.services.jobs,
kind "people_import", organisation-wide, so one import at a time: two imports of the whole directory at
once would only refuse each other). `import_job_start` keeps the upload as the job's file in the default
storage; the worker's `import_job_run` reads it, reports progress by phase and stores the outcome (the
summary, or the problems by row) as the job's result. A preview without problems keeps its file, which
`import_job_confirm` hands to a new job that imports it; any other job's file is deleted once it has run.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from celery import shared_task
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from mentoring.tasks_base import MentoringTask
from people.models import BackgroundJob, User

from .hris_import import ImportResult, ImportSummary, people_import
from .hris_rows import Problem
from .jobs import JobRefused, Progress, job_file_delete, job_file_hand_over, job_file_read, job_run, job_start

KIND = BackgroundJob.Kind.PEOPLE_IMPORT


def _busy() -> str:
    return _("Another import is still running. Wait until it has finished, then start this one again.")


def import_job_start(*, actor: User, upload: File[Any], file_name: str, dry_run: bool) -> BackgroundJob:
    """Queue a check (dry_run) or an import of `upload`; JobBusy while another import job is unfinished."""
    return job_start(
        actor=actor,
        kind=KIND,
        target=None,
        task=run_import_job,
        params={"dry_run": dry_run},
        busy_message=_busy(),
        file=upload,
        file_name=file_name,
    )


@transaction.atomic
def import_job_confirm(*, actor: User, previewed: BackgroundJob) -> BackgroundJob:
    """Import the file of a preview that found no problems, as a new job (JobRefused, JobBusy otherwise)."""
    previewed = BackgroundJob.objects.select_for_update().get(pk=previewed.pk)  # two clicks hand it over once
    finished = previewed.state == BackgroundJob.State.DONE
    if not (previewed.params.get("dry_run") and finished and previewed.result.get("ok")):
        raise JobRefused(_("Only a preview without problems can be imported."))
    if not previewed.file:
        raise JobRefused(_("That preview has expired or was already imported. Upload the file again."))
    job = job_start(
        actor=actor,
        kind=KIND,
        target=None,
        task=run_import_job,
        params={"dry_run": False},
        busy_message=_busy(),
        file_name=previewed.file_name,
    )
    job_file_hand_over(source=previewed, to=job)
    return job


def import_job_run(*, job_id: int) -> str:
    """Run one queued import job (the worker calls this); returns its final state."""
    return job_run(job_id=job_id, work=_import, kind=KIND)


def _import(job: BackgroundJob, progress: Progress) -> tuple[dict[str, Any], str]:
    actor = job.requested_by
    if actor is None:  # the requester's account was deleted since: whose duties would the import check?
        raise JobRefused(_("The person who started this import no longer has an account. Start it again."))
    content = job_file_read(job)
    if content is None:  # deleted by the clean-up, or never stored
        raise JobRefused(_("The uploaded file is no longer kept. Upload it again."))
    dry_run = bool(job.params.get("dry_run"))

    def report(percent: int) -> None:
        writing = percent >= 80 and not dry_run  # people_import reports 80 just before it writes
        progress(BackgroundJob.Stage.WRITING if writing else BackgroundJob.Stage.CHECKING, percent, 100)

    with translation.override(actor.preferred_language or None):  # problems in words the requester reads
        result = people_import(actor=actor, content=content, dry_run=dry_run, progress=report)
        message = imported_message(result.summary) if result.ok and not dry_run else ""
    if not (dry_run and result.ok):  # only a good preview's file is needed again (for its import)
        job_file_delete(job)
    return result_to_json(result), message


def imported_message(s: ImportSummary) -> str:
    """What an import did, in one sentence (the page after an inline import, the job's message)."""
    return _(
        "Imported: %(created)s people created, %(updated)s updated, %(unchanged)s unchanged; "
        "%(units)s org units created, %(units_updated)s updated; "
        "%(ratings)s ratings recorded, %(ratings_updated)s updated."
    ) % {
        "created": s.people_created,
        "updated": s.people_updated,
        "unchanged": s.people_unchanged,
        "units": s.units_created,
        "units_updated": s.units_updated,
        "ratings": s.ratings_created,
        "ratings_updated": s.ratings_updated,
    }


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


def import_job_access(user: User, job: BackgroundJob) -> None:
    """Who follows an import: HR analysts and site admins (403 for anyone else), their own jobs only (404)."""
    if not (user.is_hr_analyst or user.is_site_admin):
        raise PermissionDenied
    if job.requested_by_id != user.pk:
        raise Http404


def import_job_outcome(job: BackgroundJob) -> str:
    """A finished import's page: what it imported, or its problems, or the preview to import."""
    return reverse("people:import_job", args=[job.pk])


# The task lives beside its service, which enqueues it (so no service imports people.tasks); its stored
# name stays the one queued messages carry.
@shared_task(
    base=MentoringTask, name="people.tasks.run_import_job", ignore_result=True, soft_time_limit=900, time_limit=960
)
def run_import_job(job_id: int) -> str:
    """Check or import one queued HRIS file."""
    return import_job_run(job_id=job_id)
