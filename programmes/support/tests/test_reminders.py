"""The periodic support sweep: each reminder written once however often it runs, muted kinds respected,
inactivity escalated (remind at 1.5×, flag at 2×, task at 3× the cadence), the contact policy, and — with
a real worker on Redis — two sweeps at once sending one e-mail per reminder."""

from __future__ import annotations

import threading
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import connection
from django.utils import timezone

from conftest import Personas
from programmes.core.services.notifications import notifications_send_due
from programmes.models import (
    AuditEvent,
    CoordinatorTask,
    MentoringSession,
    Notification,
    NotificationMute,
    Relationship,
    RelationshipHealth,
)
from programmes.support.models.support import next_contact_due
from programmes.support.services import reminders
from programmes.support.services.reminders import SweepReport, support_sweep
from programmes.support.services.support import ContactInput, contact_log
from programmes.tasks import send_due_notifications, sweep_support
from programmes.tests.factories import RelationshipFactory, RelationshipMemberFactory
from programmes.tests.support_helpers import SessionFactory, new_pair, persona_pair, runnable_programme

pytestmark = pytest.mark.django_db


def _kinds(kind: str) -> list[int]:
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def _ago(days: float) -> Any:
    return timezone.now() - timedelta(days=days)


# --- Inactivity ---------------------------------------------------------------------------------------------


def test_nothing_logged_for_one_and_a_half_cadences_reminds_each_member_once(personas: Personas) -> None:
    persona_pair(personas, started=_ago(22))  # cadence 14: 21 days is 1.5 ×
    for _ in range(3):
        support_sweep()
    assert _kinds("session_log_reminder") == sorted([personas.mentor.pk, personas.mentee.pk])
    assert not RelationshipHealth.objects.get().at_risk


def test_a_session_logged_recently_means_no_reminder(personas: Personas) -> None:
    relationship = persona_pair(personas, started=_ago(60))
    SessionFactory(relationship=relationship, held_at=_ago(3))
    support_sweep()
    assert _kinds("session_log_reminder") == []
    assert RelationshipHealth.objects.get().last_session_at is not None


def test_a_member_who_muted_log_reminders_is_not_reminded(personas: Personas) -> None:
    persona_pair(personas, started=_ago(22))
    NotificationMute.objects.create(user=personas.mentee, kind="session_log_reminder")
    support_sweep()
    assert _kinds("session_log_reminder") == [personas.mentor.pk]


def test_two_cadences_of_silence_flag_the_pair_at_risk_once_with_the_reason(personas: Personas) -> None:
    relationship = persona_pair(personas, started=_ago(29))
    support_sweep()
    support_sweep()
    health = RelationshipHealth.objects.get()
    assert health.at_risk
    assert health.at_risk_kind == "inactive"
    assert health.at_risk_reason == "No session logged for 29 days (the cadence is 14 days)."
    flags = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(RelationshipHealth), to_state="at_risk"
    )
    assert flags.count() == 1
    assert flags.get().programme_id == relationship.programme_id
    assert not CoordinatorTask.objects.exists()


def test_three_cadences_of_silence_give_the_coordinator_one_task(personas: Personas) -> None:
    persona_pair(personas, started=_ago(43))
    support_sweep()
    support_sweep()
    task = CoordinatorTask.objects.get()
    assert task.kind == "inactive"
    assert personas.mentee.full_name in task.title
    assert "43 days" in task.title
    assert _kinds("coordinator_task") == [personas.coordinator.pk]


def test_a_paused_relationship_is_neither_reminded_nor_flagged(personas: Personas) -> None:
    relationship = persona_pair(personas, started=_ago(60))
    Relationship.objects.filter(pk=relationship.pk).update(state=Relationship.State.ON_HOLD)
    support_sweep()
    assert _kinds("session_log_reminder") == []
    assert not RelationshipHealth.objects.get().at_risk


def test_the_sweep_creates_the_health_row_of_a_relationship_that_became_active(personas: Personas) -> None:
    relationship = persona_pair(personas, started=_ago(5))
    RelationshipHealth.objects.all().delete()
    report = support_sweep()
    health = RelationshipHealth.objects.get(relationship=relationship)
    assert report.counts["health_rows"] == 1
    assert abs((health.started_at - _ago(5)).total_seconds()) < 60
    assert health.next_contact_due == timezone.localdate(health.started_at) + timedelta(days=15)


# --- Sessions tomorrow, proposals, agreements, orientation -------------------------------------------------------


def test_a_session_in_the_next_24_hours_is_announced_once_and_one_later_is_not(personas: Personas) -> None:
    relationship = persona_pair(personas)
    soon = SessionFactory(relationship=relationship, status="scheduled", held_at=timezone.now() + timedelta(hours=20))
    SessionFactory(relationship=relationship, status="scheduled", held_at=timezone.now() + timedelta(hours=30))
    support_sweep()
    support_sweep()
    rows = Notification.objects.filter(kind="session_tomorrow")
    assert sorted(r.recipient_id for r in rows) == sorted([personas.mentor.pk, personas.mentee.pk])
    assert all(str(soon.pk) in r.dedupe_key for r in rows)
    assert all(r.context["when"] == soon.held_at.isoformat() for r in rows)  # shown in each reader's zone


def test_a_proposal_unanswered_for_three_days_reminds_who_has_not_answered(personas: Personas) -> None:
    programme = runnable_programme()
    relationship = RelationshipFactory(programme=programme, created_at=_ago(4))
    waiting = RelationshipMemberFactory(relationship=relationship)
    RelationshipMemberFactory(relationship=relationship, response="accepted")
    recent = RelationshipFactory(programme=programme)
    RelationshipMemberFactory(relationship=recent)
    support_sweep()
    support_sweep()
    assert _kinds("proposal_waiting") == [waiting.enrolment.person_id]


def test_an_agreement_unsigned_for_a_week_reminds_the_pair(personas: Personas) -> None:
    relationship = persona_pair(personas, state=Relationship.State.ACCEPTED)
    Relationship.objects.filter(pk=relationship.pk).update(state_changed_at=_ago(8))
    support_sweep()
    support_sweep()
    assert _kinds("agreement_unsigned") == sorted([personas.mentor.pk, personas.mentee.pk])


# --- Coordinator contacts --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("contacts", "expected"),
    [
        ([], 15),  # two in the first month: days 15 and 30
        ([10], 30),
        ([10, 28], 58),  # then monthly after the latest
        ([40], 70),  # the first month was missed: monthly from the latest
    ],
)
def test_the_contact_policy_gives_the_next_due_date(contacts: list[int], expected: int) -> None:
    start = date(2026, 3, 1)
    days = [start + timedelta(days=d) for d in contacts]
    assert next_contact_due(started=start, contacts=days, first_month=2, interval=30) == start + timedelta(
        days=expected
    )


def test_overdue_contacts_reach_each_coordinator_as_one_weekly_digest(personas: Personas) -> None:
    persona_pair(personas, started=_ago(40))
    new_pair(personas.programme, started=_ago(40))
    support_sweep()
    support_sweep()
    digest = Notification.objects.get(kind="contact_overdue")
    assert digest.recipient == personas.coordinator
    assert digest.context["count"] == 2


def test_logging_a_contact_moves_the_due_date_and_a_red_rating_flags_a_risk(personas: Personas) -> None:
    relationship = persona_pair(personas, started=_ago(40))
    data = ContactInput(
        contacted_on=timezone.localdate(), channel="phone", minutes=20, nature="scheduled", health="red"
    )
    contact_log(actor=personas.coordinator, relationship=relationship, data=data)
    health = RelationshipHealth.objects.get()
    assert health.next_contact_due == timezone.localdate() + timedelta(days=30)
    assert health.at_risk
    assert health.at_risk_kind == "contact"
    assert health.health == "red"
    green = ContactInput(
        contacted_on=timezone.localdate(), channel="video", minutes=20, nature="follow_up", health="green"
    )
    contact_log(actor=personas.coordinator, relationship=relationship, data=green)
    health.refresh_from_db()
    assert not health.at_risk
    assert health.health == "green"


# --- The sweep as a whole ---------------------------------------------------------------------------------------


def test_a_failing_step_does_not_stop_the_others(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    persona_pair(personas, started=_ago(22))

    def broken(**kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(reminders, "checkin_sweep", broken)
    report = support_sweep()
    assert report.counts["failed_steps"] == 1
    assert _kinds("session_log_reminder") == sorted([personas.mentor.pk, personas.mentee.pk])


def test_the_task_runs_the_sweep_and_reports_what_it_wrote(personas: Personas) -> None:
    persona_pair(personas, started=_ago(43))
    counts = sweep_support.delay().get()
    assert counts["tasks"] == 1
    assert counts["at_risk"] == 1
    assert counts["session_log_reminder"] == 2


def test_a_reminder_e_mail_is_sent_once_and_speaks_of_the_programme(personas: Personas) -> None:
    persona_pair(personas, started=_ago(22))
    support_sweep()
    notifications_send_due()
    notifications_send_due()
    reminders_sent = [m for m in mail.outbox if "log your mentoring session" in m.subject]
    assert sorted(m.to[0] for m in reminders_sent) == sorted([personas.mentor.email, personas.mentee.email])
    assert personas.programme.name in reminders_sent[0].body


# --- A real worker on Redis: two sweeps at once -------------------------------------------------------------------


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_on_a_real_worker_send_one_e_mail_per_reminder(redis_url: str, settings: Any) -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite cannot share a database with worker threads; PostgreSQL (CI) runs this test")
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun
    from django.db import connections

    from programmes.tests.test_celery_worker import project_app_on

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    programme = runnable_programme()
    pairs = [new_pair(programme, started=_ago(22)) for _ in range(6)]
    for relationship in pairs[:3]:
        SessionFactory(relationship=relationship, status="scheduled", held_at=timezone.now() + timedelta(hours=5))
    finished: list[str] = []
    lock = threading.Lock()

    def done(task_id: str, **kwargs: Any) -> None:
        connections.close_all()
        with lock:
            finished.append(task_id)

    task_postrun.connect(done, weak=False)
    queue = f"test-{uuid.uuid4().hex}"
    try:
        with (
            project_app_on(redis_url, task_default_queue=queue, worker_enable_remote_control=False) as app,
            start_worker(app, pool="threads", concurrency=2, perform_ping_check=False, queues=[queue]),
        ):
            sweeps = [sweep_support.apply_async(queue=queue).id for _ in range(2)]
            support_sweep()  # and a third, here, at the same time
            _wait_for(finished, sweeps)
            sends = [send_due_notifications.apply_async(queue=queue).id for _ in range(2)]
            _wait_for(finished, sends)
            notifications_send_due()
    finally:
        task_postrun.disconnect(done)
    # Half the pairs scheduled a session (that is activity): they hear "session tomorrow"; the others "log it".
    expected = 3 * 2 + 3 * 2
    assert Notification.objects.filter(kind__in=["session_log_reminder", "session_tomorrow"]).count() == expected
    subjects = [(m.to[0], m.subject) for m in mail.outbox]
    assert len(subjects) == expected
    assert len(set(subjects)) == len(subjects), "someone got the same reminder twice"
    assert not Notification.objects.filter(sent_at__isnull=True).exists()


def _wait_for(finished: list[str], ids: list[str], timeout: float = 60) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not set(ids) <= set(finished) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert set(ids) <= set(finished), "the worker did not run every task"


def test_the_session_factory_and_sweep_agree_on_held_sessions(personas: Personas) -> None:
    relationship = persona_pair(personas, started=_ago(30))
    SessionFactory(relationship=relationship, held_at=_ago(1), status=MentoringSession.Status.NO_SHOW)
    reminders.health_sync(now=timezone.now())
    health = RelationshipHealth.objects.get()
    assert health.last_session_at is None  # a missed session is activity, not a session held
    assert abs(health.last_activity_at - _ago(1)) < timedelta(minutes=5)
    assert SweepReport().counts == {}
