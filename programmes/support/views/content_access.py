"""Audited access to a pair's content: the reason form for coordinators and the members' "who read what" page."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from people.types import AuthedRequest
from programmes.enrolment.forms.access import ContentReasonForm
from programmes.support.permissions import get_relationship_for_support

from ..content_access import content_read_list_for_relationship, reason_remember, reason_required


def content_reason(request: AuthedRequest, programme_id: int, relationship_id: int) -> HttpResponse:
    """A coordinator records why they read this pair's content; then back to the page they were opening."""
    found = get_relationship_for_support(request.user, programme_id, relationship_id)
    if not reason_required(found):
        raise PermissionDenied  # members read their own content without giving reasons
    form = ContentReasonForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    if request.method == "POST" and form.is_valid():
        reason_remember(request, relationship_id, form.cleaned_data["reason"])
        return redirect(_back_to(request, form.cleaned_data["next"], programme_id, relationship_id))
    relationship = found.relationship
    context = {"programme": relationship.programme, "relationship": relationship, "form": form}
    return render(request, "programmes/support/content_reason_form.html", context)


def _back_to(request: AuthedRequest, target: str, programme_id: int, relationship_id: int) -> str:
    """Only back into this relationship's own pages; anything else goes to its support page."""
    support = reverse("programmes:relationship_support", args=[programme_id, relationship_id])
    prefix = support.removesuffix("support/")
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return target if safe and target.startswith(prefix) else support


def content_reads(request: AuthedRequest, programme_id: int, relationship_id: int) -> HttpResponse:
    """Who outside the pair read what of its content, when and why (members and coordinators)."""
    found = get_relationship_for_support(request.user, programme_id, relationship_id)
    relationship = found.relationship
    context = {
        "programme": relationship.programme,
        "relationship": relationship,
        "reads": content_read_list_for_relationship(relationship=relationship),
        "is_member": found.is_member,
    }
    return render(request, "programmes/support/content_reads.html", context)
