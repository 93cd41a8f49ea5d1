"""The home page: what needs this person today, per role they hold."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from people.types import AuthedRequest

from ..selectors import notification_list_for_user, roles_for_user


def home(request: AuthedRequest) -> HttpResponse:
    """One page for everyone; each role they hold adds its own panel, with an empty state that says what next."""
    roles = roles_for_user(user=request.user)
    unread = notification_list_for_user(user=request.user).filter(read_at__isnull=True)[:5]
    return render(request, "programmes/home.html", {"roles": roles, "unread": unread})
