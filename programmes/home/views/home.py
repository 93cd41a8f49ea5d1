"""The home page: a to-do list per role the person holds, each item linking to where it is done."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import Promise

from people.types import AuthedRequest
from programmes.core.lifecycle import Blocker, blockers_for, next_phase
from programmes.core.selectors.programmes import roles_for_user
from programmes.home.selectors.home import (
    CoordinatorTodos,
    coordinator_todos,
    manager_todos,
    participant_todos,
)
from programmes.home.selectors.notifications import notifications_for_home
from programmes.models import Programme


@dataclass
class ProgrammeToday:
    """A coordinated programme: its to-do items, the phase it can move to next and what stands in the way."""

    programme: Programme
    next_phase_label: str | Promise  # empty at the end of the road (closed, on hold, cancelled)
    blockers: list[Blocker]
    todos: CoordinatorTodos | None = None


def _programme_today(programme: Programme) -> ProgrammeToday:
    target = next_phase(programme.phase)
    if target is None:
        return ProgrammeToday(programme, "", [])
    return ProgrammeToday(programme, Programme.Phase(target).label, blockers_for(programme, target))


def home(request: AuthedRequest) -> HttpResponse:
    """One page for everyone; each role they hold adds its own list, with an empty state that says what next."""
    now = timezone.now()
    roles = roles_for_user(user=request.user)
    coordinated = [_programme_today(p) for p in roles.coordinates]
    for today, todos in zip(coordinated, coordinator_todos(programmes=roles.coordinates, now=now), strict=True):
        today.todos = todos
    participant = participant_todos(user=request.user, enrolments=roles.enrolments, now=now)
    context = {
        "roles": roles,
        "unread": notifications_for_home(user=request.user),
        "coordinated": coordinated,
        "participant": participant,
        "manager": manager_todos(user=request.user),
    }
    return render(request, "programmes/home.html", context)


def manager_home(request: AuthedRequest) -> HttpResponse:
    """A manager's own page: approvals waiting for them and the goals their reports share with them."""
    context = {"manager": manager_todos(user=request.user)}
    return render(request, "programmes/manager_home.html", context)
