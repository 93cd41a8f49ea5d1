"""Readiness gates of the matching pool: an enrolment joins the pool only when every gate passes.

A gate looks at one enrolment and returns what still keeps it out of the pool, as a sentence the person
(or their coordinator) can act on, or None when it passes. Other features register their own gate from
their AppConfig.ready() or module import; the orientation feature adds "required modules done":

    @register_pool_gate("orientation")
    def orientation_done(enrolment: Enrolment) -> str | None: ...

Gates run in registration order; re-registering a name replaces the gate.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from programmes.models import Enrolment, EnrolmentCompetency

PoolGate = Callable[[Enrolment], "str | None"]

_POOL_GATES: dict[str, PoolGate] = {}


def register_pool_gate(name: str) -> Callable[[PoolGate], PoolGate]:
    """Register `func(enrolment) -> str | None` as the pool gate called `name`."""

    def decorator(func: PoolGate) -> PoolGate:
        _POOL_GATES[name] = func
        return func

    return decorator


def unregister_pool_gate(name: str) -> None:
    """Remove a gate (tests that register a temporary one clean up with this)."""
    _POOL_GATES.pop(name, None)


def pool_gate_names() -> list[str]:
    return list(_POOL_GATES)


def pool_blockers(enrolment: Enrolment) -> list[str]:
    """Everything that keeps this enrolment out of the matching pool now (empty when it may join)."""
    blockers: list[str] = []
    for gate in _POOL_GATES.values():
        message = gate(enrolment)
        if message:
            blockers.append(str(message))
    return blockers


@register_pool_gate("screened")
def screened(enrolment: Enrolment) -> str | None:
    """Only accepted (or oriented, or already available) applications join the pool."""
    ready = (Enrolment.State.ACCEPTED, Enrolment.State.ORIENTED, Enrolment.State.AVAILABLE)
    if enrolment.state in ready:
        return None
    return _("The application is %(state)s; only accepted applications join the matching pool.") % {
        "state": enrolment.get_state_display().lower()
    }


@register_pool_gate("profile")
def profile_complete(enrolment: Enrolment) -> str | None:
    """The matcher needs something to match on: competencies, availability and a language."""
    if not EnrolmentCompetency.objects.filter(enrolment=enrolment).exists():
        if enrolment.is_mentor_side:
            return _("Add at least one competency you can offer.")
        return _("Add at least one competency you want to develop.")
    if not enrolment.availability:
        return _("Mark when you are available in the weekly grid.")
    if not enrolment.effective_languages():
        return _("Add at least one language you can mentor in.")
    return None
