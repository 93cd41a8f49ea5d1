"""Audited access to a pair's content: the reason form for coordinators and the members' "who read what" page."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from people.types import AuthedRequest
from programmes.access import Action, Standing
from programmes.access_pages import allowed
from programmes.support.forms.content_access import ContentReasonForm

from ..content_access import content_read_list_for_relationship, reason_remember


@allowed(Action.GIVE_READ_REASON, target="relationship")
def content_reason(request: AuthedRequest, found: Standing) -> HttpResponse:
    """A coordinator records why they read this pair's content; then back to the page they were opening."""
    form = ContentReasonForm(request.POST or None, initial={"next": request.GET.get("next", "")})
    if request.method == "POST" and form.is_valid():
        reason_remember(request, found.pair.pk, form.cleaned_data["reason"])
        return redirect(_back_to(request, form.cleaned_data["next"], found.programme.pk, found.pair.pk))
    relationship = found.pair
    context = {"programme": relationship.programme, "relationship": relationship, "form": form}
    return render(request, "programmes/support/content_reason_form.html", context)


def _back_to(request: AuthedRequest, target: str, programme_id: int, relationship_id: int) -> str:
    """Only back into this relationship's own pages; anything else goes to its support page."""
    support = reverse("programmes:relationship_support", args=[programme_id, relationship_id])
    prefix = support.removesuffix("support/")
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    return target if safe and target.startswith(prefix) else support


@allowed(Action.VIEW_RELATIONSHIP, target="relationship")
def content_reads(request: AuthedRequest, found: Standing) -> HttpResponse:
    """Who outside the pair read what of its content, when and why (members and coordinators)."""
    relationship = found.pair
    context = {
        "programme": relationship.programme,
        "relationship": relationship,
        "reads": content_read_list_for_relationship(relationship=relationship),
        "is_member": found.is_member,
    }
    return render(request, "programmes/support/content_reads.html", context)
