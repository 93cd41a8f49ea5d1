"""Background jobs: start one (refused while the same one runs), run it with progress, sweep the stuck ones.

    job_start (web request) → on commit: the task → job_run (worker): claim, work, done or failed

`job_start` inserts the row; the partial unique index of BackgroundJob refuses a second unfinished job of
the same kind, target and key, and that refusal becomes `JobBusy` with a message. The task calls `job_run`
with the work to do: the claim is a conditional UPDATE, so a retried or duplicated task does nothing;
the work reports its stage and progress through a `Progress`; an exception marks the job failed with a
message the requester can act on (a `JobRefused` carries its own, anything else gets a general one and
is logged). The work itself must write all or nothing (one transaction at its end).

Two sweeps keep the table honest: `jobs_unstick` (beat, often) publishes again what the broker dropped
and fails what cannot finish; `jobs_delete_old` (the hourly clean-up) deletes finished jobs and their files.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePath
from typing import Any

from celery import Task, current_app
from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, models, transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentoring.background import enqueue_on_commit
from people.models import BackgroundJob, User

logger = logging.getLogger(__name__)


# Who may follow a job, and which page shows its outcome, depend on its kind, which the app that owns the
# work says: programmes registers "the target programme's coordinators" and "the new run's review page"
# for match runs (from its AppConfig.ready, since people may not import programmes).
# kind → a check that raises Http404 (out of scope) or PermissionDenied (in scope, not allowed).
JobAccess = Callable[[User, BackgroundJob], None]
# kind → the page of a finished job's outcome (None: the progress fragment is all there is).
JobOutcome = Callable[[BackgroundJob], str | None]
_ACCESS: dict[str, JobAccess] = {}
_OUTCOME: dict[str, JobOutcome] = {}


def register_job_kind(kind: str, *, access: JobAccess | None = None, outcome_url: JobOutcome) -> None:
    """Say who may follow jobs of `kind` (no check: its requester only) and where their outcome is.

    An app's AppConfig.ready calls this.
    """
    if access is not None:
        _ACCESS[kind] = access
    _OUTCOME[kind] = outcome_url


def get_job_for_user(user: User, pk: int, *, kind: str | None = None) -> BackgroundJob:
    """The job (of `kind`, when given), for those its kind allows (anyone else: 404 or 403).

    A kind without an access check of its own is for its requester only (anyone else, an admin too: 404).
    """
    job = BackgroundJob.objects.filter(pk=pk, **({"kind": kind} if kind else {})).first()
    if job is None:
        raise Http404
    check = _ACCESS.get(job.kind)
    if check is not None:
        check(user, job)
    elif job.requested_by_id is None or job.requested_by_id != user.pk:
        raise Http404
    return job


def outcome_url(job: BackgroundJob) -> str | None:
    """The page that shows a finished job's outcome, if its kind has one."""
    found = _OUTCOME.get(job.kind)
    return found(job) if found is not None and job.state == BackgroundJob.State.DONE else None


class JobBusy(Exception):
    """The same job is already queued or running; the message says so in words."""

    def __init__(self, message: str | Promise, job: BackgroundJob | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.job = job


class JobRefused(Exception):
    """The work found a reason, in words, not to go on (the programme left matching, the pool is empty)."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = str(message)


def unfinished_job(*, kind: str, target: models.Model | None, key: str = "") -> BackgroundJob | None:
    """The queued or running job of this kind and key about `target`, if any."""
    return (
        BackgroundJob.objects.filter(
            kind=kind, key=key, state__in=(BackgroundJob.State.QUEUED, BackgroundJob.State.RUNNING)
        )
        .filter(**BackgroundJob.target_filter(target))
        .first()
    )


def latest_job(*, kind: str, target: models.Model) -> BackgroundJob | None:
    """The most recent job of this kind about `target` (finished or not)."""
    return BackgroundJob.objects.filter(kind=kind, **BackgroundJob.target_filter(target)).first()


@transaction.atomic
def job_start(
    *,
    actor: User,
    kind: str,
    target: models.Model | None,
    task: Task,
    params: dict[str, Any] | None = None,
    key: str = "",
    busy_message: str | Promise | None = None,
    file: File[Any] | None = None,
    file_name: str = "",
) -> BackgroundJob:
    """Queue `task(job id)` for `target`; JobBusy while the same job (kind, target, key) is unfinished.

    `file` (an upload, say) is kept in the default storage for the work to read; `busy_message` replaces the
    general refusal ("… is already running for this programme").
    """
    job = BackgroundJob(
        kind=kind, requested_by=actor, task=task.name, params=params or {}, key=key, file_name=file_name[:255]
    )
    job.target = target
    job.full_clean(exclude=["file"], validate_constraints=False)  # the database settles races
    try:
        with transaction.atomic():
            job.save(force_insert=True)
    except IntegrityError as exc:  # one_unfinished_job_per_kind_target_and_key
        running = unfinished_job(kind=kind, target=target, key=key)
        message = busy_message or _(
            "%(kind)s is already running for this programme. Wait until it has finished, then start it again."
        ) % {"kind": BackgroundJob.Kind(kind).label}
        raise JobBusy(message, running) from exc
    if file is not None:  # stored only once the start is accepted: a refused one writes nothing
        job_file_save(job, file)
    enqueue_on_commit(task, job.pk)
    return job


def job_file_save(job: BackgroundJob, content: File[Any], *, file_name: str | None = None) -> None:
    """Keep `content` as the job's file, under a random name (the views check who asks; names are not guessed)."""
    suffix = PurePath(file_name or job.file_name).suffix.lower()
    suffix = suffix if suffix[1:].isalnum() and len(suffix) <= 6 else ""
    job.file.save(f"{secrets.token_hex(16)}{suffix}", content, save=False)
    if file_name is not None:
        job.file_name = file_name[:255]
    BackgroundJob.objects.filter(pk=job.pk).update(file=job.file.name, file_name=job.file_name)


def job_file_read(job: BackgroundJob) -> bytes | None:
    """The job's file, whole (the HRIS import reads its upload so); None when it has none or it is gone."""
    if not job.file:
        return None
    try:
        with job.file.open("rb") as stored:
            return bytes(stored.read())
    except OSError:
        return None


def job_file_hand_over(*, source: BackgroundJob, to: BackgroundJob) -> None:
    """Give `source`'s file to the job `to` (an import of what a preview checked): one owner, no copy."""
    BackgroundJob.objects.filter(pk=to.pk).update(file=source.file.name, file_name=source.file_name)
    BackgroundJob.objects.filter(pk=source.pk).update(file="")
    to.file.name, source.file.name = source.file.name, ""


def job_file_delete(job: BackgroundJob) -> None:
    """Delete the job's file (once the work no longer needs it)."""
    if job.file:
        job.file.delete(save=False)
        BackgroundJob.objects.filter(pk=job.pk).update(file="")


@dataclass
class Progress:
    """What the work calls to say how far it is: the stage, and done out of total (written at once)."""

    job_id: int
    on_stage: Callable[[str], None] | None = None  # the benchmark times stages with it

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.on_stage is not None:
            self.on_stage(stage)
        BackgroundJob.objects.filter(pk=self.job_id).update(
            stage=stage, done=min(done, total), total=total, updated_at=timezone.now()
        )


FAILED_MESSAGE = gettext_lazy(
    "Something went wrong and nothing was saved. Try again; if it fails again, tell an administrator."
)


def job_run(
    *,
    job_id: int,
    work: Callable[[BackgroundJob, Progress], tuple[dict[str, Any], str]],
    on_stage: Callable[[str], None] | None = None,
    kind: str | None = None,
) -> str:
    """Claim a queued job and do its `work` (which returns its result and a sentence); returns the final state.

    With `kind`, only a job of that kind is claimed (a message naming a job of another table, from before
    the imports and exports moved here, finds nothing to do).
    """
    now = timezone.now()
    claimed = (
        BackgroundJob.objects.filter(pk=job_id, state=BackgroundJob.State.QUEUED)
        .filter(**({"kind": kind} if kind else {}))
        .update(state=BackgroundJob.State.RUNNING, started_at=now, updated_at=now)
    )
    if not claimed:
        return "skipped"
    job = BackgroundJob.objects.select_related("requested_by").get(pk=job_id)
    # The job's messages are written for the person who started it, in their language.
    language = (job.requested_by.preferred_language if job.requested_by else "") or settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            result, message = work(job, Progress(job_id, on_stage))
        except JobRefused as exc:
            return _fail(job_id, exc.message)
        except Exception:
            logger.exception("background job %s (%s) failed", job_id, job.kind)
            return _fail(job_id, str(FAILED_MESSAGE))
    BackgroundJob.objects.filter(pk=job_id, state=BackgroundJob.State.RUNNING).update(
        state=BackgroundJob.State.DONE,
        done=models.F("total"),
        result=result,
        message=message,
        finished_at=timezone.now(),
    )
    return BackgroundJob.State.DONE


def _fail(job_id: int, message: str) -> str:
    BackgroundJob.objects.filter(pk=job_id).update(
        state=BackgroundJob.State.FAILED, message=message, finished_at=timezone.now()
    )
    return BackgroundJob.State.FAILED


# A job queued this long was probably published while the broker was down: publish it again; one queued
# this long never will start; one silent this long lost its worker (each stage reports well within it).
QUEUED_RETRY_AFTER = timedelta(minutes=10)
QUEUED_GIVE_UP_AFTER = timedelta(hours=1)
SILENT_GIVE_UP_AFTER = timedelta(minutes=30)


def jobs_unstick(*, now: datetime | None = None) -> dict[str, int]:
    """Nothing waits for ever: publish again jobs queued too long, fail (with a message) those that cannot finish.

    Idempotent: a job published twice is still claimed once, and the failures are conditional UPDATEs.
    """
    now = now or timezone.now()
    queued = BackgroundJob.objects.filter(state=BackgroundJob.State.QUEUED)
    never = _("It never started: the background worker could not be reached. Start it again.")
    failed = queued.filter(created_at__lte=now - QUEUED_GIVE_UP_AFTER).update(
        state=BackgroundJob.State.FAILED, message=never, finished_at=now
    )
    lost = _("It stopped before it finished (its worker was interrupted) and nothing was saved. Start it again.")
    failed += BackgroundJob.objects.filter(
        state=BackgroundJob.State.RUNNING, updated_at__lte=now - SILENT_GIVE_UP_AFTER
    ).update(state=BackgroundJob.State.FAILED, message=lost, finished_at=now)
    retried = 0
    for job_id, task in queued.filter(created_at__lte=now - QUEUED_RETRY_AFTER).values_list("pk", "task"):
        try:
            current_app.send_task(task, args=[job_id])
        except Exception:
            logger.warning("jobs_unstick: the broker still refuses job %s", job_id, exc_info=True)
            break
        retried += 1
    return {"retried": retried, "failed": failed}


def jobs_delete_old(*, before: datetime) -> int:
    """Delete the jobs that finished before `before`, with their files; returns how many jobs went.

    A finished job is only there for its page (the progress, an import's problems, an export's download);
    what the work made (a run, invitations, people) lives in its own tables. Unfinished jobs are the
    sweep's (jobs_unstick), never deleted here.
    """
    finished = BackgroundJob.objects.filter(
        state__in=(BackgroundJob.State.DONE, BackgroundJob.State.FAILED), created_at__lt=before
    )
    for job in finished.exclude(file="").only("pk", "file"):
        job.file.delete(save=False)
    return int(finished.delete()[0])
