"""A programme's phase drives its relationships, and an enrolment's withdrawal ends its relationships.

    programme on hold   every active relationship → on_hold (its reminders and check-ins stop)
    programme resumes   the relationships the hold paused → active (a pair that paused itself stays paused)
    programme cancelled every open relationship ends: proposals declined, the others closed with a Closure
                        (not anticipated, no rematch), seats released
    programme closed    the same, as a planned ending (anticipated)
    enrolment withdrawn proposals declined (a group keeps going while it has its smallest size); running
                        relationships closed with a Closure, the others' seats released, the partner
                        back in the pool

Each step goes through the state machine's moves (services.transitions, services.closure), so each writes
its AuditEvent. Called inside the programme's (or enrolment's) own transaction.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _

from people.models import User
from programmes.models import AuditEvent, Closure, Enrolment, Programme, Relationship
from programmes.support.services.activity import activity_figures_update

from ..states import CLOSABLE, ENROLMENT_GONE, OPEN
from .transitions import relationship_move

RState = Relationship.State


def _locked_relationships(programme: Programme, states: frozenset[str]) -> list[Relationship]:
    rows = Relationship.objects.select_for_update().filter(programme=programme, state__in=states)
    return list(rows.select_related("programme").order_by("pk"))


def programme_cascade_hold(*, actor: User, programme: Programme) -> int:
    """Pause every active relationship of a programme going on hold; returns how many."""
    reason = _("The programme is on hold.")
    rows = _locked_relationships(programme, frozenset({RState.ACTIVE}))
    for relationship in rows:
        relationship_move(actor=actor, relationship=relationship, to=RState.ON_HOLD, reason=reason)
    return len(rows)


def programme_cascade_resume(*, actor: User, programme: Programme, held_at: datetime) -> int:
    """Restore the relationships the programme's hold paused (moved to on_hold at or after `held_at`)."""
    kind = ContentType.objects.get_for_model(Relationship)
    paused = _locked_relationships(programme, frozenset({RState.ON_HOLD}))
    last_hold = dict(
        AuditEvent.objects.filter(content_type=kind, object_id__in=[r.pk for r in paused], to_state=RState.ON_HOLD)
        .order_by("object_id", "at")
        .values_list("object_id", "at")
    )
    reason = _("The programme resumed.")
    restored = [r for r in paused if last_hold.get(r.pk) is not None and last_hold[r.pk] >= held_at]
    for relationship in restored:
        relationship_move(actor=actor, relationship=relationship, to=RState.ACTIVE, reason=reason)
    # The pause was not silence: the inactivity clock restarts.
    resumed = Relationship.objects.filter(pk__in=[r.pk for r in restored])
    activity_figures_update(relationships=resumed, now=timezone.now(), restart=True)
    return len(restored)


def programme_cascade_end(*, actor: User, programme: Programme, anticipated: bool, reason: str) -> int:
    """End every open relationship of a cancelled (or closed) programme; returns how many ended."""
    from programmes.matching.services.relationships import relationship_withdraw_proposal
    from programmes.support.services.closure import relationship_close_begin, relationship_close_complete

    rows = _locked_relationships(programme, OPEN)
    for relationship in rows:
        if relationship.state == RState.PROPOSED:
            relationship_withdraw_proposal(actor=actor, relationship=relationship, reason=reason)
            continue
        if relationship.state in CLOSABLE:
            relationship_close_begin(
                actor=actor, relationship=relationship, reason=reason, anticipated=anticipated, is_coordinator=True
            )
        relationship_close_complete(actor=actor, relationship=relationship, rematch_eligible=False)
    return len(rows)


def enrolment_cascade_withdraw(*, actor: User, enrolment: Enrolment, reason: str) -> None:
    """A withdrawn enrolment's relationships: proposals declined for them, running ones closed."""
    from programmes.matching.services.relationships import relationship_decline_for_withdrawal
    from programmes.support.services.closure import relationship_close_begin, relationship_close_complete

    why = _("%(name)s withdrew from the programme.") % {"name": enrolment.person}
    if reason.strip():
        why = f"{why} {reason.strip()}"
    rows = (
        Relationship.objects.select_for_update()
        .filter(members__enrolment=enrolment, state__in=OPEN)
        .select_related("programme")
        .order_by("pk")
    )
    for relationship in rows:
        if relationship.state == RState.PROPOSED:
            relationship_decline_for_withdrawal(actor=actor, relationship=relationship, enrolment=enrolment)
            continue
        if _group_goes_on(relationship, enrolment):
            continue  # the sweeps skip the withdrawn member (they filter on the member's state)
        if relationship.state in CLOSABLE:
            relationship_close_begin(actor=actor, relationship=relationship, reason=why, is_coordinator=True)
        closure = relationship_close_complete(actor=actor, relationship=relationship)
        Closure.objects.filter(pk=closure.pk).update(reason=closure.reason or why)


def _group_goes_on(relationship: Relationship, leaver: Enrolment) -> bool:
    """A running group or circle keeps going when a taker leaves and it still has its smallest size."""
    if relationship.kind == Relationship.Kind.PAIR or leaver.is_mentor_side:
        return False
    takers = relationship.members.exclude(role__in=("mentor", "facilitator")).exclude(
        enrolment__state__in=ENROLMENT_GONE
    )
    return takers.count() >= (relationship.programme.group_size_min or 2)
