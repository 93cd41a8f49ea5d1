"""The client's address as seen through the trusted proxies in front of the application.

Behind N proxies, each proxy appends the address it received the request from to X-Forwarded-For, so the
client is the N-th entry from the right; anything further left was written by the client and proves nothing.
With no proxy (TRUSTED_PROXY_COUNT = 0) the header is ignored and REMOTE_ADDR is the client. The lockout
(AXES_CLIENT_IP_CALLABLE) and agreement signatures use this one function.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(value: str | None) -> str | None:
    """The address if it is one (IPv4 or IPv6, port-free), else None."""
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client that sent this request, or None when nothing trustworthy names one."""
    remote = _valid(request.META.get("REMOTE_ADDR"))
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        # Fewer hops than proxies configured: the header was not written by our proxies; trust only the socket.
        return remote
    return _valid(forwarded[-count]) or remote
