"""Production-safe defaults: DEBUG off unless asked, no secret in the repository, no /media/, API limits."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from rest_framework.authtoken.models import Token

from conftest import Personas

BASE_DIR = Path(__file__).resolve().parents[2]


def _settings_in_a_fresh_process(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(DJANGO_SETTINGS_MODULE="mentoring.settings", **env)
    code = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code], cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=60
    )


@pytest.mark.slow
def test_debug_is_off_unless_asked_for_and_then_there_is_no_fallback_secret() -> None:
    result = _settings_in_a_fresh_process()
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr
    assert _settings_in_a_fresh_process(DJANGO_SECRET_KEY="x" * 60).stdout.strip() == "False"
    assert _settings_in_a_fresh_process(DJANGO_DEBUG="1").stdout.strip() == "True"


def test_no_secret_key_is_written_in_the_repository() -> None:
    tracked = subprocess.run(
        ["git", "grep", "-n", "-i", "-E", r"SECRET_KEY\s*=\s*['\"][^'\"]{20,}", "--", "*.py", "*.toml", "*.ini"],  # noqa: S607
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
    )
    assert tracked.stdout == "", tracked.stdout


def test_the_makefile_turns_debug_on_for_make_run_only() -> None:
    makefile = (BASE_DIR / "Makefile").read_text()
    assert "run: export DJANGO_DEBUG = 1" in makefile


def test_uploaded_files_are_not_served_under_media_even_to_signed_in_people(client: Client, personas: Personas) -> None:
    name = default_storage.save("resources/1/guide.pdf", ContentFile(b"%PDF-1.4 secret"))
    client.force_login(personas.coordinator)
    assert client.get(f"/media/{name}").status_code == 404


def test_the_api_never_answers_more_than_the_page_size_cap(
    client: Client, personas: Personas, settings: object
) -> None:
    settings.API_MAX_PAGE_SIZE = 1  # type: ignore[attr-defined]
    client.force_login(personas.hr_analyst)
    response = client.get("/api/programmes/", {"limit": 1000000})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] >= 2
    assert len(body["results"]) == 1


def test_the_schema_is_for_api_users_only(client: Client, personas: Personas) -> None:
    client.force_login(personas.mentee)
    assert client.get("/api/schema/").status_code == 403
    client.force_login(personas.hr_analyst)
    assert client.get("/api/schema/").status_code == 200
    token = Token.objects.create(user=personas.coordinator)
    with_token = Client(headers={"Authorization": f"Token {token.key}"})
    assert with_token.get("/api/schema/").status_code == 200


def _files_storage_in_a_fresh_process(**env: str) -> str:
    code = (
        "import django; django.setup(); from django.core.files.storage import storages; s = storages['default']; "
        "print(type(s).__module__ + '.' + type(s).__name__, getattr(s, 'bucket_name', ''), "
        "getattr(s, 'endpoint_url', ''), getattr(s, 'default_acl', ''))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AWS_"))}
    clean.update(DJANGO_SETTINGS_MODULE="mentoring.settings", DJANGO_SECRET_KEY="x" * 60, **env)
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", code], cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


@pytest.mark.slow
def test_a_bucket_moves_uploads_previews_and_exports_to_private_s3_storage() -> None:
    """With AWS_STORAGE_BUCKET_NAME the files go to S3 (or an S3-compatible store) through django-storages,
    private; without it, to the local folder (one web host)."""
    assert _files_storage_in_a_fresh_process() == ["django.core.files.storage.filesystem.FileSystemStorage"]
    bucket = _files_storage_in_a_fresh_process(
        AWS_STORAGE_BUCKET_NAME="mentoring-files", AWS_S3_ENDPOINT_URL="https://s3.example.co.id"
    )
    assert bucket == ["storages.backends.s3.S3Storage", "mentoring-files", "https://s3.example.co.id", "None"]
