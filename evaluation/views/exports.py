"""Background export jobs: the progress page (polled with htmx), and the download, for the requester only.

Anyone else, a site admin included, gets 404: the file is the requester's copy of what they may see.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from people.types import AuthedRequest

from ..models import ExportJob


def get_export_job_for_user(user: object, job_id: int) -> ExportJob:
    """The user's own export job, or 404."""
    try:
        return ExportJob.objects.get(pk=job_id, requested_by_id=getattr(user, "pk", None))
    except ExportJob.DoesNotExist:
        raise Http404 from None


def export_job(request: AuthedRequest, job_id: int) -> HttpResponse:
    """The job's page: a progress bar that refreshes itself, then a download link."""
    return render(request, "evaluation/export_job.html", {"job": get_export_job_for_user(request.user, job_id)})


def export_job_status(request: AuthedRequest, job_id: int) -> HttpResponse:
    """The progress fragment htmx polls every second until the job is finished."""
    return render(request, "evaluation/_export_progress.html", {"job": get_export_job_for_user(request.user, job_id)})


def export_job_download(request: AuthedRequest, job_id: int) -> HttpResponseBase:
    """The finished file."""
    job = get_export_job_for_user(request.user, job_id)
    if job.state != ExportJob.State.DONE or not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename)
