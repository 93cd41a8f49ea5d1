"""Helpers that read the environment for mentoring/settings.py (kept apart so the settings read as a table)."""

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no environment variable ("1", "true", "yes", "on" mean yes)."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated environment variable."""
    value = os.environ.get(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] or default


def local_secret_key(path: Path) -> str:
    """A random key kept in a git-ignored file, for DEBUG only: stable across restarts, never in the repository."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    try:
        with path.open("x") as handle:  # exclusive: two processes starting at once keep the first one's key
            handle.write(key)
    except FileExistsError:
        return path.read_text().strip()
    return key


def env_float(name: str, default: float) -> float:
    """Read a number from the environment (an empty value means the default)."""
    value = os.environ.get(name, "")
    return float(value) if value.strip() else default


def celery_broker(redis_url: str, local_dir: Path) -> tuple[str, dict[str, object]]:
    """The broker URL and its transport options.

    Redis gets short socket timeouts so that a broker that is down or silent fails a publish within about
    two seconds instead of holding a web request. The file transport keeps every folder under `local_dir`
    (mentoring/celery.py creates them; kombu does not).
    """
    if redis_url:
        return redis_url, {
            "socket_timeout": 2,
            "socket_connect_timeout": 2,
            "max_retries": 1,
            "visibility_timeout": 3600,
        }
    return "filesystem://", {
        "data_folder_in": str(local_dir / "queue"),
        "data_folder_out": str(local_dir / "queue"),
        "control_folder": str(local_dir / "control"),
        "processed_folder": str(local_dir / "processed"),
        "store_processed": False,
    }


def redis_of_test_worker(environ: Mapping[str, str]) -> dict[str, str]:
    """Under pytest-xdist each worker takes its own Redis database, as pytest-django gives each its own test
    database: REDIS_URL's database plus the worker's number (gw0 keeps it). What to change in the environment
    (tests read REDIS_URL too), once: a subprocess a test starts inherits it already moved."""
    worker = environ.get("PYTEST_XDIST_WORKER", "")
    url = environ.get("REDIS_URL", "")
    if not url or not worker.startswith("gw") or environ.get("MENTORING_REDIS_WORKER") == worker:
        return {}
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0) + int(worker[2:])
    return {"REDIS_URL": parts._replace(path=f"/{database}").geturl(), "MENTORING_REDIS_WORKER": worker}


def file_storage(environ: Mapping[str, str]) -> dict[str, Any]:
    """Where uploaded files, import previews and built exports go. A bucket (AWS_STORAGE_BUCKET_NAME, with
    AWS_S3_ENDPOINT_URL and AWS_S3_REGION_NAME) keeps them in S3 or an S3-compatible store through
    django-storages, private, so that the web tier keeps nothing of its own (boto3 reads the credentials from
    AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the host's role); DJANGO_FILE_STORAGE names any other storage
    class; otherwise the local folder (one web host)."""
    if environ.get("DJANGO_FILE_STORAGE"):
        return {"BACKEND": environ["DJANGO_FILE_STORAGE"]}
    bucket = environ.get("AWS_STORAGE_BUCKET_NAME", "")
    if not bucket:
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    options = {
        "bucket_name": bucket,
        "endpoint_url": environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": environ.get("AWS_S3_REGION_NAME") or None,
        "default_acl": None,  # private: permission-checked views stream every file
        "file_overwrite": False,
    }
    return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
