"""The programme lifecycle's guard registry.

A guard answers "what is still missing before this programme may make this move?" as a list of
Blockers, each a sentence a coordinator can act on and a link to where to fix it. Guards that belong to
another app register themselves here from that app's AppConfig.ready() (the evaluation app contributes
the baseline guard), so `programmes` never imports `evaluation`.

    @register_guard(leaving=Programme.Phase.NEEDS_ASSESSMENT, name="baselines")
    def metrics_have_baselines(programme: Programme) -> list[Blocker]: ...

`leaving=` guards run for every move out of that phase (except to on_hold/cancelled, which are always
allowed); `entering=` guards run for every move into that phase.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

from programmes.models import Programme

Phase = Programme.Phase

# The forward path; on_hold returns to the phase it left, cancelled ends it.
FORWARD: tuple[str, ...] = (
    Phase.NEEDS_ASSESSMENT,
    Phase.PLANNING,
    Phase.DESIGN,
    Phase.IMPLEMENTATION,
    Phase.EVALUATION,
    Phase.CLOSED,
)
ALWAYS_ALLOWED: frozenset[str] = frozenset({Phase.ON_HOLD, Phase.CANCELLED})


@dataclass(frozen=True)
class Blocker:
    """One missing condition: what is missing, in words, and where to fix it."""

    message: str | Promise
    fix_url: str = ""
    guard: str = ""


GuardFunc = Callable[[Programme], list[Blocker]]


@dataclass(frozen=True)
class _Guard:
    name: str
    leaving: str | None
    entering: str | None
    func: GuardFunc


_GUARDS: dict[str, _Guard] = {}


def register_guard(
    *, name: str, leaving: str | None = None, entering: str | None = None
) -> Callable[[GuardFunc], GuardFunc]:
    """Register a guard for moves out of `leaving` and/or into `entering`. Re-registering a name replaces it."""
    if (leaving is None) == (entering is None):
        raise ValueError("A guard names exactly one of leaving= or entering=.")

    def decorator(func: GuardFunc) -> GuardFunc:
        _GUARDS[name] = _Guard(name=name, leaving=leaving, entering=entering, func=func)
        return func

    return decorator


def guards_for(source: str, target: str) -> list[str]:
    """The names of the guards that apply to a move from `source` to `target`, in registration order."""
    if target in ALWAYS_ALLOWED:
        return []
    return [g.name for g in _GUARDS.values() if g.leaving == source or g.entering == target]


def blockers_for(programme: Programme, target: str) -> list[Blocker]:
    """Everything that stops `programme` from moving to `target` now (empty when the move may go ahead)."""
    blockers: list[Blocker] = []
    for name in guards_for(programme.phase, target):
        guard = _GUARDS[name]
        blockers.extend(Blocker(b.message, b.fix_url, b.guard or name) for b in guard.func(programme))
    return blockers


def next_phase(phase: str) -> str | None:
    """The next phase on the forward path, or None at the end (and for on_hold/cancelled)."""
    if phase not in FORWARD:
        return None
    index = FORWARD.index(phase)
    return FORWARD[index + 1] if index + 1 < len(FORWARD) else None
