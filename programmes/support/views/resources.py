"""The programme's resource library: links and files, for an audience, with tags."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from people.types import AuthedRequest
from programmes.access import Action, Standing
from programmes.access_pages import allowed
from programmes.core.errors import DomainError
from programmes.models import Resource
from programmes.support.forms.support import ResourceForm, add_service_error
from programmes.support.selectors import resource_list_for_user
from programmes.support.services.resources import resource_create, resource_delete


def _resource(access: Standing, resource_id: int) -> Resource:
    """A resource of the programme for someone in its audience (staff: every resource); else 404."""
    resource = Resource.objects.filter(pk=resource_id, programme=access.programme).first()
    if resource is None:
        raise Http404
    access.about_object(resource).require(Action.VIEW_RESOURCE)
    return resource


@allowed(Action.VIEW_PROGRAMME)
def resource_list(request: AuthedRequest, access: Standing) -> HttpResponse:
    """The library as this person may see it, optionally one tag."""
    tag = request.GET.get("tag", "").strip().lower()[:40]
    resources = resource_list_for_user(access=access, tag=tag)
    tags = sorted({t for r in resource_list_for_user(access=access) for t in r.tags})
    context = {"access": access, "programme": access.programme, "resources": resources, "tag": tag, "tags": tags}
    return render(request, "programmes/support/resources.html", context)


@allowed(Action.MANAGE_PROGRAMME)
def resource_create_view(request: AuthedRequest, access: Standing) -> HttpResponse:
    """A coordinator adds a link or uploads a file (checked for size, type and contents)."""
    form = ResourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            resource_create(actor=request.user, programme=access.programme, data=form.to_input())
        except (DomainError, ValidationError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Added to the library."))
            return redirect("programmes:resources", access.programme.pk)
    context = {"access": access, "programme": access.programme, "form": form}
    return render(request, "programmes/support/resource_form.html", context)


@allowed(Action.VIEW_PROGRAMME)
def resource_open(request: AuthedRequest, access: Standing, resource_id: int) -> HttpResponseBase:
    """Download a file from storage, for people in the resource's audience only.

    A link is shown as a link (on the library and here), never followed by a redirect: this URL must not
    become an open redirect that lends the product's address to wherever a link points.
    """
    resource = _resource(access, resource_id)
    if resource.kind == Resource.Kind.LINK:
        context = {"programme": resource.programme, "resource": resource}
        return render(request, "programmes/support/resource_link.html", context)
    try:
        stored = resource.file.open("rb")
    except (FileNotFoundError, OSError):
        messages.error(request, _("This file is no longer in storage; ask the coordinator to upload it again."))
        return redirect("programmes:resources", access.programme.pk)
    response = FileResponse(stored, as_attachment=True, filename=resource.filename or "resource")
    response["Content-Type"] = resource.content_type or "application/octet-stream"
    return response


@require_POST
@allowed(Action.VIEW_PROGRAMME)
def resource_delete_view(request: AuthedRequest, access: Standing, resource_id: int) -> HttpResponse:
    """Remove a resource (and its file)."""
    resource = _resource(access, resource_id)
    access.about_object(resource).require(Action.DELETE_RESOURCE)
    resource_delete(actor=request.user, resource=resource)
    messages.success(request, _("Removed from the library."))
    return redirect("programmes:resources", access.programme.pk)
