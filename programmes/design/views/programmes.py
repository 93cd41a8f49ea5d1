"""Programme list and programme page."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render

from people.types import AuthedRequest
from programmes.access import Action, Standing, may
from programmes.access_pages import allowed
from programmes.core.lifecycle import blockers_for, next_phase
from programmes.core.selectors.programmes import (
    business_goal_list_for_programme,
    needs_survey_list_for_programme,
    programme_list_for_user,
    programme_stepper,
    programme_team,
)
from programmes.models import Programme, ReadinessAssessment


def programme_list(request: AuthedRequest) -> HttpResponse:
    """The programmes this person may see, and "New programme" for those who may start one."""
    programmes = programme_list_for_user(user=request.user)
    context = {"programmes": programmes, "can_create": may(request.user, Action.CREATE_PROGRAMME)}
    return render(request, "programmes/programme_list.html", context)


@allowed(Action.VIEW_PROGRAMME)
def programme_detail(request: AuthedRequest, access: Standing) -> HttpResponse:
    """The programme page: the phase stepper, what is missing to move on, and (for staff) the design so far."""
    programme = access.programme
    context: dict[str, Any] = {
        "access": access,
        "programme": programme,
        "stepper": programme_stepper(programme=programme),
    }
    if access.is_coordinator or access.is_hr_analyst:
        context.update(_design_overview(programme))
    return render(request, "programmes/programme_detail.html", context)


def _design_overview(programme: Programme) -> dict[str, Any]:
    """What staff see below the stepper; a fixed number of queries whatever the programme holds."""
    upcoming = next_phase(programme.phase)
    return {
        "is_staff": True,
        "next_phase": Programme.Phase(upcoming) if upcoming else None,
        "blockers": blockers_for(programme, upcoming) if upcoming else [],
        "goals": business_goal_list_for_programme(programme=programme),
        "team": programme_team(programme=programme),
        "readiness": ReadinessAssessment.objects.filter(programme=programme).first(),
        "survey": needs_survey_list_for_programme(programme=programme).first(),
        "targets": programme.target_competencies.order_by("name"),
    }
