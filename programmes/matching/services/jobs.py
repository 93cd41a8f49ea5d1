"""Match runs in the background: the coordinator starts one, the worker solves and saves it, the page follows.

    match_run_start (request) → tasks.run_match_job → match_run_job_run (worker) → a draft run, or a message

The request only queues a BackgroundJob (people.services.jobs): a second start for the same programme
while one is queued or running is refused by the database. The worker runs the same match_run_create the
demo and the tests call, reporting each stage; the pool is loaded, scored, solved and explained without
any lock, and the draft is written in one transaction at the end under the programme's row lock (so a
failure anywhere leaves no half-written proposals, and nothing waits on the lock for the whole run).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from people.models import BackgroundJob, User
from people.services.jobs import JobRefused, Progress, job_run, job_start
from programmes.access import Action, standing_for
from programmes.core.errors import DomainError
from programmes.core.figures_cache import programme_data_changed
from programmes.models import Programme

from .matching import _require_matching_phase, match_run_create

# Where each stage starts on the progress bar (percent): the solve and the explanations take longest.
STAGE_START = {"loading": 0, "scoring": 15, "solving": 30, "explaining": 50, "saving": 85}


def match_run_start(*, actor: User, programme: Programme) -> BackgroundJob:
    """Queue a match run of the programme's pool; JobBusy while one is queued or running."""
    from programmes.tasks import run_match_job

    _require_matching_phase(programme)  # refused at once, not after a trip through the worker
    job = job_start(actor=actor, kind=BackgroundJob.Kind.MATCH_RUN, target=programme, task=run_match_job)
    programme_data_changed(programme.pk)  # the match review, kept rendered, shows the run's progress
    return job


def match_run_job_run(*, job_id: int, on_stage: Callable[[str], None] | None = None) -> str:
    """Run one queued match-run job (the worker calls this); returns its final state."""
    return job_run(job_id=job_id, work=_match_run_work, on_stage=on_stage)


def _match_run_work(job: BackgroundJob, progress: Progress) -> tuple[dict[str, Any], str]:
    actor = job.requested_by
    if actor is None:  # the requester's account was deleted since
        raise JobRefused(_("The person who started this run no longer has an account. Start it again."))
    with translation.override(actor.preferred_language or None):  # messages in the requester's words
        programme = Programme.objects.get(pk=int(job.target_id or 0))
        try:
            run = match_run_create(
                actor=actor, programme=programme, stage=lambda name: progress(name, STAGE_START[name], 100)
            )
        except DomainError as exc:
            raise JobRefused(exc.message) from exc
        message = ngettext(
            "%(n)d pair proposed; %(u)d unmatched.", "%(n)d pairs proposed; %(u)d unmatched.", run.matched
        ) % {"n": run.matched, "u": run.mentees - run.matched}
    return {"run": run.pk}, message


def match_job_outcome(job: BackgroundJob) -> str | None:
    """A finished match run's review page (its proposals)."""
    run_id = job.result.get("run")
    return reverse("programmes:match_run", args=[job.target_id, run_id]) if run_id else None


def match_job_access(user: User, job: BackgroundJob) -> None:
    """Who follows a match run: the programme's coordinators (404 outside it, 403 for its other staff)."""
    programme = Programme.objects.filter(pk=int(job.target_id or 0)).first()
    if programme is None:
        raise Http404
    standing_for(user, programme).require(Action.MANAGE_PROGRAMME)
