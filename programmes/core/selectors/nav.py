"""The programme hub: one row of section tabs per role, the same on every page of a programme.

Coordinators get the whole life of the programme (design, enrolment, matching, preparation, running,
evaluation); HR analysts the overview and the outcome report; mentors and mentees the overview, orientation
and resources (their relationship's own hub links everything else). Two queries.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from people.models import User
from programmes.core.states import ENROLMENT_GONE
from programmes.models import Enrolment, Programme, ProgrammeRole


@dataclass(frozen=True)
class Tab:
    section: str
    label: str | Promise
    url: str


def _url(name: str, programme: Programme) -> str:
    try:
        return reverse(name, args=[programme.pk])
    except NoReverseMatch:  # the evaluation app's pages, when it is not installed
        return ""


def programme_tabs_for(*, user: User, programme: Programme) -> list[Tab]:
    """The section tabs this person sees on the programme's pages."""
    roles = set(ProgrammeRole.objects.filter(programme=programme, user_id=user.pk).values_list("role", flat=True))
    coordinates = user.is_site_admin or ProgrammeRole.Role.COORDINATOR in roles
    analyses = user.is_hr_analyst or bool(roles - {ProgrammeRole.Role.COORDINATOR})
    overview = Tab("overview", _("Overview"), programme.get_absolute_url())
    if coordinates:
        sections = [
            overview,
            Tab("design", _("Design"), _url("programmes:goals", programme)),
            Tab("enrolment", _("Enrolment and matching"), _url("programmes:enrolment_list", programme)),
            Tab("preparation", _("Preparation"), _url("programmes:preparation", programme)),
            Tab("running", _("Running"), _url("programmes:dashboard", programme)),
            Tab("evaluation", _("Evaluation"), _url("evaluation:metrics", programme)),
        ]
    elif analyses:
        sections = [overview, Tab("evaluation", _("Outcome report"), _url("evaluation:report", programme))]
    else:
        enrolled = (
            Enrolment.objects.filter(programme=programme, person_id=user.pk).exclude(state__in=ENROLMENT_GONE).exists()
        )
        sections = [overview]
        if enrolled:
            sections += [
                Tab("orientation", _("Orientation"), _url("programmes:orientation", programme)),
                Tab("resources", _("Resources"), _url("programmes:resources", programme)),
            ]
    return [tab for tab in sections if tab.url]
