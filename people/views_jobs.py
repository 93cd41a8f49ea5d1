"""The progress of a background job (people.models_jobs), as a fragment htmx polls until the job ends.

Who may follow a job, and which page shows its outcome, depend on its kind (people.services.jobs.
register_job_kind). A kind that registered no access check is for its requester only.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .services.jobs import get_job_for_user, outcome_url
from .types import AuthedRequest


@require_GET
def job_progress(request: AuthedRequest, pk: int) -> HttpResponse:
    """The job's progress bar by stage; once it is done, htmx is sent on to its outcome's page."""
    job = get_job_for_user(request.user, pk)
    next_url = outcome_url(job)
    response = render(request, "people/_job_progress.html", {"job": job, "outcome_url": next_url})
    if next_url and request.headers.get("HX-Request") == "true":
        response["HX-Redirect"] = next_url  # the page becomes the outcome (the proposals, say)
    return response
