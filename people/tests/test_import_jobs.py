"""Big HRIS files are checked and imported by the worker, as a background job (people.models_jobs): the
upload returns at once with a page that follows the job's progress (htmx, the fragment every job has), a
second import is refused while one is unfinished, and the outcome (problems, or what was imported)
appears on the job's page for its requester only. A real Celery worker on Redis takes a file from upload
through preview to import."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from conftest import Personas
from people.models import BackgroundJob, User
from people.services.import_duties import import_refused
from people.services.import_jobs import import_job_start
from people.tasks import run_import_job
from people.tests.test_hris_import import catalogue, good_rows, person, to_csv
from programmes.tests.test_celery_worker import project_app_on, worker_thread_connections_closed

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue")]
__all__ = ["catalogue", "worker_thread_connections_closed"]  # fixtures these tests use


@pytest.fixture(autouse=True)
def _everything_is_big(settings: Any) -> None:
    settings.PEOPLE_IMPORT_INLINE_BYTES = 10


def upload(client: Client, content: bytes, *, preview: bool) -> Any:
    data: dict[str, Any] = {"file": SimpleUploadedFile("hris.csv", content, content_type="text/csv")}
    if preview:
        data["preview"] = "on"
    return client.post(reverse("people:import"), data)


def test_a_big_upload_returns_at_once_and_the_worker_previews_then_imports_it(
    client: Client, personas: Personas
) -> None:
    client.force_login(personas.hr_analyst)
    response = upload(client, to_csv(good_rows()), preview=True)
    job = BackgroundJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("people:import_job", args=[job.pk])
    assert (job.kind, job.state) == (BackgroundJob.Kind.PEOPLE_IMPORT, BackgroundJob.State.QUEUED)  # not run yet
    assert job.file.read() == to_csv(good_rows())  # kept in the default storage for the worker

    page = client.get(response["Location"]).content.decode()
    assert f'hx-get="{reverse("people:job_progress", args=[job.pk])}"' in page  # the fragment every job has
    assert 'hx-trigger="every 1s"' in page  # the page keeps asking while the job is unfinished
    fragment = client.get(reverse("people:job_progress", args=[job.pk]), headers={"HX-Request": "true"})
    assert "<progress" in fragment.content.decode()
    assert "HX-Redirect" not in fragment  # not finished: nowhere to go yet

    run_import_job(job.pk)  # the worker
    job.refresh_from_db()
    assert (job.state, job.percent, job.result["ok"]) == (BackgroundJob.State.DONE, 100, True)
    fragment = client.get(reverse("people:job_progress", args=[job.pk]), headers={"HX-Request": "true"})
    assert fragment["HX-Redirect"] == response["Location"]  # done: the page shows the outcome
    page = client.get(response["Location"]).content.decode()
    assert "is ready to import" in page
    assert "hx-trigger" not in page  # finished: no more polling
    assert not User.objects.filter(email="ayu@nn.example").exists()  # a preview writes nothing

    response = client.post(reverse("people:import_job_import", args=[job.pk]))
    second = BackgroundJob.objects.exclude(pk=job.pk).get()
    assert response["Location"] == reverse("people:import_job", args=[second.pk])
    assert second.params == {"dry_run": False}
    job.refresh_from_db()
    assert (job.file.name, second.file_name) == ("", "hris.csv")  # the preview handed its file over
    run_import_job(second.pk)
    assert "Imported: 4 people created" in client.get(response["Location"]).content.decode()
    assert User.objects.filter(email__iexact="ayu@nn.example").exists()
    second.refresh_from_db()
    assert not second.file  # imported: the file is not kept
    again = client.post(reverse("people:import_job_import", args=[job.pk]), follow=True)
    assert "expired or was already imported" in again.content.decode()  # a second click imports nothing twice


def test_a_second_import_is_refused_while_one_is_unfinished(client: Client, personas: Personas) -> None:
    client.force_login(personas.hr_analyst)
    upload(client, to_csv(good_rows()), preview=False)
    response = upload(client, to_csv(good_rows()), preview=False)
    assert response["Location"] == reverse("people:import")
    assert "Another import is still running" in client.get(response["Location"]).content.decode()
    assert BackgroundJob.objects.count() == 1
    run_import_job(BackgroundJob.objects.get().pk)
    assert run_import_job(BackgroundJob.objects.get().pk) == "skipped"  # a duplicated task runs nothing twice
    upload(client, to_csv(good_rows()), preview=True)  # finished: the next one may start
    assert BackgroundJob.objects.count() == 2


def test_a_big_file_with_problems_lists_them_on_the_job_page_and_writes_nothing(
    client: Client, personas: Personas
) -> None:
    client.force_login(personas.hr_analyst)
    rows = [*good_rows(), person("not-an-address", "Nobody")]
    upload(client, to_csv(rows), preview=False)
    job = BackgroundJob.objects.get()
    run_import_job(job.pk)
    job.refresh_from_db()
    assert (job.state, job.result["ok"], job.file.name) == ("done", False, "")  # a bad file is not kept
    page = client.get(reverse("people:import_job", args=[job.pk])).content.decode()
    assert 'data-testid="import-problems"' in page
    assert "Nothing was imported" in page
    assert 'data-testid="job-done"' not in page  # no green "finished" over the problems
    assert not User.objects.filter(email__iexact="ayu@nn.example").exists()
    refused = client.post(reverse("people:import_job_import", args=[job.pk]), follow=True)
    assert "Only a preview without problems can be imported" in refused.content.decode()


def test_only_the_requester_sees_a_job(client: Client, personas: Personas) -> None:
    client.force_login(personas.hr_analyst)
    upload(client, to_csv(good_rows()), preview=True)
    job = BackgroundJob.objects.get()
    client.force_login(personas.admin)
    assert client.get(reverse("people:import_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("people:job_progress", args=[job.pk])).status_code == 404


def _followed_to_its_outcome(client: Client, job_page: str, seconds: float = 30) -> str:
    """Poll the job's fragment as htmx does, every 0.2 s, until it sends the page on; the page then."""
    job_id = int(job_page.rstrip("/").split("/")[-1])
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        fragment = client.get(reverse("people:job_progress", args=[job_id]), headers={"HX-Request": "true"})
        if "HX-Redirect" in fragment:
            assert fragment["HX-Redirect"] == job_page
            return client.get(job_page).content.decode()
        assert 'data-state="failed"' not in fragment.content.decode(), fragment.content.decode()
        time.sleep(0.2)
    raise AssertionError(f"the worker did not finish job {job_id} in {seconds} s")


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_previews_then_imports_a_big_file_while_the_page_follows(
    client: Client, personas: Personas, redis_url: str, worker_thread_connections_closed: list[str]
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the worker's threads need a database they can share: PostgreSQL (CI) runs this test")
    client.force_login(personas.hr_analyst)
    queue = f"test-{uuid.uuid4().hex}"
    with (
        project_app_on(redis_url, task_default_queue=queue, worker_enable_remote_control=False) as app,
        start_worker(app, pool="threads", concurrency=1, perform_ping_check=False, queues=[queue]),
    ):
        preview = upload(client, to_csv(good_rows()), preview=True)  # published once the request commits
        assert "is ready to import" in _followed_to_its_outcome(client, preview["Location"])
        assert not User.objects.filter(email__iexact="ayu@nn.example").exists()
        confirmed = client.post(reverse("people:import_job_import", args=[BackgroundJob.objects.get().pk]))
        assert "Imported: 4 people created" in _followed_to_its_outcome(client, confirmed["Location"])
    assert User.objects.filter(email__iexact="ayu@nn.example").exists()
    assert list(BackgroundJob.objects.values_list("state", "file")) == [("done", ""), ("done", "")]  # no file kept


@pytest.mark.django_db(transaction=True)
def test_the_page_sees_an_imports_progress_while_the_worker_is_still_checking(personas: Personas) -> None:
    """The bar is written outside the import's transaction: another connection (the page's) reads it mid-way."""
    seen: list[tuple[str, str, int]] = []

    def look_from_another_connection(**kwargs: Any) -> None:  # sent half-way: a row is refused
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT state, stage, done FROM people_backgroundjob WHERE kind = 'people_import'")
                seen.extend(cursor.fetchall())
        finally:
            other.close()

    hr = personas.hr_analyst
    line = {"email": personas.mentee.email, "full_name": personas.mentee.full_name, "manager_email": hr.email}
    import_refused.connect(look_from_another_connection, weak=False)
    try:  # the task runs as soon as the start commits (eager in tests)
        job = import_job_start(
            actor=hr, upload=ContentFile(to_csv([line], list(line))), file_name="a.csv", dry_run=True
        )
    finally:
        import_refused.disconnect(look_from_another_connection)
    assert seen == [("running", "checking", 50)]
    job.refresh_from_db()
    assert (job.state, job.result["ok"]) == ("done", False)  # and the job then says why
