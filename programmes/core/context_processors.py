"""Navigation data for every page: the person's roles and unread notifications, loaded lazily."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from programmes.core.selectors.programmes import roles_for_user, unread_count_for_request


def navigation(request: HttpRequest) -> dict[str, Any]:
    """`nav_roles` and `nav_unread` are computed only when a template reads them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_roles": SimpleLazyObject(lambda: roles_for_user(user=user)),
        "nav_unread": SimpleLazyObject(lambda: unread_count_for_request(request)),
    }
