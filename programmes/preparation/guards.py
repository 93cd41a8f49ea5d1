"""Orientation's gates: the matching pool waits for the required modules, implementation for modules to exist.

Registered from ProgrammesConfig.ready(), like the programmes app's own lifecycle guards.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from programmes.core.gates import register_pool_gate
from programmes.core.lifecycle import Blocker, register_guard
from programmes.models import AUDIENCE_FOR_ROLE, Enrolment, OrientationModule, Programme

from .services.orientation import required_left

Audience = OrientationModule.Audience


@register_pool_gate("orientation")
def orientation_done(enrolment: Enrolment) -> str | None:
    """An enrolment joins the matching pool only when its person finished every required module of their role."""
    audience = AUDIENCE_FOR_ROLE.get(enrolment.role)
    if audience is None:
        return None
    left = required_left(person_id=enrolment.person_id, programme_id=enrolment.programme_id, audience=audience)
    if not left:
        return None
    return ngettext(
        "Finish the orientation: %(n)d required module is left.",
        "Finish the orientation: %(n)d required modules are left.",
        left,
    ) % {"n": left}


@register_guard(name="orientation", entering=Programme.Phase.IMPLEMENTATION)
def orientation_for_each_role(programme: Programme) -> list[Blocker]:
    """Entering implementation needs at least one required module for mentors and one for mentees."""
    have = set(OrientationModule.objects.filter(programme=programme, required=True).values_list("audience", flat=True))
    url = reverse("programmes:orientation_manage", args=[programme.pk])
    blockers = []
    if Audience.MENTOR not in have:
        blockers.append(Blocker(_("Add at least one required orientation module for mentors."), url))
    if Audience.MENTEE not in have:
        blockers.append(Blocker(_("Add at least one required orientation module for mentees."), url))
    return blockers
