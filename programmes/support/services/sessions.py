"""The session log: log, schedule, edit, confirm and cancel sessions; calendar invites.

    scheduled → held | no-show | cancelled;  held is editable for 7 days, then locked

Either member logs a session; the others are asked to confirm or correct it. A scheduled session sends
every member a calendar invite (.ics: a stable UID, SEQUENCE raised on each change, METHOD:CANCEL when
cancelled) through the outbox, so a broker that is down never fails the request: the row is written with
the session and the sweeper sends it. Private notes are written to their own table, one per author.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from icalendar import Calendar, Event, vCalAddress, vText

from mentoring.background import enqueue_on_commit
from people.models import User
from programmes.core.errors import DomainError, InvalidTransition
from programmes.core.figures_cache import programme_data_changed
from programmes.core.services.notifications import notification_create
from programmes.core.states import STARTED, can_log_sessions
from programmes.models import (
    Agreement,
    MentoringSession,
    PrivateNote,
    Relationship,
    RelationshipHealth,
    RelationshipMember,
)
from programmes.preparation.services.signing import agreement_first_meeting_record

from ..models.sessions import EDIT_WINDOW
from .activity import activity_figures_update
from .support import clear_at_risk, health_for, member_for, members_of

logger = logging.getLogger(__name__)
Status = MentoringSession.Status
# Fields whose change is a change of the meeting itself (a new invite, SEQUENCE + 1).
INVITE_FIELDS = ("held_at", "minutes", "mode")


@dataclass
class SessionInput:
    """What a member enters on the session form (private notes are the actor's own)."""

    held_at: datetime
    minutes: int
    mode: str
    status: str
    topics: str = ""
    mentor_roles: list[str] = field(default_factory=list)
    goals_addressed: list[str] = field(default_factory=list)
    shared_notes: str = ""
    private_notes: str = ""
    correction_note: str = ""


def session_url(session: MentoringSession) -> str:
    return reverse("programmes:session_detail", args=[session.programme_id, session.relationship_id, session.pk])


def _send_soon() -> None:
    """Ask a worker to send the outbox now; if the broker is down the periodic sweep sends it later."""
    from programmes.tasks import send_due_notifications

    enqueue_on_commit(send_due_notifications)


def _apply(session: MentoringSession, data: SessionInput) -> None:
    session.held_at, session.minutes, session.mode = data.held_at, data.minutes, data.mode
    session.status = data.status
    session.topics = data.topics.strip()
    session.mentor_roles = list(dict.fromkeys(data.mentor_roles))
    session.goals_addressed = [g.strip() for g in dict.fromkeys(data.goals_addressed) if g.strip()]
    session.shared_notes = data.shared_notes.strip()


def _save_private_note(session: MentoringSession, author: User, text: str) -> None:
    """One note per author and session: written, replaced, or removed when emptied."""
    text = text.strip()
    note = PrivateNote.objects.by(author).filter(session=session).first()
    if not text:
        if note is not None:
            note.delete()
        return
    if note is None:
        note = PrivateNote(session=session, author=author)
    note.text, note.updated_at = text, timezone.now()
    note.full_clean()
    note.save()


def _record_activity(session: MentoringSession, actor: User) -> None:
    """A logged session is activity: the rollup moves on and an inactivity flag is lifted."""
    relationship = session.relationship
    if relationship.state not in STARTED:
        return
    health = health_for(relationship)
    activity_figures_update(relationships=Relationship.objects.filter(pk=relationship.pk), now=timezone.now())
    clear_at_risk(
        health=health, kind=RelationshipHealth.Risk.INACTIVE, reason=str(_("A session was logged.")), actor=actor
    )


def _record_first_meeting(session: MentoringSession, actor: User) -> None:
    """The first held session of an accepted pair is its first meeting (issue 5's agreement records it).

    Through the agreement's own service (it also activates the relationship once every member has signed);
    a refusal there (a date before the match) leaves the session logged all the same.
    """
    if session.relationship.state != Relationship.State.ACCEPTED:
        return
    agreement = Agreement.objects.filter(relationship_id=session.relationship_id, first_meeting_at__isnull=True).first()
    if agreement is None:
        return
    try:
        with transaction.atomic():
            agreement_first_meeting_record(actor=actor, agreement=agreement, met_at=session.held_at)
    except DomainError:
        logger.info("session %s not taken as the first meeting of agreement %s", session.pk, agreement.pk)


def _notify_logged(session: MentoringSession, actor: User, members: list[RelationshipMember]) -> None:
    """Ask the other members to confirm or correct a held (or no-show) session."""
    for member in members:
        person = member.enrolment.person
        if person.pk == actor.pk:
            continue
        notification_create(
            recipient=person,
            kind="session_logged",
            dedupe_key=f"session:{session.pk}:logged:{person.pk}",
            context={
                "who": actor.get_full_name(),
                "programme": session.relationship.programme.name,
                "when": session.held_at.isoformat(),  # shown in the reader's language and zone
                "status": session.status,
                "minutes": session.minutes,
            },
            url=session_url(session),
        )


# --- Calendar invites ---------------------------------------------------------------------------------------


def _uid(session: MentoringSession) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "mentoring.invalid"
    return f"{session.uid}@{host}"


def session_ics(session: MentoringSession, members: list[RelationshipMember], *, method: str = "REQUEST") -> str:
    """The session as an iCalendar invite (REQUEST or PUBLISH) or cancellation (CANCEL), in the active language."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.SITE_NAME}//Mentoring sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", _uid(session))
    event.add("sequence", session.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", session.held_at)
    event.add("dtend", session.ends_at)
    names = ", ".join(m.enrolment.person.get_full_name() for m in members)
    event.add("summary", _g("Mentoring session: %(names)s") % {"names": names})
    description = " · ".join(p for p in (str(session.get_mode_display()), session.topics) if p)
    event.add("description", f"{description}\n{settings.SITE_URL}{session_url(session)}".strip())
    event.add("location", vText(str(session.get_mode_display())))
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    organiser = session.logged_by or (members[0].enrolment.person if members else None)
    if organiser is not None:
        address = vCalAddress(f"mailto:{organiser.email}")
        address.params["cn"] = organiser.get_full_name()
        event.add("organizer", address, encode=False)
    for member in members:
        attendee = vCalAddress(f"mailto:{member.enrolment.person.email}")
        attendee.params["cn"] = member.enrolment.person.get_full_name()
        attendee.params["role"] = "REQ-PARTICIPANT"
        event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    return calendar.to_ical().decode()


def _send_invites(session: MentoringSession, members: list[RelationshipMember], *, action: str) -> None:
    """An invite (new or changed) or a cancellation to every member, each in their own language, with the .ics."""
    method = "CANCEL" if action == "cancelled" else "REQUEST"
    for member in members:
        person = member.enrolment.person
        with translation.override(person.preferred_language or settings.LANGUAGE_CODE):
            ics = session_ics(session, members, method=method)
            mode = str(session.get_mode_display())
        notification_create(
            recipient=person,
            kind="session_invite",
            dedupe_key=f"session:{session.pk}:invite:{session.sequence}:{action}:{person.pk}",
            context={
                "action": action,
                "programme": session.relationship.programme.name,
                "when": session.held_at.isoformat(),  # shown in the reader's language and zone
                "minutes": session.minutes,
                "mode": mode,
                "attachments": [
                    {"filename": "session.ics", "content": ics, "mimetype": f"text/calendar; method={method}"}
                ],
            },
            url=session_url(session),
        )


# --- Services -----------------------------------------------------------------------------------------------


@transaction.atomic
def session_log(*, actor: User, relationship: Relationship, data: SessionInput) -> MentoringSession:
    """A member logs a past session or schedules a future one.

    Held and no-show sessions ask the other members to confirm; scheduled ones send everyone an invite.
    """
    relationship = Relationship.objects.select_for_update().select_related("programme").get(pk=relationship.pk)
    member_for(relationship, actor)
    if not can_log_sessions(relationship):
        raise DomainError(
            _("Sessions are logged while the relationship runs; it is %(state)s.")
            % {"state": relationship.get_state_display().lower()}
        )
    if data.status == Status.CANCELLED:
        raise DomainError(_("Log a session that happened, or schedule one; cancel a scheduled session from its page."))
    session = MentoringSession(relationship=relationship, programme_id=relationship.programme_id, logged_by=actor)
    _apply(session, data)
    now = timezone.now()
    session.created_at = session.updated_at = now
    if session.status == Status.HELD:
        session.editable_until = now + EDIT_WINDOW
    session.full_clean()
    session.save()
    _save_private_note(session, actor, data.private_notes)
    members = members_of(relationship)
    if session.status == Status.SCHEDULED:
        _send_invites(session, members, action="new")
    else:
        _notify_logged(session, actor, members)
    if session.status == Status.HELD:
        _record_first_meeting(session, actor)
    _record_activity(session, actor)
    programme_data_changed(session.programme_id)
    _send_soon()
    return session


def _locked_session(session: MentoringSession) -> MentoringSession:
    return (
        MentoringSession.objects.select_for_update(of=("self",))
        .select_related("relationship__programme", "logged_by")
        .get(pk=session.pk)
    )


@transaction.atomic
def session_update(*, actor: User, session: MentoringSession, data: SessionInput) -> MentoringSession:
    """A member edits (or, not being the one who logged it, corrects) a session that is not locked.

    A change of time, length or mode of a scheduled session raises its SEQUENCE and re-sends the invite;
    a scheduled session logged as held asks the others to confirm.
    """
    session = _locked_session(session)
    member_for(session.relationship, actor)
    now = timezone.now()
    if session.is_locked(now):
        raise InvalidTransition(_("This session was logged more than 7 days ago and is locked."))
    if session.status == Status.CANCELLED:
        raise InvalidTransition(_("A cancelled session cannot be edited; schedule a new one."))
    if data.status == Status.CANCELLED:
        raise DomainError(_("Use “Cancel this session” to cancel it, so that everyone's calendar is updated."))
    if session.status in (Status.HELD, Status.NO_SHOW) and data.status == Status.SCHEDULED:
        raise DomainError(_("A session that took place cannot go back to scheduled."))
    before = {name: getattr(session, name) for name in (*INVITE_FIELDS, "status")}
    _apply(session, data)
    was_scheduled = before["status"] == Status.SCHEDULED
    rescheduled = (
        was_scheduled
        and session.status == Status.SCHEDULED
        and any(before[name] != getattr(session, name) for name in INVITE_FIELDS)
    )
    if rescheduled:
        session.sequence += 1
    if was_scheduled and session.status != Status.SCHEDULED:
        session.confirmation = MentoringSession.Confirmation.PENDING
        session.editable_until = now + EDIT_WINDOW if session.status == Status.HELD else None
    elif session.logged_by_id != actor.pk and not was_scheduled:
        session.confirmation = MentoringSession.Confirmation.CORRECTED
        session.confirmed_by, session.confirmed_at = actor, now
        session.correction_note = data.correction_note.strip()
    session.updated_at = now
    session.full_clean()
    session.save()
    _save_private_note(session, actor, data.private_notes)
    members = members_of(session.relationship)
    if rescheduled:
        _send_invites(session, members, action="changed")
    elif was_scheduled and session.status != Status.SCHEDULED:
        # The meeting took place (or not): calendars keep the event; the others confirm what happened.
        session.logged_by = actor
        session.save(update_fields=["logged_by"])
        _notify_logged(session, actor, members)
        if session.status == Status.HELD:
            _record_first_meeting(session, actor)
    _record_activity(session, actor)
    programme_data_changed(session.programme_id)
    _send_soon()
    return session


@transaction.atomic
def session_confirm(*, actor: User, session: MentoringSession) -> MentoringSession:
    """Another member confirms a held or no-show session as logged."""
    session = _locked_session(session)
    member_for(session.relationship, actor)
    if session.status not in (Status.HELD, Status.NO_SHOW):
        raise InvalidTransition(_("Only a session that took place (or was missed) is confirmed."))
    if session.logged_by_id == actor.pk:
        raise DomainError(_("The other side confirms a session; you logged this one."))
    if session.confirmation != MentoringSession.Confirmation.PENDING:
        raise InvalidTransition(
            _("This session is already %(state)s.") % {"state": session.get_confirmation_display().lower()}
        )
    session.confirmation = MentoringSession.Confirmation.CONFIRMED
    session.confirmed_by, session.confirmed_at = actor, timezone.now()
    session.save(update_fields=["confirmation", "confirmed_by", "confirmed_at"])
    return session


@transaction.atomic
def session_cancel(*, actor: User, session: MentoringSession) -> MentoringSession:
    """Cancel a scheduled session: everyone's calendar gets a METHOD:CANCEL with the next SEQUENCE."""
    session = _locked_session(session)
    member_for(session.relationship, actor)
    if session.status != Status.SCHEDULED:
        raise InvalidTransition(_("Only a scheduled session can be cancelled."))
    session.status = Status.CANCELLED
    session.sequence += 1
    session.updated_at = timezone.now()
    session.save(update_fields=["status", "sequence", "updated_at"])
    programme_data_changed(session.programme_id)
    _send_invites(session, members_of(session.relationship), action="cancelled")
    _send_soon()
    return session
