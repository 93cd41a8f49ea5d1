"""The moves of the state machine (programmes.core.states): where a relationship's or enrolment's state is saved.

Each move checks the transition table, saves the row, writes the AuditEvent and returns the row. The
named services (`relationship_hold`, `enrolment_withdraw`, …) lock the row, check who may act, call one
of these, and fire their side effects. `enrolment_seats_sync` is the capacity accounting every ending
shares: a mentor is `matched` exactly while their open relationships fill their capacity.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.models import User
from people.selectors import org_unit_paths
from programmes.core.figures_cache import programme_data_changed
from programmes.models import Enrolment, Relationship

from ..states import ENROLMENT_ACCEPTED, ENROLMENT_GONE, OPEN, check_enrolment_move, check_relationship_move
from .lifecycle import audit_event_record

EState = Enrolment.State


def relationship_move(*, actor: User | None, relationship: Relationship, to: str, reason: str = "") -> Relationship:
    """Move a (locked) relationship along the table, audited; InvalidTransition when the table has no such move."""
    check_relationship_move(relationship, to)
    from_state = relationship.state
    relationship.state = to
    relationship.state_changed_at = timezone.now()
    relationship.save(update_fields=["state", "state_changed_at"])
    programme_data_changed(relationship.programme_id)
    audit_event_record(actor=actor, obj=relationship, from_state=from_state, to_state=to, reason=reason)
    return relationship


def _freeze_org_unit(enrolment: Enrolment) -> None:
    """From its first acceptance on, the person counts in the unit they are in now (and under the units above
    it) in this programme's reports, wherever the HRIS moves them later; an enrolment of theirs in another role
    accepted earlier already fixed it for the programme."""
    earlier: tuple[int | None, Any] | None = (
        Enrolment.objects.filter(programme_id=enrolment.programme_id, person_id=enrolment.person_id)
        .filter(frozen_org_path__isnull=False)
        .exclude(pk=enrolment.pk)
        .values_list("frozen_org_unit_id", "frozen_org_path")
        .first()
    )
    if earlier is None:
        unit = enrolment.person.org_unit_id
        earlier = (unit, org_unit_paths([unit]).get(unit, []) if unit else [])
    enrolment.frozen_org_unit_id, enrolment.frozen_org_path = earlier


def enrolment_move(*, actor: User | None, enrolment: Enrolment, to: str, reason: str = "") -> Enrolment:
    """Move a (locked) enrolment along the table, audited; the reason is shown to the person when it ends."""
    check_enrolment_move(enrolment, to)
    from_state = enrolment.state
    enrolment.state = to
    enrolment.state_changed_at = timezone.now()
    if reason.strip() or to in ENROLMENT_GONE:
        enrolment.state_reason = reason.strip()
    if to in ENROLMENT_ACCEPTED and enrolment.frozen_org_path is None:
        _freeze_org_unit(enrolment)
    enrolment.full_clean()
    enrolment.save()
    programme_data_changed(enrolment.programme_id)
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
