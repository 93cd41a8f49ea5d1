"""Programme design pages: create, coordination team, policies, business goals, readiness."""

from __future__ import annotations

from django.contrib import messages
from django.forms import BaseFormSet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from people.models import User
from people.pickers import people_matching, search_text
from people.types import AuthedRequest
from people.views_pickers import render_people_options
from programmes.access import Action, Standing
from programmes.access_pages import allowed
from programmes.core.errors import DomainError
from programmes.core.figures_cache import programme_data_changed
from programmes.core.selectors.programmes import business_goal_list_for_programme, people_search, programme_team
from programmes.models import BusinessGoal, Programme, ProgrammeRole, ReadinessAssessment, format_defaults

from ..forms import (
    BusinessGoalForm,
    PeopleSearchForm,
    PolicyForm,
    ProgrammeCreateForm,
    ReadinessDecisionForm,
    ReadinessItemForm,
    ReadinessItemFormSet,
    TeamAddForm,
)
from ..services.design import (
    DEFAULT_READINESS_ITEMS,
    ReadinessItemInput,
    business_goal_delete,
    programme_create,
    programme_policies_update,
    readiness_assessment_start,
    readiness_assessment_update,
    team_member_add,
    team_member_remove,
)


@allowed(Action.CREATE_PROGRAMME, target="nothing")
def programme_create_view(request: AuthedRequest, access: Standing) -> HttpResponse:
    """Start a programme: it begins in needs assessment, with its creator as coordinator."""
    form = ProgrammeCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        programme = programme_create(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Programme created. Start with the needs assessment below."))
        return redirect(programme)
    return render(request, "programmes/programme_create.html", {"form": form})


@allowed(Action.READ_STAFF_PAGES, post=Action.MANAGE_PROGRAMME)
def team(request: AuthedRequest, access: Standing) -> HttpResponse:
    """The coordination team and programme HR analysts; pick people from the directory to add."""
    return _team_page(request, access, TeamAddForm(programme=access.programme))


def _team_page(request: AuthedRequest, access: Standing, add_form: TeamAddForm) -> HttpResponse:
    search = PeopleSearchForm(request.GET or None)
    found = people_search(query=search.cleaned_data["q"]) if search.is_valid() else []
    context = {
        "access": access,
        "programme": access.programme,
        "members": programme_team(programme=access.programme),
        "search": search,
        "found": found,
        "roles": ProgrammeRole.Role.choices,
        "add_form": add_form,
    }
    return render(request, "programmes/team.html", context)


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def team_add(request: AuthedRequest, access: Standing) -> HttpResponse:
    """Add a person to the team in a role."""
    form = TeamAddForm(request.POST, programme=access.programme)
    if not form.is_valid():
        return _team_page(request, access, form)
    try:
        member = team_member_add(actor=request.user, programme=access.programme, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("%(name)s added as %(role)s.") % {"name": member.user, "role": member.get_role_display()}
        )
    return redirect("programmes:team", access.programme.pk)


@require_GET
@allowed(Action.MANAGE_PROGRAMME)
def person_search(request: AuthedRequest, access: Standing) -> HttpResponse:
    """Suggestions for the programme's person pickers: active people of the directory (coordinators only)."""
    people = people_matching(User.objects.filter(is_active=True), search_text(request.GET))
    return render_people_options(request, people)


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def team_remove(request: AuthedRequest, access: Standing, member_id: int) -> HttpResponse:
    """Remove a person's role in the team (never the last coordinator)."""
    member = get_object_or_404(ProgrammeRole, pk=member_id, programme=access.programme)
    leaving = member.user_id == request.user.pk
    if leaving and request.POST.get("confirm") != "leave":
        messages.error(request, _("Tick “Confirm” to leave the team: its pages will close to you."))
        return redirect("programmes:team", access.programme.pk)
    try:
        team_member_remove(actor=request.user, member=member)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        if leaving:  # the team page may be closed to them now: home, saying why
            role = member.get_role_display().lower()
            messages.success(
                request,
                _("You left the team of %(programme)s as %(role)s.") % {"programme": access.programme, "role": role},
            )
            return redirect("home")
        messages.success(request, _("%(name)s removed from the team.") % {"name": member.user})
    return redirect("programmes:team", access.programme.pk)


@allowed(Action.READ_STAFF_PAGES, post=Action.MANAGE_PROGRAMME)
def policies(request: AuthedRequest, access: Standing) -> HttpResponse:
    """The format and policies; `?defaults=<format>` fills the form with that format's defaults."""
    programme = access.programme
    initial = {k: v for k, v in format_defaults(programme.format).items() if not getattr(programme, k)}
    wanted = request.GET.get("defaults")
    if wanted in Programme.Format.values:
        initial = {"format": wanted, **format_defaults(wanted)}
    form = PolicyForm(request.POST or None, instance=programme, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            programme_policies_update(actor=request.user, programme=programme, values=form.cleaned_data)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Policies saved."))
        return redirect("programmes:policies", programme.pk)
    context = {"access": access, "programme": programme, "form": form, "formats": Programme.Format.choices}
    return render(request, "programmes/policies.html", context)


@allowed(Action.READ_STAFF_PAGES, post=Action.MANAGE_PROGRAMME)
def goals(request: AuthedRequest, access: Standing) -> HttpResponse:
    """The business goals, and a form to add one."""
    programme = access.programme
    form = BusinessGoalForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():
        goal = form.save(commit=False)
        goal.programme = programme
        goal.save()
        programme_data_changed(programme.pk)  # the report lists the goals
        messages.success(request, _("Business goal added."))
        return redirect("programmes:goals", programme.pk)
    goal_list = business_goal_list_for_programme(programme=programme)
    return render(
        request, "programmes/goals.html", {"access": access, "programme": programme, "goals": goal_list, "form": form}
    )


@allowed(Action.READ_STAFF_PAGES, post=Action.MANAGE_PROGRAMME)
def goal_edit(request: AuthedRequest, access: Standing, goal_id: int) -> HttpResponse:
    """Change a goal's statement, priority or owner."""
    goal = get_object_or_404(BusinessGoal.objects.select_related("owner"), pk=goal_id, programme=access.programme)
    form = BusinessGoalForm(request.POST or None, instance=goal, programme=access.programme)
    if request.method == "POST" and form.is_valid():
        form.save()
        programme_data_changed(access.programme.pk)
        messages.success(request, _("Business goal saved."))
        return redirect("programmes:goals", access.programme.pk)
    return render(
        request,
        "programmes/goal_edit.html",
        {"access": access, "programme": access.programme, "goal": goal, "form": form},
    )


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def goal_delete(request: AuthedRequest, access: Standing, goal_id: int) -> HttpResponse:
    """Delete a goal nothing depends on yet."""
    goal = get_object_or_404(BusinessGoal, pk=goal_id, programme=access.programme)
    try:
        business_goal_delete(actor=request.user, goal=goal)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Business goal deleted."))
    return redirect("programmes:goals", access.programme.pk)


@allowed(Action.READ_STAFF_PAGES, post=Action.MANAGE_PROGRAMME)
def readiness(request: AuthedRequest, access: Standing) -> HttpResponse:
    """The readiness checklist (add, rename, score, remove factors) and the decision, saved together."""
    programme = access.programme
    assessment = ReadinessAssessment.objects.filter(programme=programme).first()
    if assessment is None and request.method == "POST":
        # The page offered the standard factors as new lines; the submitted lines become the checklist.
        assessment = readiness_assessment_start(actor=request.user, programme=programme, with_defaults=False)
    initial_items: list[dict[str, object]]
    if assessment is None:
        assessment = ReadinessAssessment(programme=programme)
        initial_items = [{"name": str(name)} for name in DEFAULT_READINESS_ITEMS]
    else:
        items = assessment.items.all()
        initial_items = [{"id": i.pk, "name": i.name, "score": i.score, "evidence": i.evidence} for i in items]
    # Initial rows only when showing the page: on POST every submitted row counts, changed or not.
    formset = ReadinessItemFormSet(
        request.POST or None, initial=None if request.POST else initial_items, prefix="items"
    )
    decision = ReadinessDecisionForm(
        request.POST or None, initial={"decision": assessment.decision, "conditions": assessment.conditions}
    )
    if request.method == "POST" and formset.is_valid() and decision.is_valid():
        inputs = [
            ReadinessItemInput(
                pk=row.get("id"),
                name=row.get("name") or "",
                score=row.get("score"),
                evidence=row.get("evidence") or "",
                delete=bool(row.get("DELETE")),
            )
            for row in formset.cleaned_data
            if row and (row.get("id") or (row.get("name") or "").strip())
        ]
        try:
            readiness_assessment_update(
                actor=request.user, assessment=assessment, items=inputs, **decision.cleaned_data
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return _readiness_page(request, access, assessment, formset, decision)
        messages.success(request, _("Readiness assessment saved."))
        return redirect("programmes:readiness", programme.pk)
    return _readiness_page(request, access, assessment, formset, decision)


def _readiness_page(
    request: AuthedRequest,
    access: Standing,
    assessment: ReadinessAssessment,
    formset: BaseFormSet[ReadinessItemForm],
    decision: ReadinessDecisionForm,
) -> HttpResponse:
    context = {
        "access": access,
        "programme": access.programme,
        "assessment": assessment,
        "formset": formset,
        "decision_form": decision,
    }
    return render(request, "programmes/readiness.html", context)


__all__ = [
    "goal_delete",
    "goal_edit",
    "goals",
    "policies",
    "programme_create_view",
    "readiness",
    "team",
    "team_add",
    "team_remove",
]
