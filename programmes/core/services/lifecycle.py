"""The programme lifecycle: one service per move, each guarded and audited.

needs_assessment → planning → design → implementation → evaluation → closed, forward one step at a time
(`programme_advance`); `programme_put_on_hold` from any open phase and `programme_resume` back to the
phase it left; `programme_cancel` from anything not yet closed. Guards live in the registry
(programmes.core.lifecycle); every move writes an AuditEvent. Holding, resuming, cancelling and closing cascade
to the programme's relationships (programmes.core.services.cascades).
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.models import User
from programmes.core.figures_cache import programme_data_changed
from programmes.models import AuditEvent, Programme

from ..errors import DomainError, InvalidTransition, StaleTransition, TransitionBlocked
from ..lifecycle import FORWARD, blockers_for, next_phase

Phase = Programme.Phase


def audit_event_record(
    *,
    actor: User | None,
    obj: models.Model,
    from_state: str,
    to_state: str,
    reason: str = "",
    programme: Programme | None = None,
) -> AuditEvent:
    """Record one state change of any object (the shared audit trail of every state machine), and move the
    programme's data version on (programmes.core.figures_cache).

    `programme` defaults to the object itself when it is a programme, else to its `programme_id`.
    """
    if programme is None and isinstance(obj, Programme):
        programme = obj
    programme_id = programme.pk if programme is not None else getattr(obj, "programme_id", None)
    event = AuditEvent(
        actor=actor,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        programme_id=programme_id,
        from_state=from_state,
        to_state=to_state,
        reason=reason.strip(),
        at=timezone.now(),
    )
    event.full_clean()
    event.save()
    if programme_id is not None:
        programme_data_changed(programme_id)  # every audited change shows on the programme's pages
    return event


def _require_reason(reason: str) -> None:
    if not reason.strip():
        raise DomainError(_("Say why, so that the team and the audit trail know."))


def _locked(programme: Programme, expected_phase: str | None) -> Programme:
    """Lock the row for the move; refuse when it has moved since the person looked at it."""
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    if expected_phase and locked.phase != expected_phase:
        raise StaleTransition(
            _("The programme has moved to %(phase)s since you opened the page; nothing was changed.")
            % {"phase": locked.get_phase_display()}
        )
    return locked


def _move(*, actor: User, programme: Programme, original: Programme, to: str, reason: str) -> Programme:
    """Save the new phase, write the audit event and update the caller's instance too."""
    from_state = programme.phase
    programme.phase = to
    programme.full_clean()
    programme.save(update_fields=["phase", "phase_before_hold"])
    audit_event_record(actor=actor, obj=programme, from_state=from_state, to_state=to, reason=reason)
    original.phase, original.phase_before_hold = programme.phase, programme.phase_before_hold
    return programme


@transaction.atomic
def programme_advance(
    *, actor: User, programme: Programme, reason: str = "", expected_phase: str | None = None
) -> Programme:
    """Move the programme one phase forward, when every guard of that move is satisfied.

    Raises TransitionBlocked (with the blockers) when something is missing, InvalidTransition at the
    end of the path or while on hold or cancelled, StaleTransition when `expected_phase` is out of date.
    """
    locked = _locked(programme, expected_phase)
    target = next_phase(locked.phase)
    if target is None:
        raise InvalidTransition(
            _("A programme that is %(phase)s cannot move forward.") % {"phase": locked.get_phase_display().lower()}
        )
    blockers = blockers_for(locked, target)
    if blockers:
        label = Phase(target).label
        raise TransitionBlocked(_("The programme cannot move to %(phase)s yet.") % {"phase": label}, blockers)
    moved = _move(actor=actor, programme=locked, original=programme, to=target, reason=reason)
    if target == Phase.CLOSED:
        from .cascades import programme_cascade_end

        programme_cascade_end(actor=actor, programme=moved, anticipated=True, reason=str(_("The programme closed.")))
    return moved


@transaction.atomic
def programme_put_on_hold(
    *, actor: User, programme: Programme, reason: str, expected_phase: str | None = None
) -> Programme:
    """Pause an open programme; it remembers the phase it left and returns there on resume."""
    _require_reason(reason)
    locked = _locked(programme, expected_phase)
    if locked.phase not in FORWARD or locked.phase == Phase.CLOSED:
        raise InvalidTransition(
            _("A programme that is %(phase)s cannot be put on hold.") % {"phase": locked.get_phase_display().lower()}
        )
    locked.phase_before_hold = locked.phase
    moved = _move(actor=actor, programme=locked, original=programme, to=Phase.ON_HOLD, reason=reason)
    from .cascades import programme_cascade_hold  # the cascades use the moves that use audit_event_record

    programme_cascade_hold(actor=actor, programme=moved)
    return moved


@transaction.atomic
def programme_resume(
    *, actor: User, programme: Programme, reason: str = "", expected_phase: str | None = None
) -> Programme:
    """Return an on-hold programme to the phase it left (no guards: it had already got there)."""
    locked = _locked(programme, expected_phase)
    if locked.phase != Phase.ON_HOLD or not locked.phase_before_hold:
        raise InvalidTransition(_("Only a programme on hold can resume."))
    target = locked.phase_before_hold
    locked.phase_before_hold = ""
    held_at = (
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Programme), object_id=locked.pk, to_state=Phase.ON_HOLD
        )
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    moved = _move(actor=actor, programme=locked, original=programme, to=target, reason=reason)
    if held_at is not None:
        from .cascades import programme_cascade_resume

        programme_cascade_resume(actor=actor, programme=moved, held_at=held_at)
    return moved


@transaction.atomic
def programme_cancel(*, actor: User, programme: Programme, reason: str, expected_phase: str | None = None) -> Programme:
    """End a programme that has not closed; the reason is kept in the audit trail."""
    _require_reason(reason)
    locked = _locked(programme, expected_phase)
    if locked.phase in (Phase.CLOSED, Phase.CANCELLED):
        raise InvalidTransition(
            _("A programme that is %(phase)s cannot be cancelled.") % {"phase": locked.get_phase_display().lower()}
        )
    locked.phase_before_hold = ""
    moved = _move(actor=actor, programme=locked, original=programme, to=Phase.CANCELLED, reason=reason)
    from .cascades import programme_cascade_end

    programme_cascade_end(
        actor=actor,
        programme=moved,
        anticipated=False,
        reason=_("The programme was cancelled: %(reason)s") % {"reason": reason.strip()},
    )
    return moved
