"""SCIM endpoints: /Users, /Groups and the three discovery documents, behind a per-provider bearer token."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import status
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from people.models import ScimGroup, User

from .auth import IsScimClient, ScimTokenAuthentication
from .resources import (
    ENTERPRISE,
    GROUP_SCHEMA,
    LIST_SCHEMA,
    USER_SCHEMA,
    ScimError,
    group_to_scim,
    parse_filter,
    patch_operations,
    user_fields_from_scim,
    user_patch_changes,
    user_to_scim,
)
from .services import scim_group_create, scim_group_patch, scim_user_create, scim_user_update

MAX_COUNT = 200


class ScimJSONParser(JSONParser):
    media_type = "application/scim+json"


class ScimJSONRenderer(JSONRenderer):
    media_type = "application/scim+json"


class ScimView(APIView):
    """Token auth only, SCIM's media type, no throttle scope of the HR API, and errors in SCIM's shape."""

    authentication_classes = [ScimTokenAuthentication]
    permission_classes = [IsScimClient]
    parser_classes = [ScimJSONParser, JSONParser]
    renderer_classes = [ScimJSONRenderer, JSONRenderer]
    throttle_classes: list[Any] = []

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, ScimError):
            return Response(exc.body(), status=exc.status)
        response = super().handle_exception(exc)
        detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
        return Response(
            ScimError(response.status_code, str(detail)).body(), status=response.status_code, headers=response.headers
        )

    def body(self, request: Request) -> dict[str, Any]:
        if not isinstance(request.data, dict):
            raise ScimError(400, "The body must be a JSON object.", "invalidSyntax")
        return request.data


def _page(request: Request, queryset: QuerySet[Any], render: Any) -> dict[str, Any]:
    try:
        start = max(int(request.query_params.get("startIndex", 1)), 1)
        count = min(max(int(request.query_params.get("count", 100)), 0), MAX_COUNT)
    except ValueError:
        raise ScimError(400, "startIndex and count must be whole numbers.", "invalidValue") from None
    total = queryset.count()
    items = list(queryset[start - 1 : start - 1 + count])
    return {
        "schemas": [LIST_SCHEMA],
        "totalResults": total,
        "startIndex": start,
        "itemsPerPage": len(items),
        "Resources": [render(item) for item in items],
    }


def _get(model: Any, pk: str) -> Any:
    try:
        return model.objects.get(pk=int(pk))
    except (ValueError, model.DoesNotExist):
        raise ScimError(404, f"No {model.__name__} with id {pk}.") from None


USER_FILTERS = {"username": "email__iexact", "externalid": "external_id", "emails.value": "email__iexact"}
GROUP_FILTERS = {"displayname": "display_name", "externalid": "external_id"}


class UsersView(ScimView):
    def get(self, request: Request) -> Response:
        users = User.objects.select_related("manager").order_by("pk")
        found = parse_filter(request.query_params.get("filter", ""), USER_FILTERS)
        if found:
            users = users.filter(**{found[0]: found[1]})
        return Response(_page(request, users, user_to_scim))

    def post(self, request: Request) -> Response:
        body = self.body(request)
        enterprise = body.get(ENTERPRISE) or {}
        user = scim_user_create(
            fields=user_fields_from_scim(body), active=body.get("active", True), manager=enterprise.get("manager")
        )
        return Response(user_to_scim(user), status=status.HTTP_201_CREATED)


class UserView(ScimView):
    def get(self, request: Request, pk: str) -> Response:
        return Response(user_to_scim(_get(User, pk)))

    def put(self, request: Request, pk: str) -> Response:
        body = self.body(request)
        enterprise = body.get(ENTERPRISE) or {}
        changes = {**user_fields_from_scim(body), "active": body.get("active", True)}
        changes["manager"] = enterprise.get("manager")
        return Response(user_to_scim(scim_user_update(user=_get(User, pk), changes=changes)))

    def patch(self, request: Request, pk: str) -> Response:
        changes = user_patch_changes(patch_operations(self.body(request)))
        return Response(user_to_scim(scim_user_update(user=_get(User, pk), changes=changes)))

    def delete(self, request: Request, pk: str) -> Response:
        """People are never deleted by provisioning (their programme history counts): the account is closed."""
        scim_user_update(user=_get(User, pk), changes={"active": False})
        return Response(status=status.HTTP_204_NO_CONTENT)


class GroupsView(ScimView):
    def get(self, request: Request) -> Response:
        groups = ScimGroup.objects.prefetch_related("members").order_by("pk")
        found = parse_filter(request.query_params.get("filter", ""), GROUP_FILTERS)
        if found:
            groups = groups.filter(**{found[0]: found[1]})
        with_members = "members" not in request.query_params.get("excludedAttributes", "")
        return Response(_page(request, groups, lambda g: group_to_scim(g, members=with_members)))

    def post(self, request: Request) -> Response:
        body = self.body(request)
        group = scim_group_create(
            display_name=str(body.get("displayName") or ""),
            external_id=str(body.get("externalId") or ""),
            members=body.get("members"),
        )
        return Response(group_to_scim(group), status=status.HTTP_201_CREATED)


class GroupView(ScimView):
    def get(self, request: Request, pk: str) -> Response:
        with_members = "members" not in request.query_params.get("excludedAttributes", "")
        return Response(group_to_scim(_get(ScimGroup, pk), members=with_members))

    def patch(self, request: Request, pk: str) -> Response:
        group = scim_group_patch(group=_get(ScimGroup, pk), operations=patch_operations(self.body(request)))
        return Response(group_to_scim(group))

    def delete(self, request: Request, pk: str) -> Response:
        _get(ScimGroup, pk).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class ServiceProviderConfigView(ScimView):
    def get(self, request: Request) -> Response:
        return Response(
            {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
                "patch": {"supported": True},
                "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
                "filter": {"supported": True, "maxResults": MAX_COUNT},
                "changePassword": {"supported": False},
                "sort": {"supported": False},
                "etag": {"supported": False},
                "authenticationSchemes": [
                    {"type": "oauthbearertoken", "name": "Bearer token", "description": "One token per provider."}
                ],
            }
        )


class ResourceTypesView(ScimView):
    def get(self, request: Request) -> Response:
        types = [
            {
                "id": "User",
                "name": "User",
                "endpoint": "/Users",
                "schema": USER_SCHEMA,
                "schemaExtensions": [{"schema": ENTERPRISE, "required": False}],
            },
            {"id": "Group", "name": "Group", "endpoint": "/Groups", "schema": GROUP_SCHEMA},
        ]
        return Response({"schemas": [LIST_SCHEMA], "totalResults": len(types), "Resources": types})
