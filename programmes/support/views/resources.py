"""The programme's resource library: links and files, for an audience, with tags."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from people.types import AuthedRequest
from programmes.core.errors import DomainError
from programmes.core.permissions import get_programme_for_user
from programmes.models import Resource
from programmes.support.forms import ResourceForm, add_service_error
from programmes.support.permissions import coordinator_access, get_resource_for_user
from programmes.support.selectors import resource_list_for_user

from ..services.support import resource_create, resource_delete


def resource_list(request: AuthedRequest, programme_id: int) -> HttpResponse:
    """The library as this person may see it, optionally one tag."""
    access = get_programme_for_user(request.user, programme_id)
    tag = request.GET.get("tag", "").strip().lower()[:40]
    resources = resource_list_for_user(access=access, tag=tag)
    tags = sorted({t for r in resource_list_for_user(access=access) for t in r.tags})
    context = {"access": access, "programme": access.programme, "resources": resources, "tag": tag, "tags": tags}
    return render(request, "programmes/support/resources.html", context)


def resource_create_view(request: AuthedRequest, programme_id: int) -> HttpResponse:
    """A coordinator adds a link or uploads a file (checked for size, type and contents)."""
    access = coordinator_access(request.user, programme_id)
    form = ResourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            resource_create(actor=request.user, programme=access.programme, data=form.to_input())
        except (DomainError, ValidationError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Added to the library."))
            return redirect("programmes:resources", programme_id)
    context = {"access": access, "programme": access.programme, "form": form}
    return render(request, "programmes/support/resource_form.html", context)


def resource_open(request: AuthedRequest, programme_id: int, resource_id: int) -> HttpResponseBase:
    """Download a file from storage, for people in the resource's audience only.

    A link is shown as a link (on the library and here), never followed by a redirect: this URL must not
    become an open redirect that lends the product's address to wherever a link points.
    """
    resource, _access = get_resource_for_user(request.user, programme_id, resource_id)
    if resource.kind == Resource.Kind.LINK:
        context = {"programme": resource.programme, "resource": resource}
        return render(request, "programmes/support/resource_link.html", context)
    try:
        stored = resource.file.open("rb")
    except (FileNotFoundError, OSError):
        messages.error(request, _("This file is no longer in storage; ask the coordinator to upload it again."))
        return redirect("programmes:resources", programme_id)
    response = FileResponse(stored, as_attachment=True, filename=resource.filename or "resource")
    response["Content-Type"] = resource.content_type or "application/octet-stream"
    return response


@require_POST
def resource_delete_view(request: AuthedRequest, programme_id: int, resource_id: int) -> HttpResponse:
    """Remove a resource (and its file)."""
    resource, access = get_resource_for_user(request.user, programme_id, resource_id)
    if not access.is_coordinator:
        raise PermissionDenied
    resource_delete(actor=request.user, resource=resource)
    messages.success(request, _("Removed from the library."))
    return redirect("programmes:resources", programme_id)
