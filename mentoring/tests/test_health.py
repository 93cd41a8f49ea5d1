"""/health/ tells a monitor whether the database and the broker answer, quickly, whatever state they are in.

The broker being down degrades the site (reminders wait) but does not break it: 200 with "error" for the
broker. The database being down breaks it: 503.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import Client

from mentoring.settings import celery_broker

pytestmark = pytest.mark.django_db


def use_broker(settings: Any, redis_url: str, local_dir: Path) -> None:
    """Point the settings at a broker exactly as mentoring/settings.py does for that REDIS_URL."""
    settings.REDIS_URL = redis_url
    settings.CELERY_BROKER_URL, settings.CELERY_BROKER_TRANSPORT_OPTIONS = celery_broker(redis_url, local_dir)


def timed_health(client: Client) -> tuple[Any, float]:
    started = time.monotonic()
    response = client.get("/health/")
    return response, time.monotonic() - started


@pytest.mark.redis
def test_health_is_ok_when_the_database_and_redis_answer(
    client: Client, settings: Any, redis_url: str, tmp_path: Path
) -> None:
    use_broker(settings, redis_url, tmp_path)
    response, _ = timed_health(client)
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_a_broker_on_a_closed_port_is_reported_quickly_and_the_site_stays_up(
    client: Client, settings: Any, tmp_path: Path
) -> None:
    use_broker(settings, "redis://127.0.0.1:6390/0", tmp_path)
    response, elapsed = timed_health(client)
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "error"}
    assert elapsed < 3, f"health took {elapsed:.1f} s"


@pytest.fixture
def silent_broker() -> Iterator[str]:
    """A Redis URL whose server accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    try:
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    finally:
        server.close()


def test_a_hung_broker_is_reported_within_the_health_timeout(
    client: Client, settings: Any, tmp_path: Path, silent_broker: str
) -> None:
    use_broker(settings, silent_broker, tmp_path)
    response, elapsed = timed_health(client)
    assert response.json()["broker"] == "error"
    assert elapsed < 3, f"health took {elapsed:.1f} s"


def test_the_local_file_transport_is_reported_as_local_when_its_folder_is_writable(
    client: Client, settings: Any, tmp_path: Path
) -> None:
    use_broker(settings, "", tmp_path)
    (tmp_path / "queue").mkdir()
    assert client.get("/health/").json()["broker"] == "local"


def test_a_missing_local_queue_folder_is_an_error(client: Client, settings: Any, tmp_path: Path) -> None:
    use_broker(settings, "", tmp_path / "nowhere")
    assert client.get("/health/").json()["broker"] == "error"


def test_health_is_503_when_the_database_does_not_answer(
    client: Client, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_broker(settings, "", tmp_path)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["database"] == "error"
