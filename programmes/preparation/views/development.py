"""Development plans: the pair's plan with its chart, goal edits, status, progress, comments and sharing; the
manager's page of shared goals; and the coordinator's preparation overview."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from people.types import AuthedRequest
from programmes.core.errors import DomainError
from programmes.core.permissions import ProgrammeAccess
from programmes.matching.permissions import matching_coordinator_required
from programmes.models import DevelopmentGoal
from programmes.preparation.forms.development import (
    CommentForm,
    GoalForm,
    ProgressForm,
    ShareForm,
    StatusForm,
    goal_initial,
)
from programmes.preparation.permissions import PlanAccess, get_plan_for_manager, get_plan_for_user
from programmes.preparation.selectors.development import (
    plan_goals_for_manager,
    plan_goals_for_pair,
    progress_chart,
    progress_table,
)
from programmes.preparation.selectors.overview import preparation_overview

from ..services.development import (
    development_goal_create,
    development_goal_set_status,
    development_goal_share,
    development_goal_update,
    development_plan_acknowledge,
    goal_comment_add,
    goal_progress_add,
)


@dataclass
class GoalCard:
    """One goal on the plan page with the forms the viewer may use on it."""

    goal: DevelopmentGoal
    progress_form: ProgressForm
    status_form: StatusForm
    comment_form: CommentForm
    open_form: str = ""  # the form shown open: the one that failed, so the person sees what they typed


def _goal(found: PlanAccess, goal_id: int) -> DevelopmentGoal:
    goal = DevelopmentGoal.objects.filter(pk=goal_id, plan__enrolment=found.enrolment).first()
    if goal is None:
        raise Http404
    return goal


def _plan_url(found: PlanAccess, goal_id: int | None = None) -> str:
    url = reverse("programmes:plan", args=[found.enrolment.programme_id, found.enrolment.pk])
    return f"{url}#goal-{goal_id}" if goal_id else url


def _render_plan(
    request: AuthedRequest, found: PlanAccess, *, bound: tuple[int, str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    """The plan page; `bound` = (goal id, form name, form) re-shows a form that failed, with what was typed."""
    goals = plan_goals_for_pair(plan=found.plan)
    cards = []
    for goal in goals:
        card = GoalCard(
            goal,
            # The level picker starts where the goal stands now, not at 1.
            ProgressForm(prefix=f"p{goal.pk}", initial={"level": goal.current_level}),
            StatusForm(goal=goal),
            CommentForm(prefix=f"c{goal.pk}"),
        )
        if bound is not None and bound[0] == goal.pk:
            setattr(card, bound[1], bound[2])
            card.open_form = bound[1]
        cards.append(card)
    chart = progress_chart(goals)
    context = {
        "programme": found.enrolment.programme,
        "enrolment": found.enrolment,
        "found": found,
        "cards": cards,
        "chart": chart,
        "chart_rows": progress_table(chart),
    }
    return render(request, "programmes/development/plan.html", context, status=status)


def plan_detail(request: AuthedRequest, programme_id: int, enrolment_id: int) -> HttpResponse:
    """The mentee's plan: goals with status, progress and comments, and progress over time as a chart and table."""
    found = get_plan_for_user(request.user, programme_id, enrolment_id)
    return _render_plan(request, found)


def _goal_form_page(request: AuthedRequest, found: PlanAccess, goal: DevelopmentGoal | None) -> HttpResponse:
    programme = found.enrolment.programme
    initial = goal_initial(goal) if goal else {}
    form = GoalForm(request.POST or None, initial=initial, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            if goal is None:
                saved = development_goal_create(actor=request.user, enrolment=found.enrolment, data=form.goal_input())
            else:
                saved = development_goal_update(actor=request.user, goal=goal, data=form.goal_input())
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Goal saved."))
            return redirect(_plan_url(found, saved.pk))
    context = {"programme": programme, "enrolment": found.enrolment, "form": form, "goal": goal}
    return render(request, "programmes/development/goal_form.html", context)


def goal_create(request: AuthedRequest, programme_id: int, enrolment_id: int) -> HttpResponse:
    """The mentee adds a goal."""
    found = get_plan_for_user(request.user, programme_id, enrolment_id, write=True)
    if not found.is_owner:
        raise PermissionDenied
    return _goal_form_page(request, found, None)


def goal_edit(request: AuthedRequest, programme_id: int, enrolment_id: int, goal_id: int) -> HttpResponse:
    """The mentee rewrites a goal."""
    found = get_plan_for_user(request.user, programme_id, enrolment_id, write=True)
    goal = _goal(found, goal_id)
    if not found.is_owner:
        raise PermissionDenied
    return _goal_form_page(request, found, goal)


def _post_on_goal(
    request: AuthedRequest, found: PlanAccess, goal: DevelopmentGoal, name: str, form: forms.Form, action: Any
) -> HttpResponse:
    """Validate `form`, run `action(form)`; on a problem re-show the plan with the form and its message."""
    if form.is_valid():
        try:
            action(form)
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            return redirect(_plan_url(found, goal.pk))
    return _render_plan(request, found, bound=(goal.pk, name, form), status=400)


@require_POST
def goal_status(request: AuthedRequest, programme_id: int, enrolment_id: int, goal_id: int) -> HttpResponse:
    """The mentee or mentor moves a goal along its status."""
    found = get_plan_for_user(request.user, programme_id, enrolment_id, write=True)
    goal = _goal(found, goal_id)
    form = StatusForm(request.POST, goal=goal)

    def act(f: forms.Form) -> None:
        development_goal_set_status(
            actor=request.user, goal=goal, status=f.cleaned_data["status"], note=f.cleaned_data["note"]
        )
        messages.success(request, _("Status changed."))

    return _post_on_goal(request, found, goal, "status_form", form, act)


@require_POST
def goal_progress(request: AuthedRequest, programme_id: int, enrolment_id: int, goal_id: int) -> HttpResponse:
    """The mentee or mentor records progress."""
    found = get_plan_for_user(request.user, programme_id, enrolment_id, write=True)
    goal = _goal(found, goal_id)
    form = ProgressForm(request.POST, prefix=f"p{goal.pk}")

    def act(f: forms.Form) -> None:
        assert isinstance(f, ProgressForm)
        goal_progress_add(actor=request.user, goal=goal, data=f.progress_input())
        messages.success(request, _("Progress recorded."))

    return _post_on_goal(request, found, goal, "progress_form", form, act)


@require_POST
def goal_comment(request: AuthedRequest, programme_id: int, enrolment_id: int, goal_id: int) -> HttpResponse:
    """The mentor (or the mentee, or a coordinator) comments on a goal."""
    found = get_plan_for_user(request.user, programme_id, enrolment_id)
    goal = _goal(found, goal_id)
    form = CommentForm(request.POST, prefix=f"c{goal.pk}")

    def act(f: forms.Form) -> None:
        goal_comment_add(actor=request.user, goal=goal, body=f.cleaned_data["body"])
        messages.success(request, _("Comment added."))

    return _post_on_goal(request, found, goal, "comment_form", form, act)


@require_POST
def goal_share(request: AuthedRequest, programme_id: int, enrolment_id: int, goal_id: int) -> HttpResponse:
    """The mentee shows a goal to their manager, or hides it again."""
    found = get_plan_for_user(request.user, programme_id, enrolment_id, write=True)
    goal = _goal(found, goal_id)
    if not found.is_owner:
        raise PermissionDenied
    form = ShareForm(request.POST)
    shared = form.is_valid() and form.cleaned_data["shared"]
    development_goal_share(actor=request.user, goal=goal, shared=shared)
    if shared:
        messages.success(request, _("Your manager can now see this goal."))
    else:
        messages.success(request, _("Your manager no longer sees this goal."))
    return redirect(_plan_url(found, goal.pk))


def plan_manager(request: AuthedRequest, programme_id: int, enrolment_id: int) -> HttpResponse:
    """The mentee's manager: the shared goals only, and the acknowledgement."""
    found = get_plan_for_manager(request.user, programme_id, enrolment_id)
    context = {
        "programme": found.enrolment.programme,
        "enrolment": found.enrolment,
        "plan": found.plan,
        "goals": plan_goals_for_manager(plan=found.plan),
    }
    return render(request, "programmes/development/manager.html", context)


@require_POST
def plan_acknowledge(request: AuthedRequest, programme_id: int, enrolment_id: int) -> HttpResponse:
    """The manager acknowledges the plan."""
    found = get_plan_for_manager(request.user, programme_id, enrolment_id)
    if found.plan is None:
        messages.error(request, _("No goal is shared with you yet, so there is nothing to acknowledge."))
    else:
        try:
            development_plan_acknowledge(actor=request.user, plan=found.plan)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Thank you: the plan is acknowledged."))
    return redirect("programmes:plan_manager", programme_id, enrolment_id)


@matching_coordinator_required
def preparation(request: AuthedRequest, access: ProgrammeAccess) -> HttpResponse:
    """The coordinator's overview: orientation, unsigned agreements, plans with no goals, goals at risk."""
    language = (get_language() or "en").split("-")[0]
    overview = preparation_overview(programme=access.programme, language=language)
    return render(
        request,
        "programmes/development/preparation.html",
        {"access": access, "programme": access.programme, "overview": overview},
    )
