"""The resource library: links and uploaded files (checked for size, type and contents), per audience."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from conftest import Personas
from programmes.models import Resource
from programmes.support.models.support import RESOURCE_MAX_BYTES

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _create(client: Client, p: Personas, **data: object) -> object:
    client.force_login(p.coordinator)
    values: dict[str, object] = {
        "title": "Setting goals",
        "kind": "file",
        "audience": "mentees",
        "tags": "Goals, SMART",
    }
    values.update(data)
    return client.post(reverse("programmes:resource_create", args=[p.programme.pk]), values)


def test_a_coordinator_uploads_a_pdf_that_its_audience_downloads(client: Client, personas: Personas) -> None:
    response = _create(client, personas, file=SimpleUploadedFile("Goal guide.pdf", PDF, "application/pdf"))
    assert response.status_code == 302  # type: ignore[attr-defined]
    resource = Resource.objects.get()
    assert (resource.filename, resource.size, resource.tags) == ("Goal guide.pdf", len(PDF), ["goals", "smart"])
    assert resource.file.name.startswith(f"resources/{personas.programme.pk}/")
    assert "Goal guide" not in resource.file.name  # stored under a random name
    url = reverse("programmes:resource_open", args=[personas.programme.pk, resource.pk])
    client.force_login(personas.mentee)
    download = client.get(url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF  # type: ignore[attr-defined]
    client.force_login(personas.mentor)  # not the audience
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tool.exe", b"MZ\x90\x00", "cannot be shared"),
        ("guide.pdf", b"just text, not a PDF", "do not match its name"),
        ("notes.txt", b"\x00\x01\x02binary", "UTF-8 text"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_a_bad_upload_is_refused_with_a_reason_and_nothing_is_stored(
    client: Client, personas: Personas, name: str, content: bytes, message: str
) -> None:
    response = _create(client, personas, file=SimpleUploadedFile(name, content))
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert message in response.content.decode()  # type: ignore[attr-defined]
    assert not Resource.objects.exists()


def test_a_file_over_10_mb_is_refused(client: Client, personas: Personas) -> None:
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * RESOURCE_MAX_BYTES, "application/pdf")
    response = _create(client, personas, file=big)
    assert "larger than 10 MB" in response.content.decode()  # type: ignore[attr-defined]
    assert not Resource.objects.exists()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://files.example.com/x", "not a link"])
def test_a_link_must_be_a_web_address(client: Client, personas: Personas, url: str) -> None:
    response = _create(client, personas, kind="link", url=url)
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert not Resource.objects.exists()


def test_a_link_is_shown_as_a_link_not_redirected_and_the_library_filters_by_tag(
    client: Client, personas: Personas
) -> None:
    _create(client, personas, kind="link", url="https://example.com/feedback", audience="everyone", tags="feedback")
    _create(client, personas, kind="link", url="https://example.com/goals", title="Goals", audience="everyone", tags="")
    resource = Resource.objects.get(tags=["feedback"])
    client.force_login(personas.mentor)
    opened = client.get(reverse("programmes:resource_open", args=[personas.programme.pk, resource.pk]))
    assert opened.status_code == 200  # never a redirect: the product's address is not lent to the link
    assert 'href="https://example.com/feedback" rel="noopener noreferrer"' in opened.content.decode()
    page = client.get(reverse("programmes:resources", args=[personas.programme.pk]), {"tag": "feedback"})
    titles = [r.title for r in page.context["resources"]]
    assert titles == ["Setting goals"]


def test_removing_a_resource_deletes_its_file(
    client: Client, personas: Personas, django_capture_on_commit_callbacks: object
) -> None:
    _create(client, personas, file=SimpleUploadedFile("guide.pdf", PDF))
    resource = Resource.objects.get()
    storage, name = resource.file.storage, resource.file.name
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        client.post(reverse("programmes:resource_delete", args=[personas.programme.pk, resource.pk]))
    assert not Resource.objects.exists()
    assert not storage.exists(name)


def test_a_link_that_is_not_http_is_never_rendered_as_a_link(client: Client, personas: Personas) -> None:
    resource = Resource.objects.create(
        programme=personas.programme, title="Sneaky", kind=Resource.Kind.LINK, url="javascript:alert(1)"
    )
    client.force_login(personas.mentee)
    page = client.get(reverse("programmes:resources", args=[personas.programme.pk])).content.decode()
    opened = client.get(reverse("programmes:resource_open", args=[personas.programme.pk, resource.pk]))
    assert "javascript:" not in page
    assert opened.status_code == 200
    assert "javascript:" not in opened.content.decode()
