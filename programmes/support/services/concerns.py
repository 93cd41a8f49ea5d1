"""Concerns and mediation: a member raises a concern, a coordinator mediates, resolves or escalates it."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.models import User
from programmes.core.errors import DomainError, InvalidTransition
from programmes.core.services.lifecycle import audit_event_record
from programmes.core.services.notifications import notification_create, notification_create_many
from programmes.core.states import can_log_sessions
from programmes.models import (
    Concern,
    Relationship,
    RelationshipHealth,
)
from programmes.support.services.support import (
    Risk,
    clear_at_risk,
    coordinators_of,
    flag_at_risk,
    health_for,
    member_for,
)

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
