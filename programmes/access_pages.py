"""The access policy on pages and in the API: `@allowed` for views, `PolicyPermission` for DRF.

Both ask programmes.access, the one table of who may do what; nothing here decides anything itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from django.http import Http404
from django.http.response import HttpResponseBase
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from people.models import User
from people.types import AuthedRequest
from programmes.models import Enrolment, Programme, Relationship
from programmes.preparation.selectors.development import MENTEE_SIDE

from .access import Action, Outcome, Standing, standing_for

Response = TypeVar("Response", bound=HttpResponseBase)


# --- the page decorator -------------------------------------------------------------------------------------------


def _programme(kwargs: dict[str, Any]) -> dict[str, Any]:
    programme = Programme.objects.filter(pk=kwargs.pop("programme_id")).first()
    if programme is None:
        raise Http404
    return {"programme": programme}


def _relationship(kwargs: dict[str, Any]) -> dict[str, Any]:
    relationship = (
        Relationship.objects.select_related("programme")
        .filter(pk=kwargs.pop("relationship_id"), programme_id=kwargs.pop("programme_id"))
        .first()
    )
    if relationship is None:
        raise Http404
    return {"programme": relationship.programme, "relationship": relationship}


def _enrolments(kwargs: dict[str, Any], roles: Iterable[str] | None = None) -> dict[str, Any]:
    rows = Enrolment.objects.select_related("programme", "person", "person__org_unit", "person__manager").filter(
        pk=kwargs.pop("enrolment_id"), programme_id=kwargs.pop("programme_id")
    )
    enrolment = (rows.filter(role__in=roles) if roles is not None else rows).first()
    if enrolment is None:
        raise Http404
    return {"programme": enrolment.programme, "enrolment": enrolment}


_LOADERS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "nothing": lambda kwargs: {},  # actions on no programme yet (starting one)
    "programme": _programme,
    "relationship": _relationship,
    "enrolment": _enrolments,
    "mentee": lambda kwargs: _enrolments(kwargs, MENTEE_SIDE),  # a development plan's mentee
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
            standing = Standing(request.user, **load(kwargs))
            writing = post is not None and request.method not in ("GET", "HEAD")
            standing.require(post if writing and post is not None else action)
            return view(request, standing, *args, **kwargs)

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
