"""Invitations: the coordinator invites people in bulk and follows who opened and applied; the invited follow a link."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from people.models import BackgroundJob
from people.services.jobs import JobBusy, latest_job
from people.types import AuthedRequest
from programmes.access import Action, Standing
from programmes.access_pages import allowed
from programmes.core.errors import DomainError
from programmes.enrolment.forms.invitations import InvitationForm
from programmes.enrolment.selectors import invitation_audience, invitation_counts, invitation_list_for_coordinator
from programmes.enrolment.services.jobs import inline_limit, invitations_start
from programmes.models import Programme

from ..services.invitations import invitation_open, invitations_send


@allowed(Action.MANAGE_PROGRAMME)
@require_http_methods(["GET", "POST"])
def invitations(request: AuthedRequest, access: Standing) -> HttpResponse:
    """Who was invited and where they are (sent, opened, applied); the form invites more at once."""
    programme = access.programme
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        people = invitation_audience(**form.audience_filters())
        if people.count() > inline_limit():  # too many for one request: the worker invites them
            try:
                invitations_start(
                    actor=request.user,
                    programme=programme,
                    role=form.cleaned_data["role"],
                    filters=form.audience_filters(),
                )
            except JobBusy as exc:
                messages.error(request, exc.message)
            return redirect("programmes:invitations", programme.pk)
        try:
            sent = invitations_send(
                actor=request.user, programme=programme, people=people, role=form.cleaned_data["role"]
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                ngettext("%(n)d person invited.", "%(n)d people invited.", len(sent)) % {"n": len(sent)}
                + " "
                + _("People already invited or with an application are not invited twice."),
            )
            return redirect("programmes:invitations", programme.pk)
    rows = invitation_list_for_coordinator(programme=programme)
    context = {"access": access, "programme": programme, "form": form, "rows": rows, "counts": invitation_counts(rows)}
    job = latest_job(kind=BackgroundJob.Kind.INVITATIONS, target=programme)
    context["job"] = job if job is not None and job.state != job.State.DONE else None  # running, or why it failed
    return render(request, "programmes/enrolment/invitations.html", context)


def invitation_link(request: AuthedRequest, programme_id: int, token: str) -> HttpResponse:
    """The link in the welcome e-mail: records the opening, then shows the programme's recruitment page."""
    programme = get_object_or_404(Programme, pk=programme_id)
    try:
        invitation_open(user=request.user, programme=programme, token=token)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("home")
    return redirect("programmes:recruitment", programme.pk)
