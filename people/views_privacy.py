"""The privacy notice: shown once after the first sign-in (and again when its version changes), accepted once."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from .models import PrivacyNoticeAcceptance
from .types import AuthedRequest


def _next_url(request: AuthedRequest) -> str:
    """Where to go after the notice: the page the person was on the way to, if it is ours; else home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return "/"


def privacy_notice(request: AuthedRequest) -> HttpResponse:
    """Read the notice; POST records the acceptance of this version (once) and goes on."""
    version = settings.PRIVACY_NOTICE_VERSION
    if request.method == "POST":
        PrivacyNoticeAcceptance.objects.get_or_create(user=request.user, version=version)
        return redirect(_next_url(request))
    accepted = PrivacyNoticeAcceptance.objects.filter(user=request.user, version=version).first()
    context = {
        "version": version,
        "accepted": accepted,
        "next": _next_url(request),
        "retention_months": settings.PRIVACY_RETENTION_MONTHS,
    }
    return render(request, "people/privacy_notice.html", context)
