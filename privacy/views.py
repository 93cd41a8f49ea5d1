"""A person's data page (download everything, see who read their pairs' content) and the admin's erasure page."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from people.models import PrivacyNoticeAcceptance
from people.types import AuthedRequest
from programmes.support.content_access import content_read_list_for_person

from .erasure import person_erase
from .export import person_export
from .forms import EraseForm


def my_data(request: AuthedRequest) -> HttpResponse:
    """What the product holds about the signed-in person, how to download it, and who read their pairs' content."""
    context = {
        "reads": content_read_list_for_person(person=request.user),
        "acceptance": PrivacyNoticeAcceptance.objects.filter(user=request.user).first(),
        "retention_months": settings.PRIVACY_RETENTION_MONTHS,
    }
    return render(request, "privacy/my_data.html", context)


def _attachment(content: str, content_type: str, extension: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.{extension}"'
    response["Cache-Control"] = "no-store"
    return response


def my_data_json(request: AuthedRequest) -> HttpResponse:
    """Everything about the signed-in person as JSON (machine-readable: UU PDP art. 13, GDPR art. 20)."""
    data = person_export(person=request.user)
    data["exported_at"] = timezone.now().isoformat()
    data["content_reads"] = [
        {"at": r.at.isoformat(), "reader": str(r.reader or ""), "what": r.kind, "reason": r.reason}
        for r in content_read_list_for_person(person=request.user)
    ]
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    return _attachment(body, "application/json; charset=utf-8", "json")


def my_data_html(request: AuthedRequest) -> HttpResponse:
    """The same data as a page a person can read and print."""
    context = {"data": person_export(person=request.user), "now": timezone.now(), "person": request.user}
    body = render_to_string("privacy/my_data_export.html", context, request=request)
    return _attachment(body, "text/html; charset=utf-8", "html")


def erase(request: AuthedRequest) -> HttpResponse:
    """Site admins erase a person on request: anonymised, their writing removed, still counted in aggregates."""
    if not request.user.is_site_admin:
        raise PermissionDenied
    form = EraseForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        event = person_erase(actor=request.user, person=form.cleaned_data["email"])
        messages.success(request, _("Person %(id)s is erased. The audit trail records it.") % {"id": event.object_id})
        return redirect("privacy:erase")
    return render(request, "privacy/erase.html", {"form": form})
