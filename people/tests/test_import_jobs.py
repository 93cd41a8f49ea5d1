"""Big HRIS files are checked and imported by the worker: the upload returns at once with a page that
follows the job's progress (htmx), a second import is refused while one is unfinished, and the outcome
(problems, or what was imported) appears on the job's page for its requester only."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from conftest import Personas
from people.models import ImportJob, User
from people.tasks import run_import_job
from people.tests.test_hris_import import catalogue, good_rows, person, to_csv

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue")]
__all__ = ["catalogue"]  # a fixture these tests use


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
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("people:import_job", args=[job.pk])
    assert job.state == ImportJob.State.QUEUED  # the request did not run it (on-commit publish only)

    page = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in page  # the page keeps asking while the job is unfinished
    assert "<progress" in page

    run_import_job(job.pk)  # the worker
    job.refresh_from_db()
    assert (job.state, job.progress) == (ImportJob.State.DONE, 100)
    page = client.get(response["Location"]).content.decode()
    assert "is ready to import" in page
    assert "hx-trigger" not in page  # finished: no more polling
    assert not User.objects.filter(email="ayu@nn.example").exists()  # a preview writes nothing

    response = client.post(reverse("people:import_job_import", args=[job.pk]))
    second = ImportJob.objects.exclude(pk=job.pk).get()
    assert response["Location"] == reverse("people:import_job", args=[second.pk])
    assert not second.dry_run
    run_import_job(second.pk)
    assert "Imported:" in client.get(response["Location"]).content.decode()
    assert User.objects.filter(email__iexact="ayu@nn.example").exists()


def test_a_second_import_is_refused_while_one_is_unfinished(client: Client, personas: Personas) -> None:
    client.force_login(personas.hr_analyst)
    upload(client, to_csv(good_rows()), preview=False)
    response = upload(client, to_csv(good_rows()), preview=False)
    assert response["Location"] == reverse("people:import")
    assert "Another import is still running" in client.get(response["Location"]).content.decode()
    assert ImportJob.objects.count() == 1
    run_import_job(ImportJob.objects.get().pk)
    assert run_import_job(ImportJob.objects.get().pk) == "skipped"  # a duplicated task runs nothing twice
    upload(client, to_csv(good_rows()), preview=True)  # finished: the next one may start
    assert ImportJob.objects.count() == 2


def test_a_big_file_with_problems_lists_them_on_the_job_page_and_writes_nothing(
    client: Client, personas: Personas
) -> None:
    client.force_login(personas.hr_analyst)
    rows = [*good_rows(), person("not-an-address", "Nobody")]
    upload(client, to_csv(rows), preview=False)
    job = ImportJob.objects.get()
    run_import_job(job.pk)
    job.refresh_from_db()
    assert job.content is None  # the file is not kept once it cannot be imported
    page = client.get(reverse("people:import_job", args=[job.pk])).content.decode()
    assert 'data-testid="import-problems"' in page
    assert "Nothing was imported" in page
    assert not User.objects.filter(email__iexact="ayu@nn.example").exists()


def test_only_the_requester_sees_a_job(client: Client, personas: Personas) -> None:
    client.force_login(personas.hr_analyst)
    upload(client, to_csv(good_rows()), preview=True)
    job = ImportJob.objects.get()
    client.force_login(personas.admin)
    assert client.get(reverse("people:import_job", args=[job.pk])).status_code == 404
