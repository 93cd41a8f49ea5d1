"""Bearer tokens of SCIM clients: made once, kept as a digest, checked in constant time by digest lookup."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request

from people.models import ScimClient


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def scim_client_create(*, name: str) -> tuple[ScimClient, str]:
    """A new SCIM client and its token; the token is returned once and never stored."""
    token = secrets.token_urlsafe(32)
    client = ScimClient(name=name, token_digest=_digest(token))
    client.full_clean()
    client.save()
    return client, token


class ScimTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>` of an active SCIM client; people's sessions never reach SCIM."""

    def authenticate(self, request: Request) -> tuple[Any, ScimClient] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != b"bearer":
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Malformed bearer token.")
        client = ScimClient.objects.filter(
            token_digest=_digest(header[1].decode(errors="replace")), is_active=True
        ).first()
        if client is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked SCIM token.")
        ScimClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
        return AnonymousUser(), client

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="scim"'


class IsScimClient(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return isinstance(request.auth, ScimClient)
