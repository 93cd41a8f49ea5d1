"""Bulk invitations too big for a request go to the worker: the page returns at once and follows the job,
a second start is refused while one runs, the worker invites everyone once, and a refusal (recruitment
closed meanwhile) ends the job with the reason."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from people.models import BackgroundJob
from people.tests.factories import UserFactory
from programmes.models import Invitation, Recruitment
from programmes.tasks import run_invitation_job
from programmes.tests.matching_helpers import coordinator_of, matching_programme

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _everything_is_big(settings: Any) -> None:
    settings.INVITATIONS_INLINE = 1


def _post(client: Client, programme: Any) -> Any:
    emails = "a@nn.example, b@nn.example, c@nn.example"
    return client.post(reverse("programmes:invitations", args=[programme.pk]), {"role": "mentee", "emails": emails})


def test_a_big_invitation_returns_at_once_and_the_worker_invites_everyone_once(client: Client) -> None:
    programme = matching_programme()
    for name in "abc":
        UserFactory(email=f"{name}@nn.example")
    client.force_login(coordinator_of(programme))
    response = _post(client, programme)
    job = BackgroundJob.objects.get()
    assert (job.kind, job.state) == (BackgroundJob.Kind.INVITATIONS, BackgroundJob.State.QUEUED)
    assert not Invitation.objects.exists()  # the request invited nobody
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="job-progress"' in page

    refused = _post(client, programme)  # a second start while the first is unfinished
    assert "Invitations is already running" in client.get(refused["Location"]).content.decode()
    assert BackgroundJob.objects.count() == 1

    assert run_invitation_job(job.pk) == BackgroundJob.State.DONE
    assert Invitation.objects.count() == 3
    fragment = client.get(reverse("people:job_progress", args=[job.pk]), headers={"HX-Request": "true"})
    assert fragment["HX-Redirect"] == reverse("programmes:invitations", args=[programme.pk])
    assert "3 people invited." in fragment.content.decode()
    _post(client, programme)
    run_invitation_job(BackgroundJob.objects.exclude(pk=job.pk).get().pk)
    assert Invitation.objects.count() == 3  # nobody invited twice


def test_recruitment_closed_before_the_worker_started_ends_the_job_with_the_reason(client: Client) -> None:
    programme = matching_programme()
    UserFactory(email="a@nn.example")
    UserFactory(email="b@nn.example")
    client.force_login(coordinator_of(programme))
    _post(client, programme)
    Recruitment.objects.filter(programme=programme).update(is_open=False)
    job = BackgroundJob.objects.get()
    assert run_invitation_job(job.pk) == BackgroundJob.State.FAILED
    job.refresh_from_db()
    assert job.message == "Open recruitment first, so that the people you invite can apply."
    assert not Invitation.objects.exists()
    assert job.message in client.get(reverse("programmes:invitations", args=[programme.pk])).content.decode()
