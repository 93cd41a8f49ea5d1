"""/health/ tells a monitor whether the site can serve pages and whether the broker answers, quickly.

The broker being down degrades the site (reminders wait) but does not break it: 200 with "error" for the
broker. The database being down, or static files the pages cannot name, breaks it: 503. The broker is
probed in the background, so /health/ answers within 100 ms even while the broker hangs.
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

from mentoring import health
from mentoring.settings_env import celery_broker

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_broker_state() -> Iterator[None]:
    health.forget_broker_state()
    yield
    health.forget_broker_state()


def use_broker(settings: Any, redis_url: str, local_dir: Path) -> None:
    """Point the settings at a broker exactly as mentoring/settings.py does for that REDIS_URL."""
    settings.REDIS_URL = redis_url
    settings.CELERY_BROKER_URL, settings.CELERY_BROKER_TRANSPORT_OPTIONS = celery_broker(redis_url, local_dir)


def timed_health(client: Client) -> tuple[Any, float]:
    started = time.monotonic()
    response = client.get("/health/")
    return response, time.monotonic() - started


def settled_health(client: Client) -> Any:
    """/health/ once the background broker probe has answered (a monitor's second look)."""
    client.get("/health/")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        response = client.get("/health/")
        if response.json()["broker"] != "unknown":
            return response
        time.sleep(0.05)
    raise AssertionError("the broker probe never finished")


@pytest.mark.redis
def test_health_is_ok_when_the_database_and_redis_answer(
    client: Client, settings: Any, redis_url: str, tmp_path: Path
) -> None:
    use_broker(settings, redis_url, tmp_path)
    response = settled_health(client)
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "static": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_a_broker_on_a_closed_port_is_reported_quickly_and_the_site_stays_up(
    client: Client, settings: Any, tmp_path: Path
) -> None:
    use_broker(settings, "redis://127.0.0.1:6390/0", tmp_path)
    response, elapsed = timed_health(client)
    assert response.status_code == 200
    assert elapsed < 0.5, f"health took {elapsed:.2f} s"
    response = settled_health(client)
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "static": "ok", "broker": "error"}


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
    timings = []
    for _ in range(5):
        response, elapsed = timed_health(client)
        timings.append(elapsed)
        assert response.status_code == 200
    # Every answer is quick while the probe hangs in the background: 100 ms is the target, with slack
    # for a loaded two-core CI machine on the first (URL-resolving, template-scanning) request.
    assert sorted(timings)[len(timings) // 2] < 0.1, timings
    assert max(timings) < 0.5, timings
    assert settled_health(client).json()["broker"] == "error"


def test_the_local_file_transport_is_reported_as_local_when_its_folder_is_writable(
    client: Client, settings: Any, tmp_path: Path
) -> None:
    use_broker(settings, "", tmp_path)
    (tmp_path / "queue").mkdir()
    assert settled_health(client).json()["broker"] == "local"


def test_a_missing_local_queue_folder_is_an_error(client: Client, settings: Any, tmp_path: Path) -> None:
    use_broker(settings, "", tmp_path / "nowhere")
    assert settled_health(client).json()["broker"] == "error"


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


def test_health_is_503_when_a_static_file_the_pages_name_has_no_manifest_entry(
    client: Client, settings: Any, tmp_path: Path
) -> None:
    """DEBUG off without collectstatic: every page would be a 500, so /health/ must not say 200."""
    use_broker(settings, "", tmp_path)
    settings.STATIC_ROOT = tmp_path / "never-collected"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["static"] == "error"
    assert "vendor/htmx/htmx.min.js" in health.template_static_names()


def test_the_signed_in_floor_runs_one_query_besides_the_session_and_the_user(client: Client) -> None:
    """bench/load.py compares every page with this view: it must stay one query of its own."""
    from django.db import connection as db
    from django.test.utils import CaptureQueriesContext

    from people.tests.factories import UserFactory

    anonymous = client.get("/health/signed-in/")
    assert anonymous.status_code == 302
    assert "/accounts/login/" in anonymous["Location"]

    client.force_login(UserFactory())
    with CaptureQueriesContext(db) as queries:
        response = client.get("/health/signed-in/")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "signed_in": True}
    middleware = ("django_session", "people_user")  # every signed-in page reads the session and the user
    own = [q["sql"] for q in queries.captured_queries if not any(table in q["sql"] for table in middleware)]
    assert own == ["SELECT 1"], own
