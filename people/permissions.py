"""Organisation-wide gates of the people directory (programme-scoped gates live in programmes)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

ViewFunc = Callable[..., HttpResponse]


def hr_or_admin_required(view: ViewFunc) -> ViewFunc:
    """Organisation-wide HR pages (people import, cross-programme reports): HR analysts and site admins."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not (user.is_authenticated and (user.is_hr_analyst or user.is_site_admin)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
