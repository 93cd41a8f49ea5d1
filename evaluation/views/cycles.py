"""The evaluation plan: its cycles, the default plan in one click, one cycle added or changed, and the moves."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from people.types import AuthedRequest
from programmes.access import Action, Standing
from programmes.access_pages import allowed

from ..forms_cycles import CycleForm, PlanForm
from ..models import EvaluationCycle
from ..selectors_cycles import cycle_list_for_programme, instrument_list_for_programme
from ..services.common import EvaluationError
from ..services.cycles import (
    cycle_close,
    cycle_create,
    cycle_mark_reported,
    cycle_open,
    cycle_update,
    evaluation_plan_generate,
)


def _render(
    request: AuthedRequest,
    access: Standing,
    *,
    plan_form: PlanForm | None = None,
    cycle_form: CycleForm | None = None,
    status: int = 200,
) -> HttpResponse:
    programme = access.programme
    context: dict[str, Any] = {
        "access": access,
        "programme": programme,
        "cycles": list(cycle_list_for_programme(programme=programme)),
        "instruments": instrument_list_for_programme(programme=programme),
        "has_targets": programme.target_competencies.exists(),
        "today": timezone.localdate(),
        "writable": access.can_write and programme.phase not in ("closed", "cancelled"),
        "plan_form": plan_form or PlanForm(),
        "cycle_form": cycle_form or CycleForm(programme=programme),
    }
    return render(request, "evaluation/cycles.html", context, status=status)


@allowed(Action.READ_STAFF_PAGES)
def cycles(request: AuthedRequest, access: Standing) -> HttpResponse:
    """The evaluation plan: each cycle's window, state, instruments, answers and values."""
    return _render(request, access)


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def cycle_generate(request: AuthedRequest, access: Standing) -> HttpResponse:
    """Add the default cycles (and instruments) the plan lacks, dated from the programme's start."""
    form = PlanForm(request.POST)
    if not form.is_valid():
        return _render(request, access, plan_form=form, status=400)
    try:
        created = evaluation_plan_generate(
            actor=request.user, programme=access.programme, starts_on=form.cleaned_data["starts_on"]
        )
    except EvaluationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("%(n)d cycles added to the plan.") % {"n": len(created)})
    return redirect("evaluation:cycles", access.programme.pk)


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def cycle_add(request: AuthedRequest, access: Standing) -> HttpResponse:
    """Add one cycle (a pulse, or a kind the plan lacks)."""
    form = CycleForm(request.POST, programme=access.programme)
    if not form.is_valid():
        return _render(request, access, cycle_form=form, status=400)
    data = form.cleaned_data
    try:
        cycle_create(
            actor=request.user,
            programme=access.programme,
            kind=data["kind"],
            opens_on=data["opens_on"],
            closes_on=data["closes_on"],
            instruments=data["instruments"] or None,
        )
    except EvaluationError as exc:
        form.add_error(None, str(exc.message))
        return _render(request, access, cycle_form=form, status=400)
    messages.success(request, _("Cycle added to the plan."))
    return redirect("evaluation:cycles", access.programme.pk)


@allowed(Action.MANAGE_PROGRAMME)
def cycle_edit(request: AuthedRequest, access: Standing, cycle_id: int) -> HttpResponse:
    """Change a cycle's window and instruments."""
    cycle = get_object_or_404(EvaluationCycle, pk=cycle_id, programme=access.programme)
    form = CycleForm(request.POST or None, instance=cycle, programme=access.programme)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cycle_update(
                actor=request.user,
                cycle=cycle,
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                instruments=data["instruments"],
            )
        except EvaluationError as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("Cycle changed."))
            return redirect("evaluation:cycles", access.programme.pk)
    context = {"access": access, "programme": access.programme, "cycle": cycle, "form": form}
    return render(request, "evaluation/cycle_edit.html", context, status=400 if form.errors else 200)


def _transition(request: AuthedRequest, access: Standing, cycle_id: int, move: Callable[..., Any]) -> HttpResponse:
    cycle = get_object_or_404(EvaluationCycle, pk=cycle_id, programme=access.programme)
    try:
        move(actor=request.user, cycle=cycle)
    except EvaluationError as exc:
        messages.error(request, str(exc.message))
    else:
        cycle.refresh_from_db()
        messages.success(request, _("The cycle is now %(state)s.") % {"state": cycle.get_state_display().lower()})
    return redirect("evaluation:cycles", access.programme.pk)


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def cycle_open_view(request: AuthedRequest, access: Standing, cycle_id: int) -> HttpResponse:
    """Open a planned cycle now (instead of on its date): its questionnaires go out."""
    return _transition(request, access, cycle_id, cycle_open)


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def cycle_close_view(request: AuthedRequest, access: Standing, cycle_id: int) -> HttpResponse:
    """Close an open cycle now: no more answers; its results are computed."""
    return _transition(request, access, cycle_id, cycle_close)


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def cycle_report_view(request: AuthedRequest, access: Standing, cycle_id: int) -> HttpResponse:
    """Mark an analysed cycle reported: its figures are final."""
    return _transition(request, access, cycle_id, cycle_mark_reported)
