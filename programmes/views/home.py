"""The home page: what needs this person today, per role they hold."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise

from people.types import AuthedRequest

from ..lifecycle import Blocker, blockers_for, next_phase
from ..models import Programme
from ..selectors import notification_list_for_user, roles_for_user
from ..selectors_support import participant_panels_for


@dataclass
class ProgrammeToday:
    """A coordinated programme with the phase it can move to next and what still stands in the way."""

    programme: Programme
    next_phase_label: str | Promise  # empty at the end of the road (closed, on hold, cancelled)
    blockers: list[Blocker]


def _programme_today(programme: Programme) -> ProgrammeToday:
    target = next_phase(programme.phase)
    if target is None:
        return ProgrammeToday(programme, "", [])
    return ProgrammeToday(programme, Programme.Phase(target).label, blockers_for(programme, target))


def home(request: AuthedRequest) -> HttpResponse:
    """One page for everyone; each role they hold adds its own panel, with an empty state that says what next."""
    roles = roles_for_user(user=request.user)
    unread = notification_list_for_user(user=request.user).filter(read_at__isnull=True)[:5]
    coordinated = [_programme_today(p) for p in roles.coordinates]
    # Ongoing support (issue 6): each running relationship's next session, open goals and what is due.
    running = participant_panels_for(user=request.user) if roles.is_participant else []
    context = {"roles": roles, "unread": unread, "coordinated": coordinated, "running": running}
    return render(request, "programmes/home.html", context)
