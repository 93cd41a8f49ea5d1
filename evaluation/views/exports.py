"""Background export jobs: the page (the progress every background job has, then the download), for the
requester only.

Anyone else, a site admin included, gets 404: the file is the requester's copy of what they may see.
The progress fragment is people's (people:job_progress); the old status URL sends htmx there.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render

from people.models import BackgroundJob
from people.services.jobs import get_job_for_user
from people.types import AuthedRequest

from ..services.exports import KIND


def export_job(request: AuthedRequest, job_id: int) -> HttpResponse:
    """The job's page: a progress bar that refreshes itself, then a download link."""
    return render(request, "evaluation/export_job.html", {"job": get_job_for_user(request.user, job_id, kind=KIND)})


def export_job_status(request: AuthedRequest, job_id: int) -> HttpResponse:
    """The progress fragment, which every background job shares (a page open since before it moved polls here)."""
    job = get_job_for_user(request.user, job_id, kind=KIND)
    return redirect("people:job_progress", job.pk)


def export_job_download(request: AuthedRequest, job_id: int) -> HttpResponseBase:
    """The finished file."""
    job = get_job_for_user(request.user, job_id, kind=KIND)
    if job.state != BackgroundJob.State.DONE or not job.file:
        raise Http404
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file_name)
