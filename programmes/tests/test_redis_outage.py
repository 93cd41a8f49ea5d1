"""Redis goes away while a mentee logs a session: the page still succeeds (the notice waits in the outbox,
written in the same transaction as the session), and the notice goes out once Redis is back.

The test starts its own redis-server on a free port and stops it; the shared Redis of other test runs is
never touched (the `redis_url` fixture only proves that this machine runs Redis at all)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from conftest import Personas, missing_service
from people.models import PendingPublish
from programmes.models import MentoringSession, Notification
from programmes.tasks import send_due_notifications
from programmes.tests.support_helpers import persona_pair, session_post
from programmes.tests.test_celery_worker import project_app_on, worker_thread_connections_closed

__all__ = ["worker_thread_connections_closed"]  # a fixture this module uses


def _free_port(preferred: int = 6391) -> int:
    for port in (preferred, 0):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise RuntimeError("no free port")


class OwnRedis:
    """A throwaway redis-server: no persistence, in the foreground, ours to stop and start."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server") or "redis-server"
        self.process = subprocess.Popen(  # noqa: S603 (a fixed local binary and arguments)
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def is_up(self) -> bool:
        try:
            return bool(redis.Redis.from_url(self.url, socket_connect_timeout=0.5).ping())
        except redis.RedisError:
            return False


@pytest.fixture
def own_redis(redis_url: str) -> Iterator[OwnRedis]:
    if shutil.which("redis-server") is None:
        missing_service("redis-server is not installed")
    server = OwnRedis(_free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _wait(condition: Any, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_session_logged_while_redis_is_down_succeeds_and_its_notice_goes_out_when_redis_is_back(
    own_redis: OwnRedis,
    client: Client,
    personas: Personas,
    settings: Any,
    worker_thread_connections_closed: list[str],
) -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite cannot share a database with a worker thread; PostgreSQL (CI) runs this test")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    relationship = persona_pair(personas)
    queue = f"test-{uuid.uuid4().hex}"
    with project_app_on(own_redis.url, task_default_queue=queue, worker_enable_remote_control=False) as app:
        own_redis.stop()
        assert not own_redis.is_up()

        # The mentee logs a session: the request publishes "send now" to a broker that is gone.
        client.force_login(personas.mentee)
        url = reverse("programmes:session_log", args=[personas.programme.pk, relationship.pk])
        started = time.monotonic()
        response = client.post(url, session_post())
        elapsed = time.monotonic() - started
        assert response.status_code == 302
        assert response["Location"].endswith(f"/relationships/{relationship.pk}/support/")
        assert elapsed < 5, f"the page waited {elapsed:.1f} s for a broker that is down"
        session = MentoringSession.objects.get()
        notice = Notification.objects.get(kind="session_logged")
        assert notice.recipient == personas.mentor
        assert notice.sent_at is None
        assert mail.outbox == []
        # It did try, and kept the publish for the republish sweep (a row, not only a log line).
        assert PendingPublish.objects.filter(task="programmes.tasks.send_due_notifications").exists()

        # Redis is back; a worker takes the next sweep (as beat sends it every 30 s) and the notice goes out.
        own_redis.start()
        with start_worker(app, pool="threads", concurrency=1, perform_ping_check=False, queues=[queue]):
            task_id = send_due_notifications.apply_async(queue=queue).id
            assert _wait(lambda: task_id in worker_thread_connections_closed), "the worker did not run the sweep"
    notice.refresh_from_db()
    assert notice.sent_at is not None
    assert [m.to for m in mail.outbox] == [[personas.mentor.email]]
    assert "logged a session" in mail.outbox[0].subject
    assert session.relationship_id == relationship.pk
