"""Bulk invitations in the background: an audience bigger than INVITATIONS_INLINE is invited by the worker.

    invitations_start (request) → tasks.run_invitation_job → invitation_job_run (worker), the page following

The form's criteria are kept on the job (ids and values, not objects) and the worker finds the audience
again. It invites a batch of people per transaction through `invitations_send`, which never invites
anyone twice, so a job that stops midway (a worker killed) has invited whole batches only, and starting
it again invites the rest. A second start for the same programme while one runs is refused.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from people.models import BackgroundJob, OrgUnit, User
from people.services.jobs import JobRefused, Progress, job_run, job_start
from programmes.access import Action, standing_for
from programmes.core.errors import DomainError
from programmes.enrolment.selectors import invitation_audience
from programmes.models import Programme

from .invitations import invitations_send

BATCH = 500


def inline_limit() -> int:
    """The most people the page invites during the request; more go to the worker."""
    return int(getattr(settings, "INVITATIONS_INLINE", 200))


def invitations_start(*, actor: User, programme: Programme, role: str, filters: dict[str, Any]) -> BackgroundJob:
    """Queue the invitation of everyone `filters` (InvitationForm.audience_filters) finds; JobBusy while one runs."""
    from programmes.tasks import run_invitation_job

    unit = filters.get("unit")
    params = {**filters, "unit": unit.pk if unit is not None else None, "role": role}
    return job_start(
        actor=actor, kind=BackgroundJob.Kind.INVITATIONS, target=programme, task=run_invitation_job, params=params
    )


def invitation_job_run(*, job_id: int) -> str:
    """Run one queued invitation job (the worker calls this); returns its final state."""
    return job_run(job_id=job_id, work=_invite)


def _invite(job: BackgroundJob, progress: Progress) -> tuple[dict[str, Any], str]:
    actor = job.requested_by
    if actor is None:
        raise JobRefused(_("The person who started this no longer has an account. Start it again."))
    params = dict(job.params)
    role = params.pop("role")
    unit_id = params.pop("unit")
    unit = OrgUnit.objects.filter(pk=unit_id).first() if unit_id else None
    programme = Programme.objects.get(pk=int(job.target_id or 0))
    people = list(invitation_audience(unit=unit, **params))
    sent = 0
    with translation.override(actor.preferred_language or None):
        for start in range(0, len(people), BATCH):
            progress("sending", start, len(people))
            try:
                sent += len(
                    invitations_send(actor=actor, programme=programme, people=people[start : start + BATCH], role=role)
                )
            except DomainError as exc:
                raise JobRefused(exc.message) from exc
        message = ngettext("%(n)d person invited.", "%(n)d people invited.", sent) % {"n": sent}
    progress("sending", len(people), len(people))
    return {"sent": sent}, message + " " + _("People already invited or with an application are not invited twice.")


def invitation_job_outcome(job: BackgroundJob) -> str | None:
    """The invitations page, where the new invitations are listed."""
    return reverse("programmes:invitations", args=[job.target_id])


def invitation_job_access(user: User, job: BackgroundJob) -> None:
    """Who follows bulk invitations: the programme's coordinators (404 outside it, 403 for its other staff)."""
    programme = Programme.objects.filter(pk=int(job.target_id or 0)).first()
    if programme is None:
        raise Http404
    standing_for(user, programme).require(Action.MANAGE_PROGRAMME)
