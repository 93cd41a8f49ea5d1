"""The session log: logging, confirming, correcting, locking, calendar invites, and private notes that never
reach anyone but their author (pages, the CSV export, the admin)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from conftest import Personas
from people.models import User
from programmes.core.errors import DomainError, InvalidTransition
from programmes.core.services.notifications import notifications_send_due
from programmes.models import MentoringSession, Notification, PrivateNote, Relationship, RelationshipHealth
from programmes.preparation.services.agreements import agreement_draft_for
from programmes.support.services.sessions import (
    SessionInput,
    session_cancel,
    session_confirm,
    session_log,
    session_update,
)
from programmes.support.services.support import flag_at_risk, health_for
from programmes.tests.support_helpers import SessionFactory, persona_pair, session_post

pytestmark = pytest.mark.django_db
SECRET = "I worry she is out of her depth with the Garuda account"


def _held(**overrides: object) -> SessionInput:
    values: dict[str, object] = {
        "held_at": timezone.now() - timedelta(days=1),
        "minutes": 45,
        "mode": MentoringSession.Mode.VIDEO,
        "status": MentoringSession.Status.HELD,
        "topics": "Account review",
        "mentor_roles": ["coaching"],
    }
    values.update(overrides)
    return SessionInput(**values)  # type: ignore[arg-type]


def _scheduled(**overrides: object) -> SessionInput:
    values: dict[str, object] = {"held_at": timezone.now() + timedelta(days=3), "status": "scheduled"}
    return _held(**{**values, **overrides})


def _url(name: str, p: Personas, *args: int) -> str:
    return reverse(f"programmes:{name}", args=[p.programme.pk, p.relationship.pk, *args])


# --- Logging and confirming ---------------------------------------------------------------------------------


def test_a_mentee_logs_a_held_session_and_the_mentor_is_asked_to_confirm_it(personas: Personas) -> None:
    relationship = persona_pair(personas)
    session = session_log(actor=personas.mentee, relationship=relationship, data=_held())
    assert session.editable_until is not None
    assert session.editable_until > timezone.now() + timedelta(days=6)
    assert session.confirmation == MentoringSession.Confirmation.PENDING
    asked = Notification.objects.get(kind="session_logged")
    assert asked.recipient == personas.mentor
    assert asked.url == reverse("programmes:session_detail", args=[personas.programme.pk, relationship.pk, session.pk])
    assert RelationshipHealth.objects.get(relationship=relationship).last_session_at == session.held_at


def test_a_session_notice_keeps_the_moment_and_reads_in_the_readers_language_and_zone_when_shown(
    client: Client, personas: Personas
) -> None:
    relationship = persona_pair(personas)
    User.objects.filter(pk=personas.mentor.pk).update(preferred_language="id", time_zone="Asia/Jakarta")
    held_at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    session_log(actor=personas.mentee, relationship=relationship, data=_held(held_at=held_at))
    asked = Notification.objects.get(kind="session_logged")
    assert datetime.fromisoformat(asked.context["when"]) == held_at  # the moment, not words in one language
    # The mentor reads English in Jayapura by the time he opens it.
    User.objects.filter(pk=personas.mentor.pk).update(preferred_language="en", time_zone="Asia/Jayapura")
    client.force_login(personas.mentor)
    page = client.get(reverse("programmes:notifications"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "of Mon 2 Mar 2026, 18:00 (Asia/Jayapura)" in page  # 09:00 UTC, in English, in his zone


def test_the_session_form_logs_in_one_post_and_keeps_the_private_note_with_its_author(
    client: Client, personas: Personas
) -> None:
    persona_pair(personas)
    client.force_login(personas.mentee)
    response = client.post(_url("session_log", personas), session_post(private_notes=SECRET))
    assert response.status_code == 302
    session = MentoringSession.objects.get()
    assert (session.minutes, session.mentor_roles) == (45, ["coaching", "giving_feedback"])
    assert session.logged_by == personas.mentee
    note = PrivateNote.objects.get()
    assert (note.author, note.text) == (personas.mentee, SECRET)


def test_the_form_offers_the_mentees_goals_and_logs_the_chosen_ones(client: Client, personas: Personas) -> None:
    persona_pair(personas)
    personas.relationship.members.filter(role="mentee").update()
    from programmes.models import Enrolment

    Enrolment.objects.filter(person=personas.mentee).update(goals="Negotiate with key accounts\nPresent to directors")
    client.force_login(personas.mentor)
    page = client.get(_url("session_log", personas))
    assert "Present to directors" in page.content.decode()
    client.post(
        _url("session_log", personas), session_post(goals_addressed=["Present to directors"], other_goal="Delegate")
    )
    assert MentoringSession.objects.get().goals_addressed == ["Present to directors", "Delegate"]


def test_a_session_in_the_future_cannot_be_logged_as_held_and_nothing_is_written(
    client: Client, personas: Personas
) -> None:
    persona_pair(personas)
    client.force_login(personas.mentee)
    tomorrow = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(_url("session_log", personas), session_post(held_at=tomorrow))
    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
    assert not MentoringSession.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("minutes", "0", "greater than or equal to 1"),
        ("minutes", "abc", "Enter a whole number"),
        ("held_at", "yesterday-ish", "Enter a valid date/time"),
        ("mode", "telepathy", "Select a valid choice"),
        ("mentor_roles", ["mind_reading"], "Select a valid choice"),
    ],
)
def test_bad_input_gets_a_clear_message_and_writes_nothing(
    client: Client, personas: Personas, field: str, value: object, message: str
) -> None:
    persona_pair(personas)
    client.force_login(personas.mentee)
    response = client.post(_url("session_log", personas), session_post(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not MentoringSession.objects.exists()


def test_sessions_are_not_logged_for_a_closed_relationship(personas: Personas) -> None:
    relationship = persona_pair(personas)
    Relationship.objects.filter(pk=relationship.pk).update(state=Relationship.State.CLOSED)
    with pytest.raises(DomainError, match="closed"):
        session_log(actor=personas.mentee, relationship=relationship, data=_held())
    assert not MentoringSession.objects.exists()


def test_only_members_log_sessions(personas: Personas) -> None:
    relationship = persona_pair(personas)
    with pytest.raises(DomainError):
        session_log(actor=personas.coordinator, relationship=relationship, data=_held())


def test_the_other_member_confirms_but_the_one_who_logged_it_cannot(personas: Personas) -> None:
    relationship = persona_pair(personas)
    session = session_log(actor=personas.mentee, relationship=relationship, data=_held())
    with pytest.raises(DomainError, match="other side"):
        session_confirm(actor=personas.mentee, session=session)
    session_confirm(actor=personas.mentor, session=session)
    session.refresh_from_db()
    assert (session.confirmation, session.confirmed_by) == (MentoringSession.Confirmation.CONFIRMED, personas.mentor)
    with pytest.raises(InvalidTransition):
        session_confirm(actor=personas.mentor, session=session)


def test_the_other_member_corrects_a_session_with_a_note(client: Client, personas: Personas) -> None:
    relationship = persona_pair(personas)
    session = session_log(actor=personas.mentee, relationship=relationship, data=_held())
    client.force_login(personas.mentor)
    url = _url("session_edit", personas, session.pk)
    without_note = client.post(url, session_post(minutes="90"))
    assert "Say what you corrected" in without_note.content.decode()
    response = client.post(url, session_post(minutes="90", correction_note="It was 90 minutes, over lunch."))
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.minutes == 90
    assert session.confirmation == MentoringSession.Confirmation.CORRECTED
    assert session.correction_note == "It was 90 minutes, over lunch."


def test_a_held_session_is_locked_seven_days_after_it_was_logged(client: Client, personas: Personas) -> None:
    relationship = persona_pair(personas)
    session = session_log(actor=personas.mentee, relationship=relationship, data=_held())
    MentoringSession.objects.filter(pk=session.pk).update(editable_until=timezone.now() - timedelta(minutes=1))
    session.refresh_from_db()
    with pytest.raises(InvalidTransition, match="locked"):
        session_update(actor=personas.mentee, session=session, data=_held(minutes=120))
    client.force_login(personas.mentee)
    response = client.post(_url("session_edit", personas, session.pk), session_post(minutes="120"))
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.minutes == 45


def test_logging_a_session_lifts_an_inactivity_flag_but_not_a_concern(personas: Personas) -> None:
    relationship = persona_pair(personas)
    health = health_for(relationship)
    flag_at_risk(health=health, kind=RelationshipHealth.Risk.INACTIVE, reason="No session for 30 days")
    session_log(actor=personas.mentee, relationship=relationship, data=_held())
    health.refresh_from_db()
    assert not health.at_risk
    flag_at_risk(health=health, kind=RelationshipHealth.Risk.CONCERN, reason="A concern was raised")
    session_log(actor=personas.mentor, relationship=relationship, data=_held(held_at=timezone.now()))
    health.refresh_from_db()
    assert health.at_risk
    assert health.at_risk_kind == "concern"


def test_the_first_held_session_is_the_agreements_first_meeting(personas: Personas) -> None:
    relationship = persona_pair(personas, state=Relationship.State.ACCEPTED)
    agreement = agreement_draft_for(relationship, actor=personas.mentor)
    session = session_log(actor=personas.mentee, relationship=relationship, data=_held())
    agreement.refresh_from_db()
    assert agreement.first_meeting_at == session.held_at
    relationship.refresh_from_db()
    assert relationship.state == "accepted"  # nobody has signed yet


# --- Calendar invites ---------------------------------------------------------------------------------------


def _invites(person_pk: int) -> list[Calendar]:
    rows = Notification.objects.filter(kind="session_invite", recipient_id=person_pk).order_by("pk")
    return [Calendar.from_ical(row.context["attachments"][0]["content"]) for row in rows]


def _event(calendar: Calendar) -> dict[str, object]:
    event = calendar.walk("VEVENT")[0]
    return {
        "method": str(calendar["METHOD"]),
        "uid": str(event["UID"]),
        "sequence": int(event["SEQUENCE"]),
        "status": str(event["STATUS"]),
        "start": event.decoded("DTSTART"),
    }


def test_a_scheduled_session_invites_everyone_with_a_stable_uid_and_a_rising_sequence(personas: Personas) -> None:
    relationship = persona_pair(personas)
    session = session_log(actor=personas.mentor, relationship=relationship, data=_scheduled())
    later = session.held_at + timedelta(hours=2)
    session_update(actor=personas.mentee, session=session, data=_scheduled(held_at=later))
    session_update(actor=personas.mentee, session=session, data=_scheduled(held_at=later, topics="Only the topic"))
    session_cancel(actor=personas.mentor, session=session)
    for person in (personas.mentor, personas.mentee):
        events = [_event(c) for c in _invites(person.pk)]
        assert [e["method"] for e in events] == ["REQUEST", "REQUEST", "CANCEL"]  # a topic change sends nothing
        assert [e["sequence"] for e in events] == [0, 1, 2]
        assert len({e["uid"] for e in events}) == 1
        assert events[1]["start"] == later.replace(microsecond=0)
        assert events[2]["status"] == "CANCELLED"


def test_the_invite_e_mail_carries_the_ics_and_the_download_matches_it(client: Client, personas: Personas) -> None:
    relationship = persona_pair(personas)
    session = session_log(actor=personas.mentor, relationship=relationship, data=_scheduled())
    notifications_send_due()
    invites = [m for m in mail.outbox if m.to == [personas.mentee.email] and m.attachments]
    assert len(invites) == 1
    filename, content, mimetype = invites[0].attachments[0]
    assert filename == "session.ics"
    assert mimetype.startswith("text/calendar")
    emailed = _event(Calendar.from_ical(content))
    client.force_login(personas.mentee)
    response = client.get(_url("session_ics", personas, session.pk))
    assert response["Content-Type"].startswith("text/calendar")
    downloaded = _event(Calendar.from_ical(response.content))
    assert (downloaded["uid"], downloaded["sequence"]) == (emailed["uid"], emailed["sequence"])


def test_a_scheduled_session_logged_as_held_asks_the_other_side_to_confirm(personas: Personas) -> None:
    relationship = persona_pair(personas)
    session = session_log(actor=personas.mentor, relationship=relationship, data=_scheduled())
    MentoringSession.objects.filter(pk=session.pk).update(held_at=timezone.now() - timedelta(hours=2))
    session.refresh_from_db()
    session_update(actor=personas.mentee, session=session, data=_held(held_at=session.held_at))
    session.refresh_from_db()
    assert session.status == "held"
    assert session.logged_by == personas.mentee
    assert session.editable_until
    assert Notification.objects.filter(kind="session_logged", recipient=personas.mentor).exists()


def test_only_a_scheduled_session_can_be_cancelled(personas: Personas) -> None:
    relationship = persona_pair(personas)
    session = session_log(actor=personas.mentor, relationship=relationship, data=_held())
    with pytest.raises(InvalidTransition):
        session_cancel(actor=personas.mentor, session=session)


# --- Private notes: their author only, anywhere ----------------------------------------------------------------


@pytest.fixture
def secret_session(personas: Personas) -> MentoringSession:
    relationship = persona_pair(personas)
    return session_log(
        actor=personas.mentee, relationship=relationship, data=_held(private_notes=SECRET, shared_notes="Shared plan")
    )


def _pages(p: Personas, session: MentoringSession) -> list[str]:
    return [
        _url("session_detail", p, session.pk),
        _url("session_list", p),
        _url("relationship_support", p),
        _url("session_export", p),
        reverse("home"),
        reverse("programmes:dashboard", args=[p.programme.pk]),
    ]


@pytest.mark.parametrize("persona", ["mentor", "coordinator", "admin", "hr_analyst", "outsider"])
def test_private_notes_never_reach_anyone_but_their_author_on_any_page_or_export(
    client: Client, personas: Personas, secret_session: MentoringSession, persona: str
) -> None:
    client.force_login(getattr(personas, persona))
    seen = 0
    for url in _pages(personas, secret_session):
        response = client.get(url)
        assert SECRET not in response.content.decode(), f"{persona} read the note at {url}"
        seen += response.status_code == 200
    if persona in ("mentor", "coordinator", "admin"):
        assert seen >= 4  # they did read the pages, just not the note


def test_the_author_reads_their_private_note_on_the_session_page_and_in_the_export(
    client: Client, personas: Personas, secret_session: MentoringSession
) -> None:
    client.force_login(personas.mentee)
    assert SECRET in client.get(_url("session_detail", personas, secret_session.pk)).content.decode()
    rows = list(csv.reader(io.StringIO(client.get(_url("session_export", personas)).content.decode())))
    assert rows[0][-1] == "my_private_notes"
    assert rows[1][-1] == SECRET


def test_the_coordinators_export_has_the_shared_notes_and_no_private_column(
    client: Client, personas: Personas, secret_session: MentoringSession
) -> None:
    client.force_login(personas.coordinator)
    client.post(
        reverse("programmes:content_reason", args=[personas.programme.pk, secret_session.relationship_id]),
        {"reason": "Preparing the programme review.", "next": "/"},
    )
    rows = list(csv.reader(io.StringIO(client.get(_url("session_export", personas)).content.decode())))
    assert "my_private_notes" not in rows[0]
    assert rows[1][rows[0].index("shared_notes")] == "Shared plan"


def test_the_admin_never_shows_a_private_notes_text_even_to_a_superuser(
    client: Client, personas: Personas, secret_session: MentoringSession
) -> None:
    note = PrivateNote.objects.get()
    client.force_login(personas.admin)
    for url in (
        reverse("admin:programmes_mentoringsession_change", args=[secret_session.pk]),
        reverse("admin:programmes_mentoringsession_changelist"),
        reverse("admin:programmes_privatenote_changelist"),
        reverse("admin:programmes_privatenote_change", args=[note.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert SECRET not in response.content.decode(), url


def test_staff_who_are_not_superusers_do_not_see_sessions_or_notes_in_the_admin(
    client: Client, personas: Personas, secret_session: MentoringSession
) -> None:
    from django.contrib.auth.models import Permission

    staff = personas.coordinator
    staff.is_staff = True
    staff.save()
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="programmes"))
    client.force_login(staff)
    note = PrivateNote.objects.get()
    assert client.get(reverse("admin:programmes_privatenote_change", args=[note.pk])).status_code == 403
    assert client.get(reverse("admin:programmes_mentoringsession_changelist")).status_code == 403


def test_a_private_note_has_no_path_from_its_session(secret_session: MentoringSession) -> None:
    related = {f.get_accessor_name() for f in MentoringSession._meta.related_objects}
    assert not any("note" in (name or "") for name in related)
    assert str(PrivateNote.objects.get()).find(SECRET) == -1


def test_a_session_the_factory_builds_is_held_and_editable(personas: Personas) -> None:
    session = SessionFactory(relationship=persona_pair(personas))
    assert not session.is_locked()
    assert session.status == "held"


def test_the_form_starts_from_the_persons_last_session(client: Client, personas: Personas) -> None:
    relationship = persona_pair(personas)
    session_log(actor=personas.mentee, relationship=relationship, data=_held(minutes=25, mode="phone"))
    client.force_login(personas.mentee)
    form = client.get(_url("session_log", personas)).context["form"]
    assert (form.initial["minutes"], form.initial["mode"]) == (25, "phone")
