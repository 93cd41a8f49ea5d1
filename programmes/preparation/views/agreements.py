"""The mentoring agreement: read (any version), edit together, sign, record the first meeting, print."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from people.client_ip import client_ip
from people.types import AuthedRequest
from programmes.access import Action, Standing
from programmes.access_pages import allowed
from programmes.core.errors import DomainError, StaleTransition
from programmes.models import Agreement, Relationship
from programmes.preparation.forms.agreements import AgreementForm, FirstMeetingForm, SignForm, agreement_initial
from programmes.preparation.selectors.agreements import AgreementPage, agreement_page

from ..selectors.development import MENTEE_SIDE
from ..services.agreements import agreement_update, current_version, mentee_goals
from ..services.signing import agreement_first_meeting_record, agreement_sign


@dataclass(frozen=True)
class AgreementAccess:
    """A relationship's agreement, and the Standing of the person looking at it."""

    agreement: Agreement
    standing: Standing

    @property
    def can_write(self) -> bool:
        return self.standing.is_member


def _agreement(standing: Standing, *, write: bool = False) -> AgreementAccess:
    """The agreement of the page's relationship: 404 until it is drafted (when everyone accepts); with
    `write`, the members only (403: coordinators read it)."""
    agreement = Agreement.objects.filter(relationship=standing.pair).first()
    if agreement is None:
        raise Http404
    if write:
        standing.require(Action.ACT_IN_RELATIONSHIP)
    return AgreementAccess(agreement, standing)


def _page(found: AgreementAccess, request: AuthedRequest, number: int | None = None) -> AgreementPage:
    page = agreement_page(agreement=found.agreement, user=request.user, number=number)
    if page is None:
        raise Http404
    return page


def _context(found: AgreementAccess, page: AgreementPage, **extra: Any) -> dict[str, Any]:
    relationship = found.standing.pair
    mentees = [m.member.enrolment for m in page.members if m.member.enrolment.role in MENTEE_SIDE]
    return {
        "programme": relationship.programme,
        "relationship": relationship,
        "page": page,
        "version": page.version,
        "can_write": found.can_write,
        "mentees": mentees,
        "history": False,
        "sign_form": SignForm(initial={"number": page.version.number}),
        "meeting_form": FirstMeetingForm(),
        **extra,
    }


@allowed(Action.VIEW_RELATIONSHIP, target="relationship")
def agreement_detail(request: AuthedRequest, standing: Standing) -> HttpResponse:
    """The current version, who has signed it, what activation waits for, and the member's own forms."""
    found = _agreement(standing)
    page = _page(found, request)
    return render(request, "programmes/agreements/detail.html", _context(found, page))


@allowed(Action.VIEW_RELATIONSHIP, target="relationship")
def agreement_version(request: AuthedRequest, standing: Standing, number: int) -> HttpResponse:
    """An earlier (or the current) version as it was, with its signatures."""
    found = _agreement(standing)
    page = _page(found, request, number)
    return render(request, "programmes/agreements/detail.html", _context(found, page, history=True))


@allowed(Action.VIEW_RELATIONSHIP, target="relationship")
def agreement_print(request: AuthedRequest, standing: Standing, number: int) -> HttpResponse:
    """A print-ready page of one version and its signatures."""
    found = _agreement(standing)
    page = _page(found, request, number)
    return render(request, "programmes/agreements/print.html", _context(found, page))


@allowed(Action.VIEW_RELATIONSHIP, target="relationship")
def agreement_edit(request: AuthedRequest, standing: Standing) -> HttpResponse:
    """Members change the terms; after a signature the change becomes a new version for everyone to sign."""
    found = _agreement(standing, write=True)
    relationship = standing.pair
    version = current_version(found.agreement)
    goals = mentee_goals(relationship)
    form = AgreementForm(request.POST or None, initial=agreement_initial(version), goals=goals)
    if request.method == "POST" and form.is_valid():
        try:
            saved = agreement_update(
                actor=request.user, agreement=found.agreement, terms=form.agreement_terms(), based_on=form.based_on()
            )
        except StaleTransition as exc:
            # Keep what they typed, and let the next save apply it on top of the version they can now see.
            latest = current_version(found.agreement)
            data = request.POST.copy()
            data["number"], data["revision"] = str(latest.number), str(latest.revision)
            form = AgreementForm(data, goals=goals)
            form.is_valid()
            form.add_error(None, str(exc.message))
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            if saved.number != version.number:
                messages.warning(request, _("Saved as version %(n)d: everyone signs again.") % {"n": saved.number})
            else:
                messages.success(request, _("Agreement saved."))
            return redirect("programmes:agreement", standing.programme.pk, standing.pair.pk)
    page = _page(found, request)
    return render(request, "programmes/agreements/edit.html", _context(found, page, form=form))


@require_POST
@allowed(Action.VIEW_RELATIONSHIP, target="relationship")
def agreement_sign_view(request: AuthedRequest, standing: Standing) -> HttpResponse:
    """A member signs the version they read by typing their full name."""
    found = _agreement(standing, write=True)
    form = SignForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Type your full name to sign."))
        return redirect("programmes:agreement", standing.programme.pk, standing.pair.pk)
    try:
        agreement_sign(
            actor=request.user,
            agreement=found.agreement,
            version_number=form.cleaned_data["number"],
            typed_name=form.cleaned_data["typed_name"],
            ip_address=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        standing.pair.refresh_from_db(fields=["state"])
        if standing.pair.state == Relationship.State.ACTIVE:
            messages.success(request, _("Signed. Everything is in place: your mentoring relationship is now active."))
        else:
            messages.success(request, _("Signed. Thank you."))
    return redirect("programmes:agreement", standing.programme.pk, standing.pair.pk)


@require_POST
@allowed(Action.VIEW_RELATIONSHIP, target="relationship")
def agreement_first_meeting_view(request: AuthedRequest, standing: Standing) -> HttpResponse:
    """A member records when the first meeting took place."""
    found = _agreement(standing, write=True)
    form = FirstMeetingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date and time of your first meeting."))
        return redirect("programmes:agreement", standing.programme.pk, standing.pair.pk)
    try:
        agreement_first_meeting_record(
            actor=request.user, agreement=found.agreement, met_at=form.cleaned_data["met_at"]
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        standing.pair.refresh_from_db(fields=["state"])
        if standing.pair.state == Relationship.State.ACTIVE:
            messages.success(request, _("First meeting recorded: your mentoring relationship is now active."))
        else:
            messages.success(request, _("First meeting recorded."))
    return redirect("programmes:agreement", standing.programme.pk, standing.pair.pk)
