"""The coordinator's dashboard, the programme's support schedule and the coordinator's tasks."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentoring.page_cache import cached_page
from people.paging import page_query
from people.types import AuthedRequest
from programmes.access import Action, Standing
from programmes.access_pages import allowed
from programmes.core.errors import DomainError
from programmes.core.figures_cache import programme_version_keys
from programmes.core.selectors.programmes import unread_count_for_request
from programmes.home.selectors.dashboard import SECTIONS, dashboard_for_programme
from programmes.models import CoordinatorTask
from programmes.support.forms.support import SupportSettingsForm, service_error_text
from programmes.support.services.support import coordinator_task_complete, support_settings_for


@allowed(Action.MANAGE_PROGRAMME)
def dashboard(request: AuthedRequest, access: Standing) -> HttpResponse:
    """What needs the coordinator today, and how the programme is going (a fixed number of queries).

    The page is kept under the programme's data version (mentoring.page_cache): a coordinator who comes
    back gets it without the lists and figures being read or the page laid out again.
    """
    programme = access.programme

    def render_page() -> HttpResponse:
        pages = {key: _number(request.GET.get(f"{key}_page")) for key in SECTIONS}
        board = dashboard_for_programme(programme=programme, pages=pages)
        for key in SECTIONS:  # each list pages on its own (?at_risk_page=2), keeping the others where they are
            section = getattr(board, key)
            if section.page > 1:
                section.previous_query = page_query(request, f"{key}_page", section.page - 1)
            if section.has_next:
                section.next_query = page_query(request, f"{key}_page", section.page + 1)
        context = {"access": access, "programme": programme, "d": board, "chart_data": board.chart_data()}
        return render(request, "programmes/dashboard/dashboard.html", context)

    parts = (programme.pk, timezone.localdate().isoformat(), unread_count_for_request(request))
    return cached_page(request, "dashboard", parts, render_page, watch=programme_version_keys([programme.pk]))


def _number(text: str | None) -> int:
    return int(text) if text and text.isdigit() and 0 < len(text) < 7 else 1


@allowed(Action.MANAGE_PROGRAMME)
def support_settings(request: AuthedRequest, access: Standing) -> HttpResponse:
    """When check-ins fall due: days after the start, then every so many days."""
    form = SupportSettingsForm(request.POST or None, instance=support_settings_for(access.programme))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The check-in schedule is saved."))
        return redirect("programmes:dashboard", access.programme.pk)
    return render(
        request, "programmes/dashboard/settings.html", {"access": access, "programme": access.programme, "form": form}
    )


@require_POST
@allowed(Action.MANAGE_PROGRAMME)
def task_done(request: AuthedRequest, access: Standing, task_id: int) -> HttpResponse:
    """Tick a coordinator task off."""
    task = get_object_or_404(CoordinatorTask, pk=task_id, programme=access.programme)
    try:
        coordinator_task_complete(actor=request.user, task=task)
    except (DomainError, ValidationError) as exc:
        messages.error(request, service_error_text(exc))
    else:
        messages.success(request, _("Task done."))
    return redirect("programmes:dashboard", access.programme.pk)
