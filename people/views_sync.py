"""The HRIS sync pages: every run with what it changed or why it refused; a run waiting for review is decided here."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mentoring.background import enqueue_on_commit

from .models import HrisSync
from .permissions import hr_or_admin_required
from .services.hris_sync import SyncSourceError, hris_sync_decide
from .tasks import hris_sync as hris_sync_task
from .types import AuthedRequest


@hr_or_admin_required
@require_http_methods(["GET", "POST"])
def hris_syncs(request: AuthedRequest) -> HttpResponse:
    """The latest runs; "Sync now" asks the worker for a run at once (the same task the schedule runs)."""
    if request.method == "POST":
        if not settings.HRIS_SYNC_SOURCE:
            messages.error(request, _("No HRIS source is configured (HRIS_SYNC_SOURCE)."))
        else:
            enqueue_on_commit(hris_sync_task)
            messages.success(request, _("The sync has started; its run appears here in a moment."))
        return redirect("people:hris_syncs")
    runs = HrisSync.objects.defer("content").select_related("decided_by")[:30]
    return render(
        request,
        "people/hris_syncs.html",
        {"runs": runs, "source": settings.HRIS_SYNC_SOURCE, "review": settings.HRIS_SYNC_REVIEW},
    )


@hr_or_admin_required
def hris_sync(request: AuthedRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(HrisSync.objects.defer("content").select_related("decided_by"), pk=pk)
    return render(request, "people/hris_sync.html", {"run": run, "diff": run.diff})


@hr_or_admin_required
@require_POST
def hris_sync_decision(request: AuthedRequest, pk: int) -> HttpResponse:
    """Apply or discard a run waiting for review."""
    run = get_object_or_404(HrisSync, pk=pk)
    apply = request.POST.get("decision") == "apply"
    try:
        decided = hris_sync_decide(actor=request.user, sync=run, apply=apply)
    except SyncSourceError as exc:
        messages.error(request, str(exc))
        return redirect("people:hris_sync", pk=pk)
    if decided.state == HrisSync.State.FAILED:
        messages.error(request, _("The file no longer fits the directory; nothing was changed."))
    elif apply:
        messages.success(request, _("The HRIS file was applied."))
    else:
        messages.success(request, _("The HRIS file was discarded; nothing was changed."))
    return redirect("people:hris_sync", pk=pk)
