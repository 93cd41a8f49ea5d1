"""The one way a cycle changes state: a conditional UPDATE on the state it leaves, so it moves once.

Below both the cycle services (evaluation.services.cycles) and the outcome computation, which marks a
closed cycle analysed once its results are current (evaluation.services.results).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.core.services.lifecycle import audit_event_record

from ..models import EvaluationCycle
from .common import EvaluationError

State = EvaluationCycle.State


def cycle_move(cycle_id: int, *, source: str, target: str, stamp: str) -> EvaluationCycle | None:
    """Move a cycle from `source` to `target` if it is still in `source`; the cycle, or None if it was not."""
    now = timezone.now()
    moved = EvaluationCycle.objects.filter(pk=cycle_id, state=source).update(state=target, **{stamp: now})
    if not moved:
        return None
    return EvaluationCycle.objects.select_related("programme").get(pk=cycle_id)


def wrong_state(cycle: EvaluationCycle, wanted: str) -> EvaluationError:
    current = EvaluationCycle.objects.filter(pk=cycle.pk).values_list("state", flat=True).first() or ""
    label = State(current).label.lower() if current else "?"
    return EvaluationError(
        _("This cycle is %(state)s, not %(wanted)s; nothing was changed.")
        % {"state": label, "wanted": State(wanted).label.lower()}
    )


@transaction.atomic
def cycle_mark_analysed(*, cycle: EvaluationCycle) -> EvaluationCycle | None:
    """A closed cycle whose results are all current becomes analysed (the outcome task calls this)."""
    analysed = cycle_move(cycle.pk, source=State.CLOSED, target=State.ANALYSED, stamp="analysed_at")
    if analysed is not None:
        audit_event_record(actor=None, obj=analysed, from_state=State.CLOSED, to_state=State.ANALYSED)
    return analysed
