"""Recruitment and applications: the recruitment page, applying, the applicant's own page, manager approval,
screening and withdrawal."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Case, QuerySet, Value, When
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from people.models import Competency
from people.paging import paginate
from people.types import AuthedRequest
from programmes.access import Action, Standing
from programmes.access_pages import allowed
from programmes.core.errors import DomainError
from programmes.core.states import can_edit_profile
from programmes.enrolment.forms.enrolment import (
    ApplicationForm,
    ApprovalForm,
    PreferenceForm,
    RecruitmentForm,
    ScreeningForm,
    WithdrawForm,
    application_initial,
    application_profile,
    availability_grid,
    competency_formset,
)
from programmes.matching.selectors.matching import (
    enrolment_list_for_coordinator,
    enrolment_page_for_user,
    mentor_choices_for_mentee,
    own_enrolments,
)
from programmes.models import Enrolment, Programme

from ..services.enrolment import (
    enrolment_apply,
    enrolment_manager_decide,
    enrolment_screen,
    enrolment_update_profile,
    enrolment_withdraw,
    mentor_preferences_set,
    recruitment_for,
    recruitment_update,
    roles_for,
)

PER_PAGE = 50  # applications a page: the list stays the same size at any size of programme


def _competencies(programme: Programme) -> QuerySet[Competency]:
    """The catalogue, the programme's target competencies first."""
    targets = list(programme.target_competencies.values_list("pk", flat=True))
    first = Case(When(pk__in=targets, then=Value(0)), default=Value(1))
    return Competency.objects.order_by(first, "name")


@allowed(Action.VIEW_RECRUITMENT)
def recruitment(request: AuthedRequest, access: Standing) -> HttpResponse:
    """The recruitment page: purpose, commitment, who may apply, and the way in for each role."""
    programme = access.programme
    context = {
        "access": access,
        "programme": programme,
        "recruitment": recruitment_for(programme),
        "roles": [(role, Enrolment.Role(role).label) for role in roles_for(programme)],
        "mine": own_enrolments(user=request.user, programme=programme),
    }
    return render(request, "programmes/enrolment/recruitment.html", context)


@allowed(Action.READ_STAFF_PAGES, post=Action.MANAGE_PROGRAMME)
def recruitment_edit(request: AuthedRequest, access: Standing) -> HttpResponse:
    """Coordinators open or close recruitment and say what the programme asks of people; HR reads."""
    programme = access.programme
    form = RecruitmentForm(request.POST or None, instance=recruitment_for(programme))
    if request.method == "POST" and form.is_valid():
        try:
            recruitment_update(actor=request.user, programme=programme, **form.cleaned_data)
        except DomainError as exc:
            form.add_error("is_open", str(exc.message))
        else:
            messages.success(request, _("Recruitment saved."))
            return redirect("programmes:recruitment_edit", programme.pk)
    return render(
        request, "programmes/enrolment/recruitment_edit.html", {"access": access, "programme": programme, "form": form}
    )


@allowed(Action.VIEW_RECRUITMENT)
def enrolment_apply_view(request: AuthedRequest, access: Standing, role: str) -> HttpResponse:
    """Apply in a role: the profile and the competencies to develop (mentees) or offer (mentors)."""
    programme = access.programme
    if role not in roles_for(programme):
        raise Http404
    gives = role in (Enrolment.Role.MENTOR, Enrolment.Role.FACILITATOR)
    data = request.POST if request.method == "POST" else None
    form = ApplicationForm(data, role=role, initial=application_initial(None, request.user))
    formset = competency_formset(data, enrolment=None, gives=gives, competencies=_competencies(programme))
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            enrolment = enrolment_apply(
                actor=request.user, programme=programme, role=role, profile=application_profile(form, formset)
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Thank you: your application is in."))
            return redirect("programmes:enrolment_detail", programme.pk, enrolment.pk)
    context = {"programme": programme, "role": Enrolment.Role(role), "form": form, "formset": formset, "gives": gives}
    context |= availability_grid(form)
    return render(request, "programmes/enrolment/apply.html", context)


@allowed(Action.VIEW_APPLICATION, target="enrolment")
def enrolment_detail(request: AuthedRequest, found: Standing) -> HttpResponse:
    """One application: its profile, state, readiness gates and matches; screening for coordinators."""
    context = enrolment_page_for_user(found=found)
    context["screening_form"] = ScreeningForm()
    context["withdraw_form"] = WithdrawForm()
    return render(request, "programmes/enrolment/detail.html", context)


@allowed(Action.EDIT_APPLICATION, target="enrolment")
def enrolment_edit(request: AuthedRequest, found: Standing) -> HttpResponse:
    """The applicant changes their own profile (until matched)."""
    enrolment = found.application
    if not can_edit_profile(enrolment):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = ApplicationForm(data, role=enrolment.role, initial=application_initial(enrolment, request.user))
    formset = competency_formset(
        data,
        enrolment=enrolment,
        gives=enrolment.is_mentor_side,
        competencies=_competencies(enrolment.programme),
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            enrolment_update_profile(
                actor=request.user, enrolment=enrolment, profile=application_profile(form, formset)
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Your application is updated."))
            return redirect("programmes:enrolment_detail", enrolment.programme_id, enrolment.pk)
    context = {"programme": enrolment.programme, "enrolment": enrolment, "form": form, "formset": formset}
    context |= {"role": Enrolment.Role(enrolment.role), "gives": enrolment.is_mentor_side}
    context |= availability_grid(form)
    return render(request, "programmes/enrolment/apply.html", context)


@allowed(Action.EDIT_APPLICATION, target="enrolment")
def enrolment_preferences(request: AuthedRequest, found: Standing) -> HttpResponse:
    """A mentee ranks up to five of the programme's mentors."""
    mentee = found.application
    if mentee.is_mentor_side or not can_edit_profile(mentee):
        raise PermissionDenied
    mentors, ranks = mentor_choices_for_mentee(mentee=mentee)
    form = PreferenceForm(request.POST or None, mentors=mentors, initial_ranks=ranks)
    if request.method == "POST" and form.is_valid():
        try:
            mentor_preferences_set(actor=request.user, mentee=mentee, mentors=form.ranked())
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Your ranking is saved."))
            return redirect("programmes:enrolment_detail", mentee.programme_id, mentee.pk)
    context = {"programme": mentee.programme, "enrolment": mentee, "form": form, "mentors": mentors}
    return render(request, "programmes/enrolment/preferences.html", context)


@require_POST
@allowed(Action.VIEW_APPLICATION, target="enrolment")
def enrolment_withdraw_view(request: AuthedRequest, found: Standing) -> HttpResponse:
    """The applicant (or a coordinator, with a reason) withdraws the application."""
    form = WithdrawForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        enrolment_withdraw(actor=request.user, enrolment=found.application, reason=reason)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The application is withdrawn."))
    return redirect("programmes:enrolment_detail", found.programme.pk, found.application.pk)


@require_POST
@allowed(Action.SCREEN_APPLICATION, target="enrolment")
def enrolment_screen_view(request: AuthedRequest, found: Standing) -> HttpResponse:
    """A coordinator accepts or declines an application (a decline needs a reason)."""
    form = ScreeningForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(e) for e in errors))
        return redirect("programmes:enrolment_detail", found.programme.pk, found.application.pk)
    accept = form.cleaned_data["decision"] == "accept"
    try:
        enrolment_screen(
            actor=request.user, enrolment=found.application, accept=accept, reason=form.cleaned_data["reason"]
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Application accepted.") if accept else _("Application declined."))
    return redirect("programmes:enrolment_detail", found.programme.pk, found.application.pk)


@allowed(Action.DECIDE_AS_MANAGER, target="enrolment")
def enrolment_approval(request: AuthedRequest, found: Standing) -> HttpResponse:
    """The applicant's manager approves or refuses the time the programme takes."""
    enrolment = found.application
    form = ApprovalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            enrolment_manager_decide(
                actor=request.user, enrolment=enrolment, approve=approve, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Thank you: your decision is recorded."))
            return redirect("programmes:enrolment_approval", enrolment.programme_id, enrolment.pk)
    context = {"programme": enrolment.programme, "enrolment": enrolment, "form": form}
    return render(request, "programmes/enrolment/approval.html", context)


@allowed(Action.MANAGE_PROGRAMME)
def enrolment_list(request: AuthedRequest, access: Standing) -> HttpResponse:
    """The coordinator's list of applications, by state, with what keeps each out of the pool."""
    state = request.GET.get("state", "")
    if state and state not in Enrolment.State.values:
        state = ""
    pager = paginate(request, enrolment_list_for_coordinator(programme=access.programme, state=state), PER_PAGE)
    context = {"access": access, "programme": access.programme, "rows": pager.page, "pager": pager, "state": state}
    context["states"] = Enrolment.State.choices
    return render(request, "programmes/enrolment/list.html", context)
