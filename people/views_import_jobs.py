"""Pages of the background HRIS import: start a job, its page (progress, then the outcome), import a preview.

The progress itself is the one fragment every background job has (people.views_jobs); this page adds
what is particular to an import: the preview to import, or the problems by row.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.files import File
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from .models import BackgroundJob
from .permissions import hr_or_admin_required
from .services.import_jobs import KIND, import_job_confirm, import_job_start, result_from_json
from .services.jobs import JobBusy, JobRefused, get_job_for_user
from .types import AuthedRequest


def start_import_job(request: AuthedRequest, *, upload: File[Any], file_name: str, dry_run: bool) -> HttpResponse:
    """Queue the upload as a job and send the person to its page; refused while another import runs."""
    try:
        job = import_job_start(actor=request.user, upload=upload, file_name=file_name, dry_run=dry_run)
    except JobBusy as exc:
        messages.error(request, exc.message)
        return redirect("people:import")
    return redirect("people:import_job", job.pk)


@hr_or_admin_required
@require_GET
def import_job(request: AuthedRequest, pk: int) -> HttpResponse:
    """A background import's page: its progress while it runs, its outcome when done."""
    job = get_job_for_user(request.user, pk, kind=KIND)
    result = result_from_json(job.result) if job.state == BackgroundJob.State.DONE else None
    return render(request, "people/import_job.html", {"job": job, "result": result, "file_name": job.file_name})


@hr_or_admin_required
@require_POST
def import_job_import(request: AuthedRequest, pk: int) -> HttpResponse:
    """Import the file a finished preview without problems checked."""
    previewed = get_job_for_user(request.user, pk, kind=KIND)
    try:
        job = import_job_confirm(actor=request.user, previewed=previewed)
    except (JobBusy, JobRefused) as exc:
        messages.error(request, exc.message)
        return redirect("people:import_job", pk)
    return redirect("people:import_job", job.pk)
