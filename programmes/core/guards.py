"""The programmes app's own lifecycle guards (registered from ProgrammesConfig.ready()).

Each guard returns what is missing as Blockers: a sentence a coordinator can act on and the page where
they can fix it. Other apps register theirs the same way (evaluation: outcome metrics with baselines).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from programmes.models import BusinessGoal, Programme, ProgrammeRole, ReadinessAssessment

from .lifecycle import Blocker, register_guard

Phase = Programme.Phase
Decision = ReadinessAssessment.Decision


@register_guard(name="readiness", leaving=Phase.NEEDS_ASSESSMENT)
def readiness_decided(programme: Programme) -> list[Blocker]:
    """Leaving needs assessment needs a readiness decision that is not "not ready"."""
    decision = ReadinessAssessment.objects.filter(programme=programme).values_list("decision", flat=True).first()
    url = reverse("programmes:readiness", args=[programme.pk])
    if not decision:
        return [Blocker(_("Record a readiness decision (go, or go with conditions)."), url)]
    if decision == Decision.NOT_READY:
        return [Blocker(_("The readiness decision is “not ready”: address the gaps and decide again."), url)]
    return []


@register_guard(name="business_goals", leaving=Phase.NEEDS_ASSESSMENT)
def has_business_goal(programme: Programme) -> list[Blocker]:
    """Leaving needs assessment needs at least one business goal."""
    if BusinessGoal.objects.filter(programme=programme).exists():
        return []
    return [Blocker(_("Name at least one business goal."), reverse("programmes:goals", args=[programme.pk]))]


@register_guard(name="coordinators", entering=Phase.IMPLEMENTATION)
def has_coordinator(programme: Programme) -> list[Blocker]:
    """Entering implementation needs a coordination team of at least one coordinator."""
    if ProgrammeRole.objects.filter(programme=programme, role=ProgrammeRole.Role.COORDINATOR).exists():
        return []
    return [Blocker(_("Add at least one coordinator to the team."), reverse("programmes:team", args=[programme.pk]))]


@register_guard(name="policies", entering=Phase.IMPLEMENTATION)
def policies_filled_in(programme: Programme) -> list[Blocker]:
    """Entering implementation needs every programme policy decided."""
    missing = programme.missing_policies()
    if not missing:
        return []
    message = _("Fill in the programme policies: %(missing)s.") % {"missing": ", ".join(missing)}
    return [Blocker(message, reverse("programmes:policies", args=[programme.pk]))]
