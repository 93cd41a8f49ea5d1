"""The notification outbox: writing rows once, sending each due row once, in the recipient's language,
backing off on failures, and the in-app list that shows and marks a person's own notifications only."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from conftest import Personas
from people.emails import email_render
from people.tests.factories import UserFactory
from programmes.core.services.notifications import (
    MAX_ATTEMPTS,
    NOT_EMAILED,
    notification_create,
    notification_create_many,
    notifications_send_due,
    retry_delay,
)
from programmes.core.tests.permission_cases import CASES
from programmes.design.services.design import team_member_add, team_member_remove
from programmes.models import Notification, ProgrammeRole

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
TEST_TEMPLATES = Path(__file__).parent / "templates"


@pytest.fixture
def langcheck_templates(settings: Any) -> None:
    """Add the test-only `langcheck` kind, whose subject shows the language it was rendered in."""
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], TEST_TEMPLATES]}]


@pytest.fixture
def failing_smtp(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every send fails as an SMTP server that hung up would; yields the list of attempted sends."""
    attempts: list[int] = []

    def refuse(self: EmailBackend, messages: list[Any]) -> int:
        attempts.append(len(messages))
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    return attempts


def welcome(person: Any, key: str, **kwargs: Any) -> Notification:
    return notification_create(recipient=person, kind="welcome", dedupe_key=key, due_at=NOW, **kwargs)


# Writing rows


def test_creating_the_same_notification_twice_writes_one_row() -> None:
    person = UserFactory()
    first = welcome(person, "welcome:1")
    second = notification_create(
        recipient=UserFactory(), kind="welcome", dedupe_key="welcome:1", context={"other": 1}, due_at=NOW
    )
    assert second.pk == first.pk
    assert second.recipient_id == person.pk
    assert second.context == {}
    assert Notification.objects.count() == 1


def test_a_concurrent_duplicate_is_settled_by_the_unique_key_without_breaking_the_callers_transaction(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    person = UserFactory()
    first = welcome(person, "race")
    # As if another writer had committed the same key between this writer's lookup and its INSERT.
    monkeypatch.setattr(QuerySet, "first", lambda self: None)
    with transaction.atomic():
        again = welcome(person, "race")
        person.job_title = "Still writable"  # the caller's transaction goes on
        person.save()
    assert again.pk == first.pk
    assert Notification.objects.filter(dedupe_key="race").count() == 1
    person.refresh_from_db()
    assert person.job_title == "Still writable"


def test_bulk_create_writes_one_row_per_recipient_and_keeps_existing_ones() -> None:
    people = UserFactory.create_batch(3)
    existing = notification_create(
        recipient=people[0], kind="welcome", dedupe_key=f"bulk:{people[0].pk}", context={"old": True}, due_at=NOW
    )
    rows = notification_create_many(
        recipients=people, kind="welcome", dedupe_key=lambda person: f"bulk:{person.pk}", context={"new": True}
    )
    assert sorted(row.recipient_id for row in rows) == sorted(person.pk for person in people)
    assert Notification.objects.count() == 3
    assert Notification.objects.get(pk=existing.pk).context == {"old": True}
    # Running the whole bulk write again (a retried task) writes nothing more.
    notification_create_many(recipients=people, kind="welcome", dedupe_key=lambda person: f"bulk:{person.pk}")
    assert Notification.objects.count() == 3


def test_bulk_create_gives_each_recipient_their_own_link_and_context() -> None:
    people = UserFactory.create_batch(2)
    rows = notification_create_many(
        recipients=people,
        kind="welcome",
        dedupe_key=lambda person: f"own:{person.pk}",
        url=lambda person: f"/people/{person.pk}/",
        context=lambda person: {"name": person.full_name},
    )
    for row in rows:
        assert row.url == f"/people/{row.recipient_id}/"
        assert row.context == {"name": row.recipient.full_name}


def test_a_kind_without_templates_is_refused_when_written() -> None:
    with pytest.raises(ValueError, match=r"notifications/no-such-kind\.html"):
        notification_create(recipient=UserFactory(), kind="no-such-kind", dedupe_key="x")
    assert not Notification.objects.exists()


def test_a_link_to_another_site_is_refused() -> None:
    with pytest.raises(ValueError, match="path on this site"):
        welcome(UserFactory(), "welcome:evil", url="https://evil.example.com/")


# Sending


def test_sweeper_sends_each_due_row_once_and_leaves_rows_not_yet_due() -> None:
    due = [welcome(UserFactory(), f"due:{n}") for n in range(3)]
    later = notification_create(
        recipient=UserFactory(), kind="welcome", dedupe_key="later", due_at=NOW + timedelta(minutes=1)
    )
    assert notifications_send_due(now=NOW) == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(row.recipient.email for row in due)
    assert all(row.sent_at == NOW for row in Notification.objects.filter(pk__in=[row.pk for row in due]))
    assert Notification.objects.get(pk=later.pk).sent_at is None


def test_running_the_sweeper_twice_sends_once() -> None:
    welcome(UserFactory(), "twice")
    notifications_send_due(now=NOW)
    assert notifications_send_due(now=NOW + timedelta(hours=1)) == 0
    assert len(mail.outbox) == 1


def test_a_row_claimed_by_a_live_worker_is_left_alone_and_a_stale_claim_is_taken_over() -> None:
    row = welcome(UserFactory(), "claimed")
    Notification.objects.filter(pk=row.pk).update(claimed_at=NOW - timedelta(minutes=5))
    assert notifications_send_due(now=NOW) == 0
    assert mail.outbox == []
    # Ten minutes on, the claim's owner is presumed dead (the lease) and the row goes out.
    assert notifications_send_due(now=NOW + timedelta(minutes=6)) == 1
    assert len(mail.outbox) == 1


def test_email_has_text_and_html_parts_and_links_to_the_public_site(settings: Any) -> None:
    settings.SITE_URL = "https://mentoring.example.co.id"
    person = UserFactory(full_name="Dewi Lestari")
    welcome(person, "links", url="/programmes/")
    notifications_send_due(now=NOW)
    (message,) = mail.outbox
    assert message.subject == "Welcome to Mentoring"
    assert "Hello Dewi," in message.body
    assert "https://mentoring.example.co.id/programmes/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert 'href="https://mentoring.example.co.id/programmes/"' in html


def test_in_app_rows_are_marked_sent_without_an_email() -> None:
    row = welcome(UserFactory(), "in-app", channel=Notification.Channel.IN_APP)
    assert notifications_send_due(now=NOW) == 1
    assert mail.outbox == []
    assert Notification.objects.get(pk=row.pk).sent_at == NOW


def test_people_who_left_or_are_inactive_get_no_email() -> None:
    today = timezone.localdate(NOW)
    gone = welcome(UserFactory(left_date=today - timedelta(days=1)), "gone")
    inactive = welcome(UserFactory(is_active=False), "inactive")
    leaving = welcome(UserFactory(left_date=today + timedelta(days=1)), "leaving")
    assert notifications_send_due(now=NOW) == 3
    assert [m.to[0] for m in mail.outbox] == [leaving.recipient.email]
    for row in (gone, inactive):
        row.refresh_from_db()
        assert row.sent_at == NOW  # settled: the sweeper does not try again
        assert row.last_error == NOT_EMAILED  # and an administrator can see why nothing went out


@pytest.mark.usefixtures("langcheck_templates")
def test_each_email_is_rendered_in_its_recipients_language_and_time_zone() -> None:
    indonesian = UserFactory(preferred_language="id", time_zone="Asia/Jayapura")
    english = UserFactory(preferred_language="en", time_zone="Europe/London")
    for person in (indonesian, english):
        notification_create(
            recipient=person,
            kind="langcheck",
            dedupe_key=f"lang:{person.pk}",
            context={"note": "Tom & Jerry"},
            due_at=NOW,
        )
    with translation.override("en"):
        notifications_send_due(now=NOW)
        assert translation.get_language() == "en"  # the sweeper's own language is untouched
    by_person = {m.to[0]: m for m in mail.outbox}
    to_id, to_en = by_person[indonesian.email], by_person[english.email]
    assert to_id.subject == "ya id"  # Django's own Indonesian catalogue translated "yes"
    assert to_en.subject == "yes en"
    assert to_id.extra_headers["Content-Language"] == "id"
    assert '<html lang="id">' in to_id.alternatives[0][0]
    # Times are the recipient's: 01:00 UTC is 10:00 in Jayapura and 01:00 in London in winter.
    assert to_id.body.startswith("id Tom & Jerry <http://")  # the text part is not HTML-escaped
    assert to_id.body.strip().endswith("10:00")
    assert to_en.body.strip().endswith("01:00")
    assert "Tom &amp; Jerry" in to_id.alternatives[0][0]  # the HTML part is


@pytest.mark.usefixtures("langcheck_templates")
def test_email_render_uses_the_given_language_whatever_is_active() -> None:
    with translation.override("id"):
        rendered = email_render(
            "langcheck", {"c": {"note": "n"}, "link": "/", "notification": {"due_at": NOW}}, language="en"
        )
    assert rendered.subject == "yes en"
    assert rendered.language == "en"


def test_a_failed_send_backs_off_records_the_error_and_gives_up_after_the_last_attempt(
    failing_smtp: list[int],
) -> None:
    row = welcome(UserFactory(), "flaky")
    now = NOW
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert notifications_send_due(now=now) == 0
        row.refresh_from_db()
        assert row.attempts == attempt
        assert row.sent_at is None
        assert row.claimed_at is None  # released for a later sweep
        assert "SMTPServerDisconnected: Connection unexpectedly closed" in row.last_error
        assert row.due_at == now + retry_delay(attempt)
        # Not before the backoff is over.
        assert notifications_send_due(now=row.due_at - timedelta(seconds=1)) == 0
        now = row.due_at
    assert len(failing_smtp) == MAX_ATTEMPTS
    assert [retry_delay(n) for n in (1, 2, 3)] == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=25)]
    # Given up: kept, with its error, and never tried again.
    assert notifications_send_due(now=now + timedelta(days=30)) == 0
    assert len(failing_smtp) == MAX_ATTEMPTS


def test_one_failing_row_does_not_hold_up_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = UserFactory(email="broken@example.co.id")
    fine = UserFactory(email="fine@example.co.id")
    welcome(broken, "broken")
    welcome(fine, "fine")
    send = EmailBackend.send_messages

    def refuse_broken(self: EmailBackend, messages: list[Any]) -> int:
        if messages[0].to == [broken.email]:
            raise smtplib.SMTPRecipientsRefused({broken.email: (550, b"no such user")})
        return send(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_broken)
    assert notifications_send_due(now=NOW) == 1
    assert [m.to for m in mail.outbox] == [[fine.email]]
    assert Notification.objects.get(dedupe_key="broken").attempts == 1


def test_the_task_runs_the_sweeper() -> None:
    from programmes.tasks import send_due_notifications

    notification_create(recipient=UserFactory(), kind="welcome", dedupe_key="task")
    assert send_due_notifications.delay().get() == 1
    assert len(mail.outbox) == 1


# The in-app list


def test_a_person_sees_only_their_own_due_notifications(client: Client, personas: Personas) -> None:
    welcome(personas.mentee, "mine", channel=Notification.Channel.IN_APP)
    notification_create(
        recipient=personas.mentee,
        kind="welcome",
        dedupe_key="future",
        due_at=timezone.now() + timedelta(days=1),
    )
    welcome(personas.mentor, "theirs")
    client.force_login(personas.mentee)
    page = client.get(reverse("programmes:notifications"))
    assert [n.dedupe_key for n in page.context["page"].object_list] == ["mine"]


def test_the_navigation_shows_how_many_notifications_are_unread(client: Client, personas: Personas) -> None:
    for key in ("a", "b", "c"):
        welcome(personas.mentee, key)
    Notification.objects.filter(dedupe_key="c").update(read_at=timezone.now())
    welcome(personas.mentor, "not-mine")
    client.force_login(personas.mentee)
    body = client.get(reverse("home")).content.decode()
    assert "unread: </span>2</span>" in body


def test_marking_read_follows_the_notifications_link(client: Client, personas: Personas) -> None:
    row = welcome(personas.mentee, "linked", url=reverse("programmes:list"))
    client.force_login(personas.mentee)
    response = client.post(reverse("programmes:notification_read", args=[row.pk]))
    assert response["Location"] == reverse("programmes:list")
    row.refresh_from_db()
    assert row.read_at is not None


def test_a_notification_whose_page_closed_to_the_reader_says_so_instead_of_leading_to_not_found(
    client: Client, personas: Personas
) -> None:
    """A coordinator who left the team still has the team's notifications: reading one marks it read and says
    the page is no longer open, instead of redirecting to a 404; while it is open, the link is followed."""
    dashboard = reverse("programmes:dashboard", args=[personas.programme.pk])
    first, second = (welcome(personas.coordinator, key, url=dashboard) for key in ("open", "closed"))
    client.force_login(personas.coordinator)
    assert client.post(reverse("programmes:notification_read", args=[first.pk]))["Location"] == dashboard

    programme, coordinator = personas.programme, personas.coordinator
    team_member_add(actor=coordinator, programme=programme, person=personas.hr_analyst, role="coordinator")
    team_member_remove(actor=coordinator, member=ProgrammeRole.objects.get(programme=programme, user=coordinator))
    response = client.post(reverse("programmes:notification_read", args=[second.pk]), follow=True)
    assert response.redirect_chain == [(reverse("programmes:notifications"), 302)]
    assert "no longer open to you" in response.content.decode()
    second.refresh_from_db()
    assert second.read_at is not None


def test_another_persons_notification_is_not_found_and_stays_unread(client: Client, personas: Personas) -> None:
    row = welcome(personas.mentee, "private")
    for intruder in (personas.mentor, personas.admin):
        client.force_login(intruder)
        assert client.post(reverse("programmes:notification_read", args=[row.pk])).status_code == 404
    row.refresh_from_db()
    assert row.read_at is None


def test_mark_all_read_marks_only_the_persons_own(client: Client, personas: Personas) -> None:
    mine = [welcome(personas.mentee, f"mine:{n}") for n in range(2)]
    theirs = welcome(personas.mentor, "theirs")
    client.force_login(personas.mentee)
    response = client.post(reverse("programmes:notification_read", args=[0]))
    assert response["Location"] == reverse("programmes:notifications")
    assert all(Notification.objects.get(pk=row.pk).read_at for row in mine)
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_marking_read_needs_a_post(client: Client, personas: Personas) -> None:
    row = welcome(personas.mentee, "get")
    client.force_login(personas.mentee)
    assert client.get(reverse("programmes:notification_read", args=[row.pk])).status_code == 405
    row.refresh_from_db()
    assert row.read_at is None


MY_CASES = [case for case in CASES if case.name.startswith("programmes:notification")]


def test_the_notification_permission_cases_cover_both_urls() -> None:
    assert {case.name for case in MY_CASES} == {"programmes:notifications", "programmes:notification_read"}


@pytest.mark.parametrize("case", MY_CASES, ids=lambda case: case.id)
def test_notification_permission_cases_hold(client: Client, personas: Personas, case: Any) -> None:
    """The same walk as the project's permission matrix, run here so these cases are proven with the code."""
    for persona, user in personas.all().items():
        client.logout()
        if case.setup:
            case.setup(personas)
        if user is not None:
            client.force_login(user)
        send = getattr(client, case.method)
        url = case.url(personas)
        response = send(url, case.data(personas) if case.data else {}) if case.method != "get" else send(url)
        assert response.status_code == case.expect[persona], f"{case.id} as {persona}"
        if case.check and response.status_code < 400:
            case.check(response, personas, persona)
