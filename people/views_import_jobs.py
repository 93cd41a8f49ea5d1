"""Pages of the background HRIS import: start a job, follow its progress (htmx), import a good preview."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from .models import ImportJob, User
from .permissions import hr_or_admin_required
from .services.import_jobs import ImportBusy, import_job_confirm, import_job_start, result_from_json
from .types import AuthedRequest


def get_import_job_for_user(user: User, pk: int) -> ImportJob:
    """The job, for the person who started it only (anyone else: 404)."""
    job = ImportJob.objects.filter(pk=pk, requested_by=user).defer("content").first()
    if job is None:
        raise Http404
    return job


def start_import_job(request: AuthedRequest, *, content: bytes, file_name: str, dry_run: bool) -> HttpResponse:
    """Queue the upload as a job and send the person to its page; refused while another import runs."""
    try:
        job = import_job_start(actor=request.user, content=content, file_name=file_name, dry_run=dry_run)
    except ImportBusy as exc:
        messages.error(request, str(exc))
        return redirect("people:import")
    return redirect("people:import_job", job.pk)


def _context(job: ImportJob) -> dict[str, object]:
    result = result_from_json(job.result) if job.state == ImportJob.State.DONE else None
    return {"job": job, "result": result, "file_name": job.file_name}


@hr_or_admin_required
@require_GET
def import_job(request: AuthedRequest, pk: int) -> HttpResponse:
    """A background import's page: its progress while it runs, its outcome when done."""
    job = get_import_job_for_user(request.user, pk)
    fragment = request.headers.get("HX-Request") == "true"  # htmx polling the progress
    template = "people/_import_job_progress.html" if fragment else "people/import_job.html"
    return render(request, template, _context(job))


@hr_or_admin_required
@require_POST
def import_job_import(request: AuthedRequest, pk: int) -> HttpResponse:
    """Import the file a finished preview without problems checked."""
    previewed = get_import_job_for_user(request.user, pk)
    previewed = ImportJob.objects.get(pk=previewed.pk)  # with its file this time
    try:
        job = import_job_confirm(actor=request.user, previewed=previewed)
    except ImportBusy as exc:
        messages.error(request, str(exc))
        return redirect("people:import_job", pk)
    return redirect("people:import_job", job.pk)
