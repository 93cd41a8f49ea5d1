"""A worker killed between sending an e-mail and marking it sent makes no second *distinct* message.

The sweep runs in a real worker process whose e-mail backend kills it (SIGKILL) right after the message
left. The row stays claimed and unmarked; when the claim's lease ends the next sweep sends it again, as it
must (nobody knows whether the first copy arrived). Both copies carry the same Message-ID, derived from
the row's dedupe key, so mail servers and clients show one message.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from conftest import Personas
from programmes.core.services.notifications import message_id, notification_create, notifications_send_due
from programmes.models import Notification
from programmes.tests.crash_email import DIE_AFTER_SEND, read_messages

BASE_DIR = Path(__file__).resolve().parents[3]

WORKER = """
import django
django.setup()
from django.conf import settings
settings.EMAIL_BACKEND = "programmes.tests.crash_email.SendThenDie"
settings.EMAIL_FILE_PATH = %(folder)r
from programmes.tasks import send_due_notifications
send_due_notifications.apply()  # the task as a worker runs it (eager in this process)
"""


def _test_database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _run_worker(folder: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mentoring.settings_test",
        "DATABASE_URL": _test_database_url(),
        DIE_AFTER_SEND: "1",
    }
    return subprocess.run(  # noqa: S603 - our interpreter, a fixed script
        [sys.executable, "-c", WORKER % {"folder": str(folder)}],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_between_send_and_mark_causes_no_second_distinct_message(
    require_postgres: None, personas: Personas, settings: Any, tmp_path: Path
) -> None:
    row = notification_create(recipient=personas.mentor, kind="welcome", dedupe_key="welcome:crash")

    worker = _run_worker(tmp_path)
    assert worker.returncode == -9, worker.stderr[-2000:]  # killed by the backend, right after the send
    row.refresh_from_db()
    assert row.claimed_at is not None
    assert row.sent_at is None
    assert len(read_messages(tmp_path)) == 1

    # The claim's lease (10 minutes) ends; the next sweep cannot know the first copy arrived and sends again.
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    assert notifications_send_due(now=timezone.now() + timedelta(minutes=11)) == 1
    row.refresh_from_db()
    assert row.sent_at is not None

    copies = read_messages(tmp_path)
    assert len(copies) == 2
    ids = {"".join(str(m["Message-ID"]).split()) for m in copies}  # unfold the header lines
    assert ids == {message_id("welcome:crash")}  # one distinct message
    assert {m["To"] for m in copies} == {personas.mentor.email}
    assert notifications_send_due(now=timezone.now() + timedelta(hours=1)) == 0  # and nothing a third time


def test_each_notification_has_its_own_message_id_at_the_senders_domain(settings: Any) -> None:
    settings.DEFAULT_FROM_EMAIL = "Mentoring <mentoring@nusantara.co.id>"
    first, second = message_id("welcome:1"), message_id("welcome:2")
    assert first != second
    assert first == message_id("welcome:1")
    assert first.startswith("<notification.")
    assert first.endswith("@nusantara.co.id>")
    assert "welcome" not in first  # the key itself is not shown


@pytest.mark.django_db
def test_an_e_mail_carries_the_message_id_of_its_row(personas: Personas) -> None:
    from django.core import mail

    notification_create(recipient=personas.mentee, kind="welcome", dedupe_key="welcome:header")
    assert notifications_send_due(now=timezone.now() + timedelta(seconds=1)) == 1
    assert mail.outbox[0].message()["Message-ID"] == message_id("welcome:header")
    assert Notification.objects.get(dedupe_key="welcome:header").sent_at is not None
