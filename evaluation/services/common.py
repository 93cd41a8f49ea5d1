"""What every evaluation service shares: the domain error and the rule that fixes baselines."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from programmes.errors import DomainError
from programmes.models import LOCKED_FROM, Programme

Phase = Programme.Phase


class EvaluationError(DomainError):
    """An evaluation service refused; `message` says why, in words a coordinator can act on."""


def baselines_locked(programme: Programme) -> bool:
    """Baselines, metrics and the comparison group are fixed from implementation on, and when cancelled.

    On hold counts as the phase the programme left (a programme held during needs assessment can still
    get its baselines), as for the programme's policies.
    """
    return programme.phase == Phase.CANCELLED or programme.effective_phase in LOCKED_FROM


def lock_for_baselines(programme: Programme) -> Programme:
    """Lock the programme row for a baseline write and refuse when baselines are fixed.

    The row lock serialises baseline writes with each other and with the lifecycle's moves (which lock
    the same row), so no value slips in after the programme has entered implementation.
    """
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    if baselines_locked(locked):
        raise EvaluationError(
            _("The programme is in %(phase)s: baselines, metrics and the comparison group can no longer change.")
            % {"phase": locked.get_phase_display().lower()}
        )
    return locked
