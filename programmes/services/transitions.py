"""The moves of the state machine (programmes.states): the one place a relationship's or enrolment's state is saved.

Each move checks the transition table, saves the row, writes the AuditEvent and returns the row. The
named services (`relationship_hold`, `enrolment_withdraw`, …) lock the row, check who may act, call one
of these, and fire their side effects. `enrolment_seats_sync` is the capacity accounting every ending
shares: a mentor is `matched` exactly while their open relationships fill their capacity.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.models import User

from ..models import Enrolment, Relationship
from ..states import ENROLMENT_GONE, OPEN, check_enrolment_move, check_relationship_move
from .lifecycle import audit_event_record

EState = Enrolment.State


def relationship_move(*, actor: User | None, relationship: Relationship, to: str, reason: str = "") -> Relationship:
    """Move a (locked) relationship along the table, audited; InvalidTransition when the table has no such move."""
    check_relationship_move(relationship, to)
    from_state = relationship.state
    relationship.state = to
    relationship.state_changed_at = timezone.now()
    relationship.save(update_fields=["state", "state_changed_at"])
    audit_event_record(actor=actor, obj=relationship, from_state=from_state, to_state=to, reason=reason)
    return relationship


def enrolment_move(*, actor: User | None, enrolment: Enrolment, to: str, reason: str = "") -> Enrolment:
    """Move a (locked) enrolment along the table, audited; the reason is shown to the person when it ends."""
    check_enrolment_move(enrolment, to)
    from_state = enrolment.state
    enrolment.state = to
    enrolment.state_changed_at = timezone.now()
    if reason.strip() or to in ENROLMENT_GONE:
        enrolment.state_reason = reason.strip()
    enrolment.full_clean()
    enrolment.save()
    audit_event_record(actor=actor, obj=enrolment, from_state=from_state, to_state=to, reason=reason)
    return enrolment


def open_relationships_of(enrolment: Enrolment, *, exclude: Relationship | None = None) -> QuerySet[Relationship]:
    """The relationships that hold a place of this enrolment."""
    rows = Relationship.objects.filter(members__enrolment=enrolment, state__in=OPEN)
    if exclude is not None:
        rows = rows.exclude(pk=exclude.pk)
    return rows.distinct()


def enrolment_seats_sync(*, actor: User | None, enrolment: Enrolment, reason: str = "") -> Enrolment:
    """A mentor (or facilitator) is matched while their open relationships fill their capacity, else available.

    Called after anything that frees or takes a seat (a decline, a member leaving, a closure), so a mentor
    whose other proposal was declined is back in the pool with the seat it freed. The caller holds the row lock.
    """
    if not enrolment.is_mentor_side or enrolment.state not in (EState.AVAILABLE, EState.MATCHED):
        return enrolment
    full = open_relationships_of(enrolment).count() >= enrolment.effective_capacity()
    target = EState.MATCHED if full else EState.AVAILABLE
    if target == enrolment.state:
        return enrolment
    why = reason or str(_("Every seat is taken.") if full else _("A seat became free."))
    return enrolment_move(actor=actor, enrolment=enrolment, to=target, reason=why)
