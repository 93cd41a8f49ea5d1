"""Ongoing support: the health rollup and the at-risk flag, check-ins, coordinator contacts, concerns and
mediation, coordinator tasks, resources and muted reminders.

Every write here is a service (`<entity>_<verb>(*, actor, ...)`), atomic, validated, and audited where it
changes a state. Helpers shared with the session, closure and reminder services live here too: who the
members and the coordinators are, the relationship's health row, and which recipients muted a kind.
"""

from __future__ import annotations

import os
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from people.models import User
from programmes.core.errors import DomainError, InvalidTransition
from programmes.core.figures_cache import programme_figures_changed
from programmes.core.services.lifecycle import audit_event_record
from programmes.core.services.notifications import notification_create, notification_create_many
from programmes.core.states import can_log_sessions
from programmes.models import (
    AuditEvent,
    CheckIn,
    Concern,
    CoordinatorContact,
    CoordinatorTask,
    NotificationMute,
    Programme,
    ProgrammeRole,
    Relationship,
    RelationshipHealth,
    RelationshipMember,
    Resource,
    SupportSettings,
)

from ..models.support import MUTABLE_KINDS, RESOURCE_MAX_BYTES, RESOURCE_TYPES, next_contact_due

RState = Relationship.State
Risk = RelationshipHealth.Risk


# --- Who ----------------------------------------------------------------------------------------------------


def members_of(relationship: Relationship) -> list[RelationshipMember]:
    """The relationship's members with their people (one query)."""
    return list(relationship.members.select_related("enrolment__person").order_by("pk"))


def member_for(relationship: Relationship, user: User) -> RelationshipMember:
    """The actor's membership; a DomainError when they are not in the relationship."""
    for member in members_of(relationship):
        if member.enrolment.person_id == user.pk:
            return member
    raise DomainError(_("Only the people in this relationship can do that."))


def coordinators_of(programme: Programme | int) -> list[User]:
    """The programme's coordination team (site admins coordinate everything but are not told of everything)."""
    programme_id = programme if isinstance(programme, int) else programme.pk
    return list(
        User.objects.filter(
            programme_roles__programme_id=programme_id, programme_roles__role=ProgrammeRole.Role.COORDINATOR
        ).distinct()
    )


def not_muted(kind: str, people: Iterable[User]) -> list[User]:
    """The people who have not switched `kind` off (essential kinds cannot be switched off)."""
    people = list(people)
    if kind not in dict(MUTABLE_KINDS) or not people:
        return people
    muted = set(NotificationMute.objects.filter(kind=kind, user__in=people).values_list("user_id", flat=True))
    return [person for person in people if person.pk not in muted]


def when_for(person: User, moment: datetime) -> str:
    """A moment as this person reads it in a message: their language and their time zone, named."""
    try:
        zone = zoneinfo.ZoneInfo(person.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    with translation.override(person.preferred_language or settings.LANGUAGE_CODE):
        return f"{formats.date_format(timezone.localtime(moment, zone), 'DATETIME_FORMAT')} ({zone.key})"


def support_url(relationship: Relationship) -> str:
    return reverse("programmes:relationship_support", args=[relationship.programme_id, relationship.pk])


# --- Health rollup and the at-risk flag ----------------------------------------------------------------------


def relationship_started_at(relationship: Relationship) -> datetime:
    """When the relationship became active (its first audit event into `active`), else its last state change."""
    from django.contrib.contenttypes.models import ContentType

    first = (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Relationship),
            object_id=relationship.pk,
            to_state=RState.ACTIVE,
        )
        .order_by("at")
        .values_list("at", flat=True)
        .first()
    )
    return first or relationship.state_changed_at


def health_for(relationship: Relationship) -> RelationshipHealth:
    """The relationship's health row, created on first use with its start as the last activity."""
    health = RelationshipHealth.objects.filter(relationship=relationship).first()
    if health is not None:
        return health
    started = relationship_started_at(relationship)
    health, _created = RelationshipHealth.objects.get_or_create(
        relationship=relationship,
        defaults={"programme_id": relationship.programme_id, "started_at": started, "last_activity_at": started},
    )
    return health


def _health_changed(health: RelationshipHealth) -> None:
    """The dashboard's at-risk and contact lists are cached with the programme's figures: move them on."""
    programme_id = Relationship.objects.filter(pk=health.relationship_id).values_list("programme_id", flat=True)
    programme_figures_changed(programme_id.get())


def flag_at_risk(*, health: RelationshipHealth, kind: str, reason: str, actor: User | None = None) -> bool:
    """Mark the relationship at risk with a reason a coordinator can act on; True when this call flagged it.

    The update is conditional, so two sweeps at once write one audit event. The flag keeps its first cause
    until that cause is lifted (a session does not hide an open concern); the same cause refreshes its
    reason (the number of silent days).
    """
    now = timezone.now()
    fields = {"at_risk": True, "at_risk_kind": kind, "at_risk_reason": reason, "updated_at": now}
    flagged = RelationshipHealth.objects.filter(pk=health.pk, at_risk=False).update(**fields, at_risk_since=now)
    if not flagged:
        RelationshipHealth.objects.filter(pk=health.pk, at_risk_kind=kind).exclude(at_risk_reason=reason).update(
            **fields
        )
    health.refresh_from_db()
    if flagged:
        _health_changed(health)
        audit_event_record(actor=actor, obj=health, from_state="ok", to_state="at_risk", reason=reason)
    return bool(flagged)


def clear_at_risk(*, health: RelationshipHealth, kind: str, reason: str, actor: User | None = None) -> bool:
    """Lift the flag when it was raised for `kind` (a session lifts inactivity, not a red contact)."""
    cleared = RelationshipHealth.objects.filter(pk=health.pk, at_risk=True, at_risk_kind=kind).update(
        at_risk=False, at_risk_kind="", at_risk_reason="", at_risk_since=None, updated_at=timezone.now()
    )
    health.refresh_from_db()
    if cleared:
        _health_changed(health)
        audit_event_record(actor=actor, obj=health, from_state="at_risk", to_state="ok", reason=reason)
    return bool(cleared)


def coordinator_task_create(
    *, relationship: Relationship, kind: str, title: str, detail: str, dedupe_key: str, due_on: date | None = None
) -> tuple[CoordinatorTask, bool]:
    """A task for the coordinators, once per key (whatever runs twice creates one), and an in-app notice."""
    task, created = CoordinatorTask.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={
            "programme_id": relationship.programme_id,
            "relationship": relationship,
            "kind": kind,
            "title": title[:300],
            "detail": detail,
            "due_on": due_on or timezone.localdate(),
        },
    )
    if created:
        notification_create_many(
            recipients=coordinators_of(relationship.programme_id),
            kind="coordinator_task",
            dedupe_key=lambda person: f"task:{task.pk}:{person.pk}",
            context={"title": task.title},
            url=reverse("programmes:dashboard", args=[relationship.programme_id]),
            channel="in_app",
        )
    return task, created


@transaction.atomic
def coordinator_task_complete(*, actor: User, task: CoordinatorTask) -> CoordinatorTask:
    """Tick a task off (a second click changes nothing)."""
    done = CoordinatorTask.objects.filter(pk=task.pk, state=CoordinatorTask.State.OPEN).update(
        state=CoordinatorTask.State.DONE, done_at=timezone.now(), done_by=actor
    )
    if not done:
        raise InvalidTransition(_("This task is already done."))
    task.refresh_from_db()
    return task


# --- Check-ins -----------------------------------------------------------------------------------------------


def support_settings_for(programme: Programme) -> SupportSettings:
    settings_row, _created = SupportSettings.objects.get_or_create(programme=programme)
    return settings_row


@dataclass(frozen=True)
class CheckInAnswer:
    satisfaction: int
    progress: int
    working: str
    concern: str = ""
    contact_me: bool = False


@transaction.atomic
def checkin_answer(*, actor: User, checkin: CheckIn, answer: CheckInAnswer) -> CheckIn:
    """The respondent answers their check-in once; "please contact me" makes a task, "not working" a risk."""
    checkin = CheckIn.objects.select_for_update().select_related("relationship").get(pk=checkin.pk)
    if checkin.respondent_id != actor.pk:
        raise DomainError(_("Only the person asked answers a check-in."))
    if checkin.is_answered:
        raise InvalidTransition(_("You have already answered this check-in. Thank you."))
    checkin.satisfaction, checkin.progress, checkin.working = answer.satisfaction, answer.progress, answer.working
    checkin.concern, checkin.contact_me = answer.concern.strip(), answer.contact_me
    checkin.answered_at = timezone.now()
    checkin.full_clean()
    checkin.save()
    programme_figures_changed(checkin.programme_id)
    relationship = checkin.relationship
    name = actor.get_full_name()
    if answer.contact_me:
        coordinator_task_create(
            relationship=relationship,
            kind=CoordinatorTask.Kind.CONTACT_REQUESTED,
            title=str(_("%(name)s asks you to get in touch") % {"name": name}),
            detail=checkin.concern,
            dedupe_key=f"task:contact:{checkin.pk}",
        )
    if answer.working == CheckIn.Working.NO:
        flag_at_risk(
            health=health_for(relationship),
            kind=Risk.CHECKIN,
            reason=str(
                _("%(name)s said in check-in %(round)d that it is not working.")
                % {"name": name, "round": checkin.round}
            ),
            actor=actor,
        )
    return checkin


# --- Coordinator contacts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactInput:
    contacted_on: date
    channel: str
    minutes: int
    nature: str
    health: str
    notes: str = ""


def _refresh_contact_due(health: RelationshipHealth, programme: Programme) -> None:
    """Recompute the last and next contact from every contact with this relationship."""
    days = list(
        CoordinatorContact.objects.filter(relationship_id=health.relationship_id).values_list("contacted_on", flat=True)
    )
    health.last_contact_on = max(days) if days else None
    health.next_contact_due = next_contact_due(
        started=timezone.localdate(health.started_at),
        contacts=days,
        first_month=programme.contacts_first_month,
        interval=programme.contact_interval_days,
    )


@transaction.atomic
def contact_log(*, actor: User, relationship: Relationship, data: ContactInput) -> CoordinatorContact:
    """The coordinator records a contact with a pair: the due date moves on, red flags a risk, green lifts it."""
    if not can_log_sessions(relationship):
        raise DomainError(_("Contacts are logged with relationships that have started and not closed."))
    if data.contacted_on > timezone.localdate():
        raise DomainError(_("A contact is logged after it happened; the date cannot be in the future."))
    contact = CoordinatorContact(
        relationship=relationship, programme_id=relationship.programme_id, coordinator=actor, **data.__dict__
    )
    contact.notes = contact.notes.strip()
    contact.full_clean()
    contact.save()
    health = health_for(relationship)
    health.health = data.health
    _refresh_contact_due(health, relationship.programme)
    health.updated_at = timezone.now()
    health.save(update_fields=["health", "last_contact_on", "next_contact_due", "updated_at"])
    programme_figures_changed(relationship.programme_id)
    if data.health == RelationshipHealth.Health.RED:
        reason = _("The coordinator rated the relationship red on %(day)s.") % {"day": data.contacted_on.isoformat()}
        flag_at_risk(health=health, kind=Risk.CONTACT, reason=str(reason), actor=actor)
    elif data.health == RelationshipHealth.Health.GREEN:
        clear_at_risk(health=health, kind=Risk.CONTACT, reason=str(_("Rated green again.")), actor=actor)
    if data.nature == CoordinatorContact.Nature.REQUESTED:
        CoordinatorTask.objects.filter(
            relationship=relationship, kind=CoordinatorTask.Kind.CONTACT_REQUESTED, state=CoordinatorTask.State.OPEN
        ).update(state=CoordinatorTask.State.DONE, done_at=timezone.now(), done_by=actor)
    return contact


# --- Concerns and mediation ----------------------------------------------------------------------------------

CState = Concern.State


def _concern_url(concern: Concern) -> str:
    return reverse("programmes:concern_detail", args=[concern.programme_id, concern.relationship_id, concern.pk])


@transaction.atomic
def concern_raise(
    *, actor: User, relationship: Relationship, category: str, severity: str, description: str, confidential: bool
) -> Concern:
    """A member raises a concern; the coordinators are told; "this isn't working" or high severity is a risk."""
    member_for(relationship, actor)
    if not can_log_sessions(relationship):
        raise DomainError(_("Concerns are raised about relationships that have started and not closed."))
    concern = Concern(
        relationship=relationship,
        programme_id=relationship.programme_id,
        raised_by=actor,
        category=category,
        severity=severity,
        description=description.strip(),
        confidential=confidential,
    )
    concern.full_clean()
    concern.save()
    audit_event_record(actor=actor, obj=concern, from_state="", to_state=CState.OPEN)
    notification_create_many(
        recipients=coordinators_of(relationship.programme_id),
        kind="concern_raised",
        dedupe_key=lambda person: f"concern:{concern.pk}:raised:{person.pk}",
        context={
            "programme": relationship.programme.name,
            "category": str(concern.get_category_display()),
            "severity": str(concern.get_severity_display()),
        },
        url=_concern_url(concern),
    )
    if category == Concern.Category.NOT_WORKING or severity == Concern.Severity.HIGH:
        reason = _("A concern was raised: %(category)s (%(severity)s).") % {
            "category": concern.get_category_display(),
            "severity": str(concern.get_severity_display()).lower(),
        }
        flag_at_risk(health=health_for(relationship), kind=Risk.CONCERN, reason=str(reason), actor=actor)
    return concern


def _locked_concern(concern: Concern, allowed: tuple[str, ...]) -> Concern:
    locked = Concern.objects.select_for_update().select_related("relationship__programme").get(pk=concern.pk)
    if locked.state not in allowed:
        raise InvalidTransition(
            _("This concern is %(state)s; that is no longer possible.") % {"state": locked.get_state_display().lower()}
        )
    return locked


def _append_note(concern: Concern, actor: User, note: str) -> None:
    note = note.strip()
    if note:
        stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M")
        entry = f"[{stamp} {actor.get_full_name()}] {note}"
        concern.mediation_notes = f"{concern.mediation_notes}\n\n{entry}".strip()


def _move_concern(*, actor: User, concern: Concern, to: str, reason: str = "") -> Concern:
    from_state = concern.state
    concern.state = to
    concern.handled_by = actor
    concern.state_changed_at = timezone.now()
    concern.full_clean()
    concern.save()
    audit_event_record(actor=actor, obj=concern, from_state=from_state, to_state=to, reason=reason)
    return concern


@transaction.atomic
def concern_add_note(*, actor: User, concern: Concern, note: str) -> Concern:
    """A dated mediation note (kept in order, never shown to the members)."""
    if not note.strip():
        raise DomainError(_("Write the note first."))
    locked = _locked_concern(concern, (CState.OPEN, CState.MEDIATING))
    _append_note(locked, actor, note)
    locked.full_clean()
    locked.save(update_fields=["mediation_notes"])
    return locked


@transaction.atomic
def concern_start_mediation(*, actor: User, concern: Concern, note: str = "") -> Concern:
    """open → mediating: the coordinator takes it on."""
    locked = _locked_concern(concern, (CState.OPEN,))
    _append_note(locked, actor, note)
    return _move_concern(actor=actor, concern=locked, to=CState.MEDIATING, reason=note)


def _close_concern(*, actor: User, concern: Concern, to: str, outcome: str) -> Concern:
    if not outcome.strip():
        raise DomainError(_("Write the outcome, so that the raiser and the audit trail know what happened."))
    locked = _locked_concern(concern, (CState.OPEN, CState.MEDIATING))
    locked.outcome = outcome.strip()
    moved = _move_concern(actor=actor, concern=locked, to=to, reason=outcome)
    notification_create(
        recipient=moved.raised_by,
        kind="concern_updated",
        dedupe_key=f"concern:{moved.pk}:{to}",
        context={"programme": moved.relationship.programme.name, "state": str(moved.get_state_display())},
        url=_concern_url(moved),
    )
    still_open = Concern.objects.filter(
        relationship_id=moved.relationship_id, state__in=(CState.OPEN, CState.MEDIATING)
    ).exists()
    if to == CState.RESOLVED and not still_open:
        health = RelationshipHealth.objects.filter(relationship_id=moved.relationship_id).first()
        if health is not None:
            clear_at_risk(health=health, kind=Risk.CONCERN, reason=str(_("The concern was resolved.")), actor=actor)
    return moved


@transaction.atomic
def concern_resolve(*, actor: User, concern: Concern, outcome: str) -> Concern:
    """open | mediating → resolved, with the outcome; the raiser is told."""
    return _close_concern(actor=actor, concern=concern, to=CState.RESOLVED, outcome=outcome)


@transaction.atomic
def concern_escalate(*, actor: User, concern: Concern, outcome: str) -> Concern:
    """open | mediating → escalated (to HR or the programme sponsor), with where and why."""
    return _close_concern(actor=actor, concern=concern, to=CState.ESCALATED, outcome=outcome)


# --- Resources -----------------------------------------------------------------------------------------------


def validate_upload(upload: UploadedFile) -> tuple[str, str]:
    """Size, extension and the file's own first bytes; returns (clean file name, content type)."""
    name = os.path.basename(upload.name or "").strip()
    extension = os.path.splitext(name)[1].lower()
    if extension not in RESOURCE_TYPES:
        allowed = ", ".join(sorted(RESOURCE_TYPES))
        raise DomainError(_("Files of this type cannot be shared; use one of %(types)s.") % {"types": allowed})
    if not upload.size:
        raise DomainError(_("The file is empty."))
    if upload.size > RESOURCE_MAX_BYTES:
        raise DomainError(_("The file is larger than %(mb)d MB.") % {"mb": RESOURCE_MAX_BYTES // (1024 * 1024)})
    content_type, magic = RESOURCE_TYPES[extension]
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if magic is not None and not head.startswith(magic):
        raise DomainError(_("The file's contents do not match its name (%(ext)s).") % {"ext": extension})
    if magic is None:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the 2,048th byte is still text.
            if exc.start < len(head) - 4:
                raise DomainError(_("A text file must be UTF-8 text.")) from exc
        if b"\x00" in head:
            raise DomainError(_("A text file must be UTF-8 text."))
    return name[:200], content_type


@dataclass(frozen=True)
class ResourceInput:
    title: str
    kind: str
    audience: str
    description: str = ""
    url: str = ""
    tags: tuple[str, ...] = ()
    upload: UploadedFile | None = None


@transaction.atomic
def resource_create(*, actor: User, programme: Programme, data: ResourceInput) -> Resource:
    """Add a link or a validated file to the programme's library (files go to the default storage)."""
    resource = Resource(
        programme=programme,
        title=data.title.strip(),
        description=data.description.strip(),
        kind=data.kind,
        audience=data.audience,
        tags=sorted({t.strip().lower() for t in data.tags if t.strip()}),
        created_by=actor,
    )
    if data.kind == Resource.Kind.LINK:
        resource.url = data.url.strip()
    else:
        if data.upload is None:
            raise DomainError(_("Choose a file to upload."))
        resource.filename, resource.content_type = validate_upload(data.upload)
        resource.size = data.upload.size or 0
        resource.file = data.upload
    resource.full_clean()
    resource.save()
    return resource


@transaction.atomic
def resource_delete(*, actor: User, resource: Resource) -> None:
    """Remove a resource and, after the commit, its stored file."""
    stored = resource.file.name if resource.file else ""
    storage = resource.file.storage if resource.file else None
    resource.delete()
    if stored and storage is not None:
        transaction.on_commit(lambda: storage.delete(stored))


# --- Muted reminders -----------------------------------------------------------------------------------------


@transaction.atomic
def notification_mutes_set(*, actor: User, kinds: Iterable[str]) -> list[str]:
    """Switch exactly these non-essential kinds off for the actor (and the others back on)."""
    wanted = set(kinds)
    unknown = wanted - set(dict(MUTABLE_KINDS))
    if unknown:
        raise DomainError(_("These reminders cannot be switched off."))
    NotificationMute.objects.filter(user=actor).exclude(kind__in=wanted).delete()
    have = set(NotificationMute.objects.filter(user=actor).values_list("kind", flat=True))
    NotificationMute.objects.bulk_create(
        [NotificationMute(user=actor, kind=kind) for kind in sorted(wanted - have)], ignore_conflicts=True
    )
    return sorted(wanted)
