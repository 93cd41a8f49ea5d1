"""Development plans: the pair's plan with its chart, goal edits, status, progress, comments and sharing; the
manager's page of shared goals; and the coordinator's preparation overview."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from people.types import AuthedRequest
from programmes.access import Action, Standing
from programmes.access_pages import allowed
from programmes.core.errors import DomainError
from programmes.models import DevelopmentGoal, DevelopmentPlan
from programmes.preparation.forms.development import (
    CommentForm,
    GoalForm,
    ProgressForm,
    ShareForm,
    StatusForm,
    goal_initial,
)
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


def _plan(found: Standing) -> DevelopmentPlan | None:
    """The mentee's plan (None until the first goal)."""
    return DevelopmentPlan.objects.filter(enrolment=found.application).first()


def _goal(found: Standing, goal_id: int) -> DevelopmentGoal:
    goal = DevelopmentGoal.objects.filter(pk=goal_id, plan__enrolment=found.application).first()
    if goal is None:
        raise Http404
    return goal


def _plan_url(found: Standing, goal_id: int | None = None) -> str:
    url = reverse("programmes:plan", args=[found.application.programme_id, found.application.pk])
    return f"{url}#goal-{goal_id}" if goal_id else url


def _render_plan(
    request: AuthedRequest, found: Standing, *, bound: tuple[int, str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    """The plan page; `bound` = (goal id, form name, form) re-shows a form that failed, with what was typed."""
    plan = _plan(found)
    goals = plan_goals_for_pair(plan=plan)
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
        "programme": found.application.programme,
        "enrolment": found.application,
        "found": found,
        "plan": plan,
        "cards": cards,
        "chart": chart,
        "chart_rows": progress_table(chart),
    }
    return render(request, "programmes/development/plan.html", context, status=status)


@allowed(Action.VIEW_PLAN, target="mentee")
def plan_detail(request: AuthedRequest, found: Standing) -> HttpResponse:
    """The mentee's plan: goals with status, progress and comments, and progress over time as a chart and table."""
    return _render_plan(request, found)


def _goal_form_page(request: AuthedRequest, found: Standing, goal: DevelopmentGoal | None) -> HttpResponse:
    programme = found.application.programme
    initial = goal_initial(goal) if goal else {}
    form = GoalForm(request.POST or None, initial=initial, programme=programme)
    if request.method == "POST" and form.is_valid():
        try:
            if goal is None:
                saved = development_goal_create(actor=request.user, enrolment=found.application, data=form.goal_input())
            else:
                saved = development_goal_update(actor=request.user, goal=goal, data=form.goal_input())
        except DomainError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Goal saved."))
            return redirect(_plan_url(found, saved.pk))
    context = {"programme": programme, "enrolment": found.application, "form": form, "goal": goal}
    return render(request, "programmes/development/goal_form.html", context)


@allowed(Action.WORK_ON_PLAN, target="mentee")
def goal_create(request: AuthedRequest, found: Standing) -> HttpResponse:
    """The mentee adds a goal."""
    found.require(Action.EDIT_GOALS)
    return _goal_form_page(request, found, None)


@allowed(Action.WORK_ON_PLAN, target="mentee")
def goal_edit(request: AuthedRequest, found: Standing, goal_id: int) -> HttpResponse:
    """The mentee rewrites a goal."""
    goal = _goal(found, goal_id)
    found.require(Action.EDIT_GOALS)
    return _goal_form_page(request, found, goal)


def _post_on_goal(
    request: AuthedRequest, found: Standing, goal: DevelopmentGoal, name: str, form: forms.Form, action: Any
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
@allowed(Action.WORK_ON_PLAN, target="mentee")
def goal_status(request: AuthedRequest, found: Standing, goal_id: int) -> HttpResponse:
    """The mentee or mentor moves a goal along its status."""
    goal = _goal(found, goal_id)
    form = StatusForm(request.POST, goal=goal)

    def act(f: forms.Form) -> None:
        development_goal_set_status(
            actor=request.user, goal=goal, status=f.cleaned_data["status"], note=f.cleaned_data["note"]
        )
        messages.success(request, _("Status changed."))

    return _post_on_goal(request, found, goal, "status_form", form, act)


@require_POST
@allowed(Action.WORK_ON_PLAN, target="mentee")
def goal_progress(request: AuthedRequest, found: Standing, goal_id: int) -> HttpResponse:
    """The mentee or mentor records progress."""
    goal = _goal(found, goal_id)
    form = ProgressForm(request.POST, prefix=f"p{goal.pk}")

    def act(f: forms.Form) -> None:
        assert isinstance(f, ProgressForm)
        goal_progress_add(actor=request.user, goal=goal, data=f.progress_input())
        messages.success(request, _("Progress recorded."))

    return _post_on_goal(request, found, goal, "progress_form", form, act)


@require_POST
@allowed(Action.VIEW_PLAN, target="mentee")
def goal_comment(request: AuthedRequest, found: Standing, goal_id: int) -> HttpResponse:
    """The mentor (or the mentee, or a coordinator) comments on a goal."""
    goal = _goal(found, goal_id)
    form = CommentForm(request.POST, prefix=f"c{goal.pk}")

    def act(f: forms.Form) -> None:
        goal_comment_add(actor=request.user, goal=goal, body=f.cleaned_data["body"])
        messages.success(request, _("Comment added."))

    return _post_on_goal(request, found, goal, "comment_form", form, act)


@require_POST
@allowed(Action.WORK_ON_PLAN, target="mentee")
def goal_share(request: AuthedRequest, found: Standing, goal_id: int) -> HttpResponse:
    """The mentee shows a goal to their manager, or hides it again."""
    goal = _goal(found, goal_id)
    found.require(Action.EDIT_GOALS)
    form = ShareForm(request.POST)
    shared = form.is_valid() and form.cleaned_data["shared"]
    development_goal_share(actor=request.user, goal=goal, shared=shared)
    if shared:
        messages.success(request, _("Your manager can now see this goal."))
    else:
        messages.success(request, _("Your manager no longer sees this goal."))
    return redirect(_plan_url(found, goal.pk))


@allowed(Action.VIEW_SHARED_GOALS, target="mentee")
def plan_manager(request: AuthedRequest, found: Standing) -> HttpResponse:
    """The mentee's manager: the shared goals only, and the acknowledgement."""
    plan = _plan(found)
    context = {
        "programme": found.application.programme,
        "enrolment": found.application,
        "plan": plan,
        "goals": plan_goals_for_manager(plan=plan),
    }
    return render(request, "programmes/development/manager.html", context)


@require_POST
@allowed(Action.VIEW_SHARED_GOALS, target="mentee")
def plan_acknowledge(request: AuthedRequest, found: Standing) -> HttpResponse:
    """The manager acknowledges the plan."""
    plan = _plan(found)
    if plan is None:
        messages.error(request, _("No goal is shared with you yet, so there is nothing to acknowledge."))
    else:
        try:
            development_plan_acknowledge(actor=request.user, plan=plan)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("Thank you: the plan is acknowledged."))
    return redirect("programmes:plan_manager", found.programme.pk, found.application.pk)


@allowed(Action.MANAGE_PROGRAMME)
def preparation(request: AuthedRequest, access: Standing) -> HttpResponse:
    """The coordinator's overview: orientation, unsigned agreements, plans with no goals, goals at risk."""
    language = (get_language() or "en").split("-")[0]
    overview = preparation_overview(programme=access.programme, language=language)
    return render(
        request,
        "programmes/development/preparation.html",
        {"access": access, "programme": access.programme, "overview": overview},
    )
