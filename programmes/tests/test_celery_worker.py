"""Celery for real: a worker on Redis sending each notification once while sweeps race, a web request that
does not wait for a broker that is down, and the embedded `make run` set-up (a worker with beat on the
file transport and SQLite) sending a notification end to end."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import kombu.pools
import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection, connections, transaction

from mentoring.background import enqueue_on_commit
from mentoring.celery import app as celery_app
from mentoring.settings_env import celery_broker
from people.tests.factories import UserFactory
from programmes.core.services.notifications import notification_create, notifications_send_due
from programmes.models import Notification
from programmes.tasks import send_due_notifications

REPO = Path(__file__).resolve().parents[2]
CLOSED_PORT_URL = "redis://127.0.0.1:6390/0"  # nothing listens there


def _reset_broker_pools(app: Celery) -> None:
    """Drop the app's cached connections so that the next publish uses the current broker settings."""
    kombu.pools.reset()  # closes every pool and forgets it, so no closed pool is handed out again
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def project_app_on(broker_url: str, **conf: Any) -> Iterator[Celery]:
    """The project's Celery app, not eager, publishing to `broker_url` with the settings' transport options."""
    url, options = celery_broker(broker_url, Path(settings.CELERY_LOCAL_DIR))
    changes = {"broker_url": url, "broker_transport_options": options, "task_always_eager": False, **conf}
    saved = {key: celery_app.conf[key] for key in changes}
    celery_app.conf.update(changes)
    _reset_broker_pools(celery_app)
    try:
        yield celery_app
    finally:
        celery_app.conf.update(saved)
        _reset_broker_pools(celery_app)


# A down broker never holds up a web request


@pytest.mark.django_db
def test_enqueue_with_the_broker_down_returns_quickly_and_the_outbox_row_is_kept(
    django_capture_on_commit_callbacks: Any, caplog: pytest.LogCaptureFixture
) -> None:
    person = UserFactory()
    with project_app_on(CLOSED_PORT_URL):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
            notification_create(recipient=person, kind="welcome", dedupe_key="down")
            enqueue_on_commit(send_due_notifications)
        elapsed = time.monotonic() - started
    assert len(callbacks) == 1  # the publish waited for the commit
    assert elapsed < 3, f"the request waited {elapsed:.1f} s for a broker that is down"
    assert Notification.objects.filter(dedupe_key="down", sent_at__isnull=True).exists()
    assert "the periodic sweep will catch up" in caplog.text


@pytest.fixture
def silent_broker() -> Iterator[str]:
    """A Redis URL whose server accepts connections and never answers (a hung broker, not a dead one)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    try:
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    finally:
        server.close()


@pytest.mark.django_db
def test_enqueue_with_a_hung_broker_gives_up_within_the_socket_timeout(
    silent_broker: str, django_capture_on_commit_callbacks: Any
) -> None:
    with project_app_on(silent_broker):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            enqueue_on_commit(send_due_notifications)
        elapsed = time.monotonic() - started
    assert elapsed < 3.5, f"a hung broker held the request for {elapsed:.1f} s"


@pytest.mark.django_db
def test_enqueue_in_eager_mode_raises_the_tasks_own_errors(
    django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom() -> None:
        raise RuntimeError("task bug")

    monkeypatch.setattr("programmes.tasks.notifications_send_due", boom)
    with pytest.raises(RuntimeError, match="task bug"), django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(send_due_notifications)


# A real worker on Redis: concurrent sweeps send each notification once


class SlowRecordingBackend(EmailBackend):
    """The locmem backend, 50 ms per message, noting which thread sent what (to prove the sweeps overlapped)."""

    senders: list[str] = []

    def send_messages(self, messages: Any) -> int:
        time.sleep(0.05)
        SlowRecordingBackend.senders.extend(threading.current_thread().name for _ in messages)
        return super().send_messages(messages)


@pytest.fixture
def worker_thread_connections_closed() -> Iterator[list[str]]:
    """Close each worker thread's database connections after its task, and record finished task ids.

    Django keeps connections per thread (and CONN_MAX_AGE keeps them open); left open they would stop
    the test database from being flushed and dropped.
    """
    finished: list[str] = []

    def close(task_id: str, **kwargs: Any) -> None:
        connections.close_all()
        finished.append(task_id)

    task_postrun.connect(close, weak=False)
    try:
        yield finished
    finally:
        task_postrun.disconnect(close)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_notification_is_sent_exactly_once_when_sweeps_race_on_a_real_worker(
    redis_url: str, settings: Any, worker_thread_connections_closed: list[str]
) -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "Django's in-memory SQLite test database reaches other threads through SQLite's shared cache, whose "
            "table locks fail a concurrent writer at once instead of waiting; PostgreSQL (CI) runs this test, "
            "and the file-based SQLite of `make run` is covered by the file-transport test below."
        )
    settings.EMAIL_BACKEND = f"{__name__}.SlowRecordingBackend"
    SlowRecordingBackend.senders = []
    rows = [notification_create(recipient=UserFactory(), kind="welcome", dedupe_key=f"race:{n}") for n in range(30)]
    queue = f"test-{uuid.uuid4().hex}"  # other test runs may share this Redis: our worker, our queue
    with (
        project_app_on(redis_url, task_default_queue=queue, worker_enable_remote_control=False) as app,
        start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, queues=[queue]),
    ):
        ids = [send_due_notifications.apply_async(queue=queue).id for _ in range(2)]
        notifications_send_due()  # a third sweep, in this thread, at the same time
        deadline = time.monotonic() + 30
        while not set(ids) <= set(worker_thread_connections_closed) and time.monotonic() < deadline:
            time.sleep(0.05)
    assert set(ids) <= set(worker_thread_connections_closed), "the worker did not run both sweeps"
    assert len(mail.outbox) == 30
    assert sorted(m.to[0] for m in mail.outbox) == sorted(row.recipient.email for row in rows)
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    assert set(Notification.objects.values_list("attempts", flat=True)) == {0}
    # The sweeps really overlapped: more than one thread sent some of the 30 messages.
    assert len(set(SlowRecordingBackend.senders)) >= 2, SlowRecordingBackend.senders


# The embedded set-up of `make run`: file transport, SQLite, a worker with beat


def _run(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
        [sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


@pytest.mark.slow
def test_make_run_mode_sends_a_notification_through_a_worker_with_beat_on_the_file_transport(
    tmp_path: Path,
) -> None:
    env = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "EMAIL_HOST"}}
    env.update(
        DJANGO_SETTINGS_MODULE="mentoring.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_LOCAL_DIR=str(tmp_path / "celery"),
        NOTIFICATION_SWEEP_SECONDS="1",
        CELERY_TASK_ALWAYS_EAGER="0",
        PYTHONPATH=str(REPO),
    )
    _run(["manage.py", "migrate", "--noinput", "-v0"], env)
    # "The web process": writes an outbox row, and publishes a sweep that waits in the queue folder.
    published = _run(
        [
            "manage.py",
            "shell",
            "-c",
            "from people.models import User; from programmes.core.services.notifications import notification_create;"
            "from programmes.tasks import send_due_notifications;"
            "person = User.objects.create_user('dewi@example.co.id', full_name='Dewi Lestari');"
            "notification_create(recipient=person, kind='welcome', dedupe_key='welcome:dewi');"
            "print(send_due_notifications.delay().id)",
        ],
        env,
    ).splitlines()[-1]
    assert len(list((tmp_path / "celery" / "queue").glob("*.msg"))) == 1
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen(  # noqa: S603 (our own celery, fixed arguments)
            [
                str(Path(sys.executable).parent / "celery"),
                "-A",
                "mentoring",
                "worker",
                "--beat",
                "--pool=solo",
                "--loglevel=INFO",
                "--schedule",
                str(tmp_path / "beat-schedule"),
            ],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        sent_at = None
        deadline = time.monotonic() + 60
        while sent_at is None and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.5)
            with sqlite3.connect(tmp_path / "db.sqlite3") as db:
                sent_at = db.execute("SELECT sent_at FROM programmes_notification").fetchone()[0]
        time.sleep(3)  # a few more beat sweeps: none may send it again
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    output = log.read_text()
    assert sent_at is not None, output[-3000:]
    assert f"{published}] received" in output  # the web process's message crossed the file transport
    assert output.count("Subject: Welcome to Mentoring") == 1  # the console e-mail backend, once
    assert output.count("programmes.tasks.send_due_notifications") >= 3  # beat kept sweeping
