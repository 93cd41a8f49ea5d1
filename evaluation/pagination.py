"""API paging with a ceiling, and who may read the OpenAPI schema."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.authtoken.models import Token
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import BasePermission


class CappedLimitOffsetPagination(LimitOffsetPagination):
    """`?limit=` as asked, but never more than API_MAX_PAGE_SIZE rows in one page."""

    @property
    def max_limit(self) -> int:  # type: ignore[override]
        return int(settings.API_MAX_PAGE_SIZE)


class IsAPIUser(BasePermission):
    """The schema is for the API's users: HR analysts, site admins and anyone who holds an API token."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if user.is_hr_analyst or user.is_superuser or isinstance(request.auth, Token):
            return True
        return Token.objects.filter(user=user).exists()


def outcomes_api_only(endpoints: list[tuple[str, str, str, Any]], **_kwargs: Any) -> list[tuple[str, str, str, Any]]:
    """drf-spectacular preprocessing hook: the schema describes the outcomes API under /api/ only.

    Other DRF views (SCIM provisioning for identity providers) have their own protocol and documentation;
    leaving them out keeps the schema, and `check --deploy`'s schema check, about the API HR uses.
    """
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]
