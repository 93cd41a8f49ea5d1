"""Views of the people directory: preferences, the language switcher, the HRIS import and the error pages."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .forms import LanguageForm, PeopleImportConfirmForm, PeopleImportForm, PreferencesForm
from .permissions import hr_or_admin_required
from .services.hris_columns import COLUMN_HELP, COLUMNS
from .services.hris_import import people_import
from .services.import_jobs import imported_message
from .services.pending_imports import pending_import_save, pending_import_take
from .types import AuthedRequest
from .views_import_jobs import start_import_job

REQUIRED_COLUMNS = [name for name, required in COLUMNS.items() if required]


@login_not_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the language; a signed-in person's choice is saved with their account and kept."""
    form = LanguageForm(request.POST)
    target = request.POST.get("next") or reverse("home")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("home")
    response = HttpResponseRedirect(target)
    if not form.is_valid():
        return response
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        request.user.preferred_language = language
        request.user.save(update_fields=["preferred_language"])
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def preferences(request: AuthedRequest) -> HttpResponse:
    """A person's own language and time zone."""
    form = PreferencesForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        translation.activate(form.instance.preferred_language)
        messages.success(request, _("Your preferences are saved."))
        return redirect("people:preferences")
    return render(request, "people/preferences.html", {"form": form})


@login_not_required
def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


@login_not_required
def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


@login_not_required
def error_500(request: HttpRequest) -> HttpResponse:
    # No context processors that touch the database: the database may be why we are here.
    from django.template import loader

    return HttpResponse(loader.get_template("500.html").render({}), status=500)


@hr_or_admin_required
@require_http_methods(["GET", "POST"])
def import_people(request: AuthedRequest) -> HttpResponse:
    """Upload an HRIS file: see its problems or a preview of what it changes, then import it."""
    if request.method == "POST" and "token" in request.POST:
        return _import_previewed(request)
    form = PeopleImportForm(request.POST, request.FILES) if request.method == "POST" else PeopleImportForm()
    context: dict[str, object] = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload, preview = form.cleaned_data["file"], form.cleaned_data["preview"]
        if (upload.size or 0) > settings.PEOPLE_IMPORT_INLINE_BYTES:  # too big to wait for: the worker does it
            return start_import_job(request, upload=upload, file_name=upload.name or "", dry_run=preview)
        content = upload.read()
        result = people_import(actor=request.user, content=content, dry_run=preview)
        if result.ok and not preview:
            messages.success(request, imported_message(result.summary))
            return redirect("people:import")
        context["result"] = result
        if result.ok:
            token = pending_import_save(request, content, name=upload.name or "")
            context["confirm"] = PeopleImportConfirmForm(initial={"token": token})
            context["file_name"] = upload.name or ""
    return _import_page(request, context)


def _import_page(request: AuthedRequest, context: dict[str, object]) -> HttpResponse:
    """The import page, with the column reference beside the form."""
    return render(
        request, "people/import.html", {**context, "column_help": COLUMN_HELP, "required_columns": REQUIRED_COLUMNS}
    )


def _import_previewed(request: AuthedRequest) -> HttpResponse:
    """Import the file this session previewed; a stale or foreign token is told to upload again."""
    form = PeopleImportConfirmForm(request.POST)
    content = pending_import_take(request, form.cleaned_data["token"]) if form.is_valid() else None
    if content is None:
        messages.error(request, _("That preview has expired or was already imported. Upload the file again."))
        return redirect("people:import")
    result = people_import(actor=request.user, content=content)
    if result.ok:
        messages.success(request, imported_message(result.summary))
        return redirect("people:import")
    return _import_page(request, {"form": PeopleImportForm(), "result": result})
