"""Gates of the programme design pages: coordinators write, HR analysts read, participants are refused.

Participants (mentors and mentees) may read the programme page, but the design pages (team, policies,
goals, readiness, surveys) are staff work: they get 403. Anyone outside the programme gets 404.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse

from people.models import User
from people.permissions import ViewFunc
from people.types import AuthedRequest
from programmes.core.permissions import ProgrammeAccess, get_programme_for_user
from programmes.models import ProgrammeRole


def design_access(user: User, programme_id: int, *, write: bool = False) -> ProgrammeAccess:
    """404 out of scope; 403 for participants, and for anyone but coordinators when writing."""
    access = get_programme_for_user(user, programme_id, write=write)
    if not (access.is_coordinator or access.is_hr_analyst):
        raise PermissionDenied
    return access


def design_page(view: ViewFunc) -> ViewFunc:
    """A design page: staff read it (GET), coordinators change it (POST). Passes `access` to the view."""

    @wraps(view)
    def wrapper(request: AuthedRequest, programme_id: int, *args: Any, **kwargs: Any) -> HttpResponse:
        access = design_access(request.user, programme_id, write=request.method not in ("GET", "HEAD"))
        return view(request, access, *args, **kwargs)

    return wrapper


def can_create_programme(user: User) -> bool:
    """Site admins, HR analysts and people who already coordinate a programme may start a new one."""
    if user.is_site_admin or user.is_hr_analyst:
        return True
    return ProgrammeRole.objects.filter(user=user, role=ProgrammeRole.Role.COORDINATOR).exists()
