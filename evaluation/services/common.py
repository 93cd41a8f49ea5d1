"""What every evaluation service shares: the domain error and the rules that fix metrics and baselines.

Three different moments fix three different things (the rule is stated once, here):

- **Metrics** are fixed from implementation on: people sign up to a programme that measures these.
- **Baselines** may be recorded until the programme leaves implementation, and for each person only while
  a baseline still means "before": a participant from the moment their application is accepted until
  their first relationship becomes active, a comparison-group member for as long as they are one
  (evaluation.selectors.GroupIndex says who is which). Applications arrive in implementation, so
  locking baselines at implementation (as before) left participants without any.
- **The comparison group** is drawn and frozen after screening, from people not enrolled; it may be frozen
  the first time at any moment before the programme leaves implementation, and refrozen only until the
  first outcome cycle (anything after the baseline) opens, when values to compare against start to arrive.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from programmes.core.errors import DomainError
from programmes.core.figures_cache import programme_data_changed
from programmes.models import LOCKED_FROM, Programme

Phase = Programme.Phase

# Phases from which no baseline may be recorded any more: the programme's measurement is over.
BASELINES_CLOSED_FROM = frozenset({Phase.EVALUATION, Phase.CLOSED})


class EvaluationError(DomainError):
    """An evaluation service refused; `message` says why, in words a coordinator can act on."""


def metrics_locked(programme: Programme) -> bool:
    """Metrics are fixed from implementation on, and when cancelled.

    On hold counts as the phase the programme left (a programme held during needs assessment can still
    get its metrics), as for the programme's policies.
    """
    return programme.phase == Phase.CANCELLED or programme.effective_phase in LOCKED_FROM


def baselines_locked(programme: Programme) -> bool:
    """No baseline of anyone may be recorded: the programme is in evaluation, closed or cancelled."""
    return programme.phase == Phase.CANCELLED or programme.effective_phase in BASELINES_CLOSED_FROM


def _lock(programme: Programme, *, metrics: bool) -> Programme:
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    phase = locked.get_phase_display().lower()
    if metrics and metrics_locked(locked):
        raise EvaluationError(
            _("The programme is in %(phase)s: its outcome metrics can no longer change.") % {"phase": phase}
        )
    if not metrics and baselines_locked(locked):
        raise EvaluationError(
            _("The programme is in %(phase)s: baselines and the comparison group can no longer change.")
            % {"phase": phase}
        )
    programme_data_changed(locked.pk)  # metrics, baselines or the comparison group change: the report shows them
    return locked


def lock_for_metrics(programme: Programme) -> Programme:
    """Lock the programme row for a metric write and refuse when metrics are fixed.

    The row lock serialises the write with the lifecycle's moves (which lock the same row).
    """
    return _lock(programme, metrics=True)


def lock_for_baselines(programme: Programme) -> Programme:
    """Lock the programme row for a baseline or comparison-group write; refuse once baselines are closed.

    Whether one person may still have a baseline is the caller's check (GroupIndex.baseline_group_of).
    """
    return _lock(programme, metrics=False)
