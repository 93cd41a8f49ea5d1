"""Who may do what in a programme. Roles are data (ProgrammeRole, Enrolment); gates are decorators.

Out of scope answers 404 (the object might as well not exist), in scope but not allowed answers 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse

from people.models import User
from people.permissions import ViewFunc
from people.types import AuthedRequest
from programmes.models import Enrolment, Programme, ProgrammeRole


@dataclass(frozen=True)
class ProgrammeAccess:
    """What one person is in one programme."""

    programme: Programme
    is_coordinator: bool
    is_hr_analyst: bool
    participant_roles: frozenset[str]

    @property
    def can_read(self) -> bool:
        return self.is_coordinator or self.is_hr_analyst or bool(self.participant_roles)

    @property
    def can_write(self) -> bool:
        return self.is_coordinator


def programme_access(user: User, programme: Programme) -> ProgrammeAccess:
    """The roles `user` holds in `programme` (site admins coordinate every programme)."""
    staff = set(ProgrammeRole.objects.filter(programme=programme, user_id=user.pk).values_list("role", flat=True))
    participant = frozenset(
        Enrolment.objects.filter(programme=programme, person_id=user.pk)
        .exclude(state=Enrolment.State.WITHDRAWN)
        .values_list("role", flat=True)
    )
    return ProgrammeAccess(
        programme=programme,
        is_coordinator=user.is_site_admin or ProgrammeRole.Role.COORDINATOR in staff,
        is_hr_analyst=user.is_hr_analyst or ProgrammeRole.Role.HR_ANALYST in staff,
        participant_roles=participant,
    )


def get_programme_for_user(user: User, pk: int, *, write: bool = False) -> ProgrammeAccess:
    """Load a programme the user may see: 404 when out of scope, 403 when it is read-only for them."""
    try:
        programme = Programme.objects.get(pk=pk)
    except Programme.DoesNotExist:
        raise Http404 from None
    access = programme_access(user, programme)
    if not access.can_read:
        raise Http404
    if write and not access.can_write:
        raise PermissionDenied
    return access


def coordinator_required(view: ViewFunc) -> ViewFunc:
    """Programme pages that change things: passes `access` (a ProgrammeAccess) to the view.

    The view takes the programme's primary key as `programme_id`.
    """

    @wraps(view)
    def wrapper(request: AuthedRequest, programme_id: int, *args: Any, **kwargs: Any) -> HttpResponse:
        access = get_programme_for_user(request.user, programme_id, write=True)
        return view(request, access, *args, **kwargs)

    return wrapper


def programme_member_required(view: ViewFunc) -> ViewFunc:
    """Programme pages anyone in the programme may read: passes `access` to the view."""

    @wraps(view)
    def wrapper(request: AuthedRequest, programme_id: int, *args: Any, **kwargs: Any) -> HttpResponse:
        access = get_programme_for_user(request.user, programme_id)
        return view(request, access, *args, **kwargs)

    return wrapper
