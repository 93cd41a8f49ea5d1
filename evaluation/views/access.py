"""Who may use the evaluation pages of a programme.

Coordinators of the programme (and site admins) read and write; HR analysts read; participants are in
scope but get 403 (their own results come later, on their own pages); everyone else gets 404.
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


def get_evaluation_access(user: User, programme_id: int, *, write: bool = False) -> ProgrammeAccess:
    """The programme, when `user` may read (or with write=True, change) its evaluation set-up."""
    access = get_programme_for_user(user, programme_id)
    if not (access.is_coordinator or access.is_hr_analyst):
        raise PermissionDenied
    if write and not access.can_write:
        raise PermissionDenied
    return access


def evaluation_reader_required(view: ViewFunc) -> ViewFunc:
    """Evaluation pages coordinators and HR analysts read: passes `access` to the view."""

    @wraps(view)
    def wrapper(request: AuthedRequest, programme_id: int, *args: Any, **kwargs: Any) -> HttpResponse:
        return view(request, get_evaluation_access(request.user, programme_id), *args, **kwargs)

    return wrapper


def evaluation_writer_required(view: ViewFunc) -> ViewFunc:
    """Evaluation pages that change things, for the programme's coordinators: passes `access` to the view."""

    @wraps(view)
    def wrapper(request: AuthedRequest, programme_id: int, *args: Any, **kwargs: Any) -> HttpResponse:
        return view(request, get_evaluation_access(request.user, programme_id, write=True), *args, **kwargs)

    return wrapper
