"""Ongoing support: the health rollup and the at-risk flag, check-ins, coordinator contacts, coordinator tasks
and muted reminders (concerns are in services/concerns.py, the resource library in services/resources.py).

Every write here is a service (`<entity>_<verb>(*, actor, ...)`), atomic, validated, and audited where it
changes a state. Helpers shared with the session, closure and reminder services live here too: who the
members and the coordinators are, the relationship's health row, and which recipients muted a kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.models import User
from programmes.core.errors import DomainError, InvalidTransition
from programmes.core.figures_cache import programme_data_changed
from programmes.core.services.lifecycle import audit_event_record
from programmes.core.services.notifications import notification_create_many
from programmes.core.states import can_log_sessions
from programmes.models import (
    AuditEvent,
    CheckIn,
    CoordinatorContact,
    CoordinatorTask,
    NotificationMute,
    Programme,
    ProgrammeRole,
    Relationship,
    RelationshipHealth,
    RelationshipMember,
    SupportSettings,
)

from ..models.support import MUTABLE_KINDS, next_contact_due

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
    programme_data_changed(programme_id.get())


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
        programme_data_changed(relationship.programme_id)
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
    programme_data_changed(task.programme_id)
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
    programme_data_changed(checkin.programme_id)
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
    programme_data_changed(relationship.programme_id)
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
