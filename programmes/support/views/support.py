"""The support page of a running relationship and what hangs off it: check-ins, concerns, coordinator
contacts, pause and resume, no-fault closure, exit surveys and the coordinator's rematch."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from people.types import AuthedRequest
from programmes.access import Action, Standing
from programmes.access_pages import allowed
from programmes.core.errors import DomainError
from programmes.home.selectors.home import relationship_hub
from programmes.models import CheckIn, Closure, Concern, ContentRead, ExitSurvey, NotificationMute
from programmes.support.forms.support import (
    CheckInForm,
    CloseForm,
    ConcernActionForm,
    ConcernForm,
    ContactForm,
    EndForm,
    ExitSurveyForm,
    HoldForm,
    MuteForm,
    RematchForm,
    add_service_error,
    service_error_text,
)
from programmes.support.selectors import support_overview_for
from programmes.support.services.concerns import (
    concern_add_note,
    concern_escalate,
    concern_raise,
    concern_resolve,
    concern_start_mediation,
)
from programmes.support.services.support import checkin_answer, contact_log, notification_mutes_set

from ..content_access import content_gate, content_unlocked
from ..services.closure import (
    closure_rematch,
    exit_survey_submit,
    relationship_close_begin,
    relationship_close_complete,
    relationship_hold,
    relationship_resume,
)


def _base(found: Standing) -> dict[str, object]:
    relationship = found.pair
    return {"found": found, "programme": relationship.programme, "relationship": relationship}


@allowed(Action.VIEW_RELATIONSHIP, target="relationship")
def relationship_support(request: AuthedRequest, found: Standing) -> HttpResponse:
    """What a running relationship needs now: sessions, check-ins, concerns, closure; more for coordinators."""
    overview = support_overview_for(found=found, user=request.user)
    # Check-in answers are the pair's: staff outside it see them once they have given a reason (audited).
    checkins_locked = bool(overview.checkins) and not content_unlocked(request, found, ContentRead.Kind.CHECKIN_ANSWERS)
    if checkins_locked:
        overview.checkins = []
    context = {
        **_base(found),
        "o": overview,
        "close_form": CloseForm(),
        "hub": relationship_hub(relationship=found.pair),
        "checkins_locked": checkins_locked,
        "reason_minutes": settings.CONTENT_READ_REASON_MINUTES,
    }
    return render(request, "programmes/support/relationship.html", context)


# --- Check-ins ---------------------------------------------------------------------------------------------


@allowed(Action.VIEW_RELATIONSHIP, target="relationship")
def checkin_answer_view(request: AuthedRequest, found: Standing, checkin_id: int) -> HttpResponse:
    """The respondent answers their check-in (hidden from the others in the relationship)."""
    checkin = CheckIn.objects.filter(pk=checkin_id, relationship=found.pair).select_related("relationship").first()
    if checkin is None:
        raise Http404
    found.about_object(checkin).require(Action.ANSWER_CHECKIN)  # the respondent only; coordinators 403
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and not checkin.is_answered and form.is_valid():
        try:
            checkin_answer(actor=request.user, checkin=checkin, answer=form.to_answer())
        except (DomainError, ValidationError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Thank you. Only the coordinators see your answers."))
            return redirect("programmes:relationship_support", found.programme.pk, found.pair.pk)
    relationship = checkin.relationship
    context = {"programme": relationship.programme, "relationship": relationship, "checkin": checkin, "form": form}
    return render(request, "programmes/support/checkin.html", context)


# --- Concerns ----------------------------------------------------------------------------------------------


@allowed(Action.ACT_IN_RELATIONSHIP, target="relationship")
def concern_raise_view(request: AuthedRequest, found: Standing) -> HttpResponse:
    """A member raises a concern, confidential to the coordinators unless they say otherwise."""
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            concern = concern_raise(actor=request.user, relationship=found.pair, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The coordinators have your concern and will be in touch."))
            return redirect("programmes:concern_detail", found.programme.pk, found.pair.pk, concern.pk)
    return render(request, "programmes/support/concern_form.html", {**_base(found), "form": form})


@allowed(Action.VIEW_RELATIONSHIP, target="relationship")
def concern_detail(request: AuthedRequest, found: Standing, concern_id: int) -> HttpResponse:
    """The concern; coordinators mediate here (notes, start mediation, resolve, escalate)."""
    concern = (
        Concern.objects.filter(pk=concern_id, relationship=found.pair)
        .select_related("raised_by", "handled_by", "relationship__programme")
        .first()
    )
    if concern is None:
        raise Http404
    found.about_object(concern).require(Action.VIEW_CONCERN if concern.confidential else Action.VIEW_SHARED_CONCERN)
    coordinating = found.is_coordinator
    # Acting on it reveals nothing; reading it is audited.
    reading = request.method == "GET"
    if reading and (ask := content_gate(request, found, ContentRead.Kind.CONCERN, concern_id)) is not None:
        return ask
    form = ConcernActionForm(request.POST or None)
    if request.method == "POST":
        found.require(Action.COORDINATE_RELATIONSHIP)
        if form.is_valid():
            return _concern_act(request, concern, form)
    relationship = concern.relationship
    context = {
        "programme": relationship.programme,
        "relationship": relationship,
        "concern": concern,
        "coordinating": coordinating,
        "form": form,
    }
    return render(request, "programmes/support/concern_detail.html", context)


def _concern_act(request: AuthedRequest, concern: Concern, form: ConcernActionForm) -> HttpResponse:
    """Run the coordinator's chosen move; a refused move is a message, never a 500."""
    data, actor = form.cleaned_data, request.user
    actions: dict[str, Callable[[], Concern]] = {
        "note": lambda: concern_add_note(actor=actor, concern=concern, note=data["note"]),
        "mediate": lambda: concern_start_mediation(actor=actor, concern=concern, note=data["note"]),
        "resolve": lambda: concern_resolve(actor=actor, concern=concern, outcome=data["outcome"]),
        "escalate": lambda: concern_escalate(actor=actor, concern=concern, outcome=data["outcome"]),
    }
    try:
        actions[data["action"]]()
    except (DomainError, ValidationError) as exc:
        messages.error(request, service_error_text(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("programmes:concern_detail", concern.programme_id, concern.relationship_id, concern.pk)


# --- Coordinator contacts ----------------------------------------------------------------------------------


@allowed(Action.COORDINATE_RELATIONSHIP, target="relationship")
def contact_log_view(request: AuthedRequest, found: Standing) -> HttpResponse:
    """The coordinator records a contact with the pair and how healthy the relationship looks."""
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contact_log(actor=request.user, relationship=found.pair, data=form.to_input())
        except (DomainError, ValidationError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Contact logged."))
            return redirect("programmes:relationship_support", found.programme.pk, found.pair.pk)
    return render(request, "programmes/support/contact_form.html", {**_base(found), "form": form})


# --- Pause, resume, end, close, rematch, exit survey --------------------------------------------------------


@require_POST
@allowed(Action.VIEW_RELATIONSHIP, target="relationship")
def relationship_hold_view(request: AuthedRequest, found: Standing) -> HttpResponse:
    """Pause the relationship (a member or a coordinator); reminders wait until it resumes."""
    form = HoldForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        relationship_hold(
            actor=request.user,
            relationship=found.pair,
            reason=reason,
            is_coordinator=found.is_coordinator,
        )
    except (DomainError, ValidationError) as exc:
        messages.error(request, service_error_text(exc))
    else:
        messages.success(request, _("The relationship is on hold."))
    return redirect("programmes:relationship_support", found.programme.pk, found.pair.pk)


@require_POST
@allowed(Action.VIEW_RELATIONSHIP, target="relationship")
def relationship_resume_view(request: AuthedRequest, found: Standing) -> HttpResponse:
    """Resume a paused relationship."""
    try:
        relationship_resume(actor=request.user, relationship=found.pair, is_coordinator=found.is_coordinator)
    except (DomainError, ValidationError) as exc:
        messages.error(request, service_error_text(exc))
    else:
        messages.success(request, _("Welcome back: the relationship is active again."))
    return redirect("programmes:relationship_support", found.programme.pk, found.pair.pk)


@allowed(Action.VIEW_RELATIONSHIP, target="relationship")
def relationship_end(request: AuthedRequest, found: Standing) -> HttpResponse:
    """End the relationship: no-fault, any time, a reason only if one wants to give it."""
    form = EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            relationship_close_begin(
                actor=request.user,
                relationship=found.pair,
                reason=form.cleaned_data["reason"],
                anticipated=form.cleaned_data["anticipated"],
                is_coordinator=found.is_coordinator,
            )
        except (DomainError, ValidationError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The relationship is closing. Each of you gets a short exit survey."))
            if found.is_member:
                return redirect("programmes:exit_survey", found.programme.pk, found.pair.pk)
            return redirect("programmes:relationship_support", found.programme.pk, found.pair.pk)
    return render(request, "programmes/support/end.html", {**_base(found), "form": form})


@require_POST
@allowed(Action.COORDINATE_RELATIONSHIP, target="relationship")
def closure_complete(request: AuthedRequest, found: Standing) -> HttpResponse:
    """The coordinator closes a closing relationship (final meeting, rematch eligibility)."""
    form = CloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("programmes:relationship_support", found.programme.pk, found.pair.pk)
    try:
        relationship_close_complete(
            actor=request.user,
            relationship=found.pair,
            final_meeting_at=form.cleaned_data["final_meeting_at"],
            rematch_eligible=form.cleaned_data["rematch_eligible"],
        )
    except (DomainError, ValidationError) as exc:
        messages.error(request, service_error_text(exc))
    else:
        messages.success(request, _("The relationship is closed."))
    return redirect("programmes:relationship_support", found.programme.pk, found.pair.pk)


@allowed(Action.COORDINATE_RELATIONSHIP, target="relationship")
def closure_rematch_view(request: AuthedRequest, found: Standing) -> HttpResponse:
    """The coordinator proposes a new mentor to the mentee of a closed pair."""
    closure = Closure.objects.filter(relationship=found.pair).first()
    if closure is None:
        raise Http404
    form = RematchForm(request.POST or None, relationship=found.pair)
    if request.method == "POST" and form.is_valid():
        try:
            new = closure_rematch(actor=request.user, closure=closure, mentor=form.cleaned_data["mentor"])
        except (DomainError, ValidationError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("A new match is proposed; both sides are asked to accept."))
            return redirect("programmes:relationship_detail", found.programme.pk, new.pk)
    return render(request, "programmes/support/rematch.html", {**_base(found), "form": form, "closure": closure})


@allowed(Action.VIEW_RELATIONSHIP, target="relationship")
def exit_survey_view(request: AuthedRequest, found: Standing) -> HttpResponse:
    """A member's exit survey; the last answer closes the relationship."""
    survey = (
        ExitSurvey.objects.filter(closure__relationship=found.pair, respondent=request.user)
        .select_related("closure__relationship__programme")
        .first()
    )
    (found.about_object(survey) if survey is not None else found).require(Action.ANSWER_EXIT_SURVEY)
    assert survey is not None  # only its respondent gets this far
    form = ExitSurveyForm(request.POST or None)
    if request.method == "POST" and survey.submitted_at is None and form.is_valid():
        try:
            exit_survey_submit(actor=request.user, survey=survey, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Thank you for looking back with us."))
            return redirect("programmes:relationship_support", found.programme.pk, found.pair.pk)
    relationship = survey.closure.relationship
    context = {"programme": relationship.programme, "relationship": relationship, "survey": survey, "form": form}
    return render(request, "programmes/support/exit_survey.html", context)


# --- Muted reminders -----------------------------------------------------------------------------------------


def notification_preferences(request: AuthedRequest) -> HttpResponse:
    """Switch off the reminders one can live without (invitations, proposals and closures always come)."""
    muted = list(NotificationMute.objects.filter(user=request.user).values_list("kind", flat=True))
    form = MuteForm(request.POST or None, initial={"muted": muted})
    if request.method == "POST" and form.is_valid():
        notification_mutes_set(actor=request.user, kinds=form.cleaned_data["muted"])
        messages.success(request, _("Your reminder settings are saved."))
        return redirect("programmes:notification_preferences")
    return render(request, "programmes/support/notification_preferences.html", {"form": form})
