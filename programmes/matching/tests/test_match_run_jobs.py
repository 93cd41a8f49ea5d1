"""Match runs in the background: the coordinator's click returns at once with a job the page follows by stage,
a second start is refused (by the database, not only by Python), a failure marks the job failed with a
message and leaves no half-written run, the sweep fails jobs whose worker died, and a real Celery worker on
Redis solves and saves the run (a duplicated delivery runs it once)."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from people.models import BackgroundJob, User
from people.services.jobs import FAILED_MESSAGE, JobBusy, jobs_unstick
from programmes.matching.services.jobs import match_run_job_run, match_run_start
from programmes.models import MatchProposal, MatchRun, Programme, UnmatchedMentee
from programmes.tasks import run_match_job
from programmes.tests.matching_helpers import coordinator_of, matching_programme, pool_mentee, pool_mentor
from programmes.tests.test_celery_worker import project_app_on, worker_thread_connections_closed

__all__ = ["worker_thread_connections_closed"]  # a fixture the worker test uses

STAGES = ["loading", "scoring", "solving", "explaining", "saving"]


def _pool(mentees: int = 3, mentors: int = 2) -> Programme:
    programme = matching_programme()
    for _ in range(mentees):
        pool_mentee(programme)
    for _ in range(mentors):
        pool_mentor(programme, capacity=1)
    return programme


def _start(client: Client, programme: Programme) -> Any:
    client.force_login(coordinator_of(programme))
    return client.post(reverse("programmes:match_run_create", args=[programme.pk]))


def _fragment(client: Client, job: BackgroundJob) -> Any:
    return client.get(reverse("people:job_progress", args=[job.pk]), headers={"HX-Request": "true"})


@pytest.mark.django_db
def test_the_run_button_returns_at_once_and_the_page_follows_the_job_to_the_proposals(client: Client) -> None:
    programme = _pool()
    response = _start(client, programme)
    job = BackgroundJob.objects.get()
    assert response["Location"] == reverse("programmes:matching", args=[programme.pk])
    assert (job.kind, job.state, job.target) == (BackgroundJob.Kind.MATCH_RUN, BackgroundJob.State.QUEUED, programme)
    assert not MatchRun.objects.exists()  # the request solved nothing (the worker will, after the commit)

    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="job-progress"' in page
    assert 'hx-trigger="every 1s"' in page
    assert "<progress" in page

    assert run_match_job(job.pk) == BackgroundJob.State.DONE  # the worker
    run = MatchRun.objects.get(programme=programme)
    fragment = _fragment(client, job)
    assert fragment["HX-Redirect"] == reverse("programmes:match_run", args=[programme.pk, run.pk])
    assert "hx-trigger" not in fragment.content.decode()  # finished: no more polling
    assert "2 pairs proposed; 1 unmatched." in fragment.content.decode()
    assert run.proposals.count() == 2
    assert all(p.explanation for p in run.proposals.all())
    assert 'data-testid="job-progress"' not in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_progress_moves_through_every_stage_in_order_and_is_written_as_it_goes() -> None:
    programme = _pool()
    job = match_run_start(actor=coordinator_of(programme), programme=programme)
    seen: list[tuple[str, str, int]] = []

    def look(stage: str) -> None:  # the row as a polling page would read it, just before each stage
        row = BackgroundJob.objects.get(pk=job.pk)
        seen.append((stage, row.state, row.percent))

    assert match_run_job_run(job_id=job.pk, on_stage=look) == BackgroundJob.State.DONE
    assert [stage for stage, _state, _percent in seen] == STAGES
    assert {state for _stage, state, _percent in seen} == {BackgroundJob.State.RUNNING}
    percents = [percent for _stage, _state, percent in seen]
    assert percents == sorted(percents)
    assert percents[-1] > percents[0]
    job.refresh_from_db()
    assert (job.percent, job.stage, job.started_at is not None, job.finished_at is not None) == (100, "saving", 1, 1)


@pytest.mark.django_db
def test_a_second_start_while_one_is_unfinished_is_refused_with_a_message(client: Client) -> None:
    programme = _pool()
    _start(client, programme)
    response = _start(client, programme)
    assert "Match run is already running for this programme" in client.get(response["Location"]).content.decode()
    assert BackgroundJob.objects.count() == 1
    with pytest.raises(JobBusy):
        match_run_start(actor=coordinator_of(programme), programme=programme)

    job = BackgroundJob.objects.get()
    run_match_job(job.pk)
    assert run_match_job(job.pk) == "skipped"  # a duplicated delivery runs nothing twice
    assert MatchRun.objects.count() == 1
    other = _pool()  # another programme's run is no business of this one's
    match_run_start(actor=coordinator_of(other), programme=other)
    match_run_start(actor=coordinator_of(programme), programme=programme)  # finished: the next may start
    assert BackgroundJob.objects.count() == 3


@pytest.mark.django_db
def test_the_database_itself_refuses_a_second_unfinished_job_of_the_same_kind_and_target() -> None:
    programme = _pool(1, 1)
    match_run_start(actor=coordinator_of(programme), programme=programme)
    twin = BackgroundJob(kind=BackgroundJob.Kind.MATCH_RUN, task="x", state=BackgroundJob.State.RUNNING)
    twin.target = programme
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()  # no check in Python stands in the way here: only the partial unique index


@pytest.mark.django_db
def test_a_failure_while_saving_marks_the_job_failed_with_a_message_and_leaves_no_half_written_run(
    monkeypatch: pytest.MonkeyPatch, client: Client
) -> None:
    programme = _pool()
    _start(client, programme)
    job = BackgroundJob.objects.get()

    def broken(*args: Any, **kwargs: Any) -> None:  # after the run and its proposals were inserted
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(UnmatchedMentee.objects, "bulk_create", broken)
    assert run_match_job(job.pk) == BackgroundJob.State.FAILED
    job.refresh_from_db()
    assert "nothing was saved" in job.message
    assert not MatchRun.objects.exists()
    assert not MatchProposal.objects.exists()
    page = _fragment(client, job).content.decode()
    assert 'data-testid="job-failed"' in page
    assert "nothing was saved" in page
    assert "nothing was saved" in client.get(reverse("programmes:matching", args=[programme.pk])).content.decode()
    match_run_start(actor=coordinator_of(programme), programme=programme)  # a failed job does not block the next


@pytest.mark.django_db
def test_a_failed_jobs_message_is_written_in_the_language_of_the_person_who_started_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    programme = _pool()
    coordinator = coordinator_of(programme)
    User.objects.filter(pk=coordinator.pk).update(preferred_language="id")
    job = match_run_start(actor=coordinator, programme=programme)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(UnmatchedMentee.objects, "bulk_create", broken)
    assert run_match_job(job.pk) == BackgroundJob.State.FAILED
    job.refresh_from_db()
    with translation.override("id"):
        assert job.message == str(FAILED_MESSAGE)
    assert "nothing was saved" not in job.message


@pytest.mark.django_db
def test_a_programme_that_left_implementation_before_the_worker_started_gets_the_reason_not_a_run() -> None:
    programme = _pool()
    job = match_run_start(actor=coordinator_of(programme), programme=programme)
    Programme.objects.filter(pk=programme.pk).update(phase=Programme.Phase.EVALUATION)
    assert run_match_job(job.pk) == BackgroundJob.State.FAILED
    job.refresh_from_db()
    assert job.message == "Matching runs while the programme is in implementation; it is evaluation."
    assert not MatchRun.objects.exists()


@pytest.mark.django_db
def test_the_sweep_fails_a_job_whose_worker_died_and_one_that_never_started() -> None:
    programme, other = _pool(1, 1), _pool(1, 1)
    silent = match_run_start(actor=coordinator_of(programme), programme=programme)
    never = match_run_start(actor=coordinator_of(other), programme=other)
    long_ago = timezone.now() - timedelta(hours=2)
    BackgroundJob.objects.filter(pk=silent.pk).update(state="running", started_at=long_ago, updated_at=long_ago)
    BackgroundJob.objects.filter(pk=never.pk).update(created_at=long_ago)
    assert jobs_unstick() == {"retried": 0, "failed": 2}
    silent.refresh_from_db()
    never.refresh_from_db()
    assert (silent.state, never.state) == ("failed", "failed")
    assert "its worker was interrupted" in silent.message
    assert "never started" in never.message
    assert jobs_unstick() == {"retried": 0, "failed": 0}  # idempotent
    match_run_start(actor=coordinator_of(programme), programme=programme)  # no longer blocked


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_solves_and_saves_the_run_once_even_when_the_task_is_delivered_twice(
    redis_url: str,
    worker_thread_connections_closed: list[str],
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the worker's threads need a database they can share: PostgreSQL (CI) runs this test")
    programme = _pool()
    queue = f"test-{uuid.uuid4().hex}"
    with (
        project_app_on(redis_url, task_default_queue=queue, worker_enable_remote_control=False) as app,
        start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, queues=[queue]),
    ):
        job = match_run_start(actor=coordinator_of(programme), programme=programme)  # published on commit
        run_match_job.apply_async(args=[job.pk], queue=queue)  # and once more, as a redelivery would
        deadline = time.monotonic() + 30
        while len(worker_thread_connections_closed) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    job.refresh_from_db()
    assert job.state == BackgroundJob.State.DONE, job.message
    assert MatchRun.objects.filter(programme=programme).count() == 1
    assert MatchRun.objects.get().proposals.count() == 2
