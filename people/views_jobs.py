"""The progress of a background job (people.models_jobs), as a fragment htmx polls until the job ends.

Who may follow a job, and which page shows its outcome, depend on its kind, which the app that owns the
work says: programmes registers "the target programme's coordinators" and "the new run's review page" for
match runs (`register_job_kind`, from its AppConfig.ready, since people may not import programmes). A kind
nobody registered is for its requester only.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import BackgroundJob, User
from .types import AuthedRequest

# kind → a check that raises Http404 (out of scope) or PermissionDenied (in scope, not allowed).
JobAccess = Callable[[User, BackgroundJob], None]
# kind → the page of a finished job's outcome (None: the progress fragment is all there is).
JobOutcome = Callable[[BackgroundJob], str | None]
_ACCESS: dict[str, JobAccess] = {}
_OUTCOME: dict[str, JobOutcome] = {}


def register_job_kind(kind: str, *, access: JobAccess, outcome_url: JobOutcome) -> None:
    """Say who may follow jobs of `kind` and where their outcome is (an app's AppConfig.ready calls this)."""
    _ACCESS[kind] = access
    _OUTCOME[kind] = outcome_url


def outcome_url(job: BackgroundJob) -> str | None:
    """The page that shows a finished job's outcome, if its kind has one."""
    found = _OUTCOME.get(job.kind)
    return found(job) if found is not None and job.state == BackgroundJob.State.DONE else None


def get_job_for_user(user: User, pk: int) -> BackgroundJob:
    """The job, for those its kind allows (anyone else: 404 or 403)."""
    job = BackgroundJob.objects.filter(pk=pk).first()
    if job is None:
        raise Http404
    check = _ACCESS.get(job.kind)
    if check is not None:
        check(user, job)
    elif job.requested_by_id != user.pk:
        raise Http404
    return job


@require_GET
def job_progress(request: AuthedRequest, pk: int) -> HttpResponse:
    """The job's progress bar by stage; once it is done, htmx is sent on to its outcome's page."""
    job = get_job_for_user(request.user, pk)
    next_url = outcome_url(job)
    response = render(request, "people/_job_progress.html", {"job": job, "outcome_url": next_url})
    if next_url and request.headers.get("HX-Request") == "true":
        response["HX-Redirect"] = next_url  # the page becomes the outcome (the proposals, say)
    return response
