"""The access policy on pages and in the API: `@allowed` for views, `PolicyPermission` for DRF.

Both ask programmes.access, the one table of who may do what; nothing here decides anything itself.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from django.db.models import Exists, OuterRef
from django.http import Http404
from django.http.response import HttpResponseBase
from django.utils import timezone
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from mentoring.prepared import Prepared
from people.models import User
from people.types import AuthedRequest
from programmes.core.selectors.programmes import remember_unread_count, unread_count_subquery
from programmes.models import Enrolment, Programme, ProgrammeRole, Relationship
from programmes.preparation.selectors.development import MENTEE_SIDE

from .access import Action, Outcome, Standing, standing_for

Response = TypeVar("Response", bound=HttpResponseBase)


# --- the page decorator -------------------------------------------------------------------------------------------


def _reader_facts(user_id: int, now: datetime.datetime) -> dict[str, Any]:
    """What a programme page asks about its reader next: their staff roles in the programme (the policy's first
    question) and their unread count (the navigation, and a kept page's key: mentoring.page_cache)."""
    roles = {
        f"reader_is_{role}": Exists(
            ProgrammeRole.objects.filter(programme_id=OuterRef("pk"), user_id=user_id, role=role)
        )
        for role in ProgrammeRole.Role.values
    }
    return {**roles, "reader_unread": unread_count_subquery(user_id, now)}


# A programme's pages (the dashboard, the match review, the report: the busiest) find the programme and the
# reader's facts in one query, compiled once: a kept page costs the session, the user and this query.
_PROGRAMME_PAGE = Prepared(
    lambda programme_id, user_id, now: Programme.objects.filter(pk=programme_id).annotate(
        **_reader_facts(user_id, now)
    ),
    programme_id=int,
    user_id=int,
    now=datetime.datetime,
)


def _programme(request: AuthedRequest, kwargs: dict[str, Any]) -> Standing:
    found = _PROGRAMME_PAGE.run(programme_id=kwargs.pop("programme_id"), user_id=request.user.pk, now=timezone.now())
    if not found:
        raise Http404
    programme = found[0]
    remember_unread_count(request, programme.reader_unread)  # type: ignore[attr-defined]
    roles = frozenset(role for role in ProgrammeRole.Role.values if getattr(programme, f"reader_is_{role}"))
    return Standing(request.user, programme=programme).knowing(staff_roles=roles)


def _relationship(request: AuthedRequest, kwargs: dict[str, Any]) -> Standing:
    relationship = (
        Relationship.objects.select_related("programme")
        .filter(pk=kwargs.pop("relationship_id"), programme_id=kwargs.pop("programme_id"))
        .first()
    )
    if relationship is None:
        raise Http404
    return Standing(request.user, programme=relationship.programme, relationship=relationship)


def _enrolments(request: AuthedRequest, kwargs: dict[str, Any], roles: Iterable[str] | None = None) -> Standing:
    rows = Enrolment.objects.select_related("programme", "person", "person__org_unit", "person__manager").filter(
        pk=kwargs.pop("enrolment_id"), programme_id=kwargs.pop("programme_id")
    )
    enrolment = (rows.filter(role__in=roles) if roles is not None else rows).first()
    if enrolment is None:
        raise Http404
    return Standing(request.user, programme=enrolment.programme, enrolment=enrolment)


_LOADERS: dict[str, Callable[[AuthedRequest, dict[str, Any]], Standing]] = {
    "nothing": lambda request, kwargs: Standing(request.user),  # actions on no programme yet (starting one)
    "programme": _programme,
    "relationship": _relationship,
    "enrolment": _enrolments,
    "mentee": lambda request, kwargs: _enrolments(request, kwargs, MENTEE_SIDE),  # a development plan's mentee
}


def allowed(
    action: Action, *, target: str = "programme", post: Action | None = None
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Guard a page with the policy: passes the Standing to the view in place of the URL's ids.

    `target` names what the URL points at: "nothing", "programme" (programme_id), "relationship" or "enrolment"
    (programme_id and relationship_id / enrolment_id), "mentee" (an enrolment on the mentee side: a plan).
    404 when it does not exist. With `post`, requests other than GET and HEAD need that action instead.
    """
    load = _LOADERS[target]

    def decorator(view: Callable[..., Response]) -> Callable[..., Response]:
        @wraps(view)
        def wrapper(request: AuthedRequest, *args: Any, **kwargs: Any) -> Response:
            standing = load(request, kwargs)
            writing = post is not None and request.method not in ("GET", "HEAD")
            standing.require(post if writing and post is not None else action)
            return view(request, standing, *args, **kwargs)

        def may_open(request: AuthedRequest, kwargs: dict[str, Any]) -> bool:
            """Would this page open for the reader (GET), for a link that leads to it (a notification's)?"""
            try:
                return load(request, dict(kwargs)).decide(action) is Outcome.ALLOW
            except Http404:
                return False

        wrapper.may_open = may_open  # type: ignore[attr-defined]  # outer decorators' wraps() carry it along
        return wrapper

    return decorator


# --- the API permission -------------------------------------------------------------------------------------------


class PolicyPermission(BasePermission):
    """DRF: signed-in callers only; each object must pass the view's `policy_action` (404 out of scope, 403 refused).

    The object is anything `standing_for` knows: a programme, or a row that belongs to one (a metric, a result).
    """

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        assert isinstance(request.user, User)  # has_permission ran first
        outcome = standing_for(request.user, obj).decide(view.policy_action)
        if outcome is Outcome.HIDE:
            raise NotFound
        return outcome is Outcome.ALLOW
