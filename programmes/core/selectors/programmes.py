"""Queries that feed programme pages, the home page and the navigation."""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    Avg,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.models import Competency, User
from people.selectors import org_unit_children, org_unit_ids_with_descendants, org_units_below
from programmes.models import (
    AuditEvent,
    BusinessGoal,
    Enrolment,
    NeedsSurvey,
    Notification,
    Programme,
    ProgrammeRole,
    SurveyAnswer,
    SurveyInvitation,
)

Phase = Programme.Phase


@dataclass
class UserRoles:
    """Every role one person holds, for the navigation and the home page (two queries)."""

    coordinates: list[Programme] = field(default_factory=list)
    analyses: list[Programme] = field(default_factory=list)
    enrolments: list[Enrolment] = field(default_factory=list)
    is_hr_analyst: bool = False
    is_site_admin: bool = False

    @property
    def is_coordinator(self) -> bool:
        return self.is_site_admin or bool(self.coordinates)

    @property
    def is_participant(self) -> bool:
        return bool(self.enrolments)

    @property
    def is_mentor(self) -> bool:
        return any(e.role in (Enrolment.Role.MENTOR, Enrolment.Role.FACILITATOR) for e in self.enrolments)

    @property
    def is_mentee(self) -> bool:
        return any(e.role in (Enrolment.Role.MENTEE, Enrolment.Role.PEER) for e in self.enrolments)

    @property
    def sees_reports(self) -> bool:
        return self.is_hr_analyst or bool(self.analyses) or self.is_site_admin


def roles_for_user(*, user: User) -> UserRoles:
    """The programmes a person coordinates or analyses, and their own enrolments."""
    roles = UserRoles(is_hr_analyst=user.is_hr_analyst, is_site_admin=user.is_site_admin)
    for staff in ProgrammeRole.objects.filter(user=user).select_related("programme"):
        target = roles.coordinates if staff.role == ProgrammeRole.Role.COORDINATOR else roles.analyses
        target.append(staff.programme)
    roles.enrolments = list(
        Enrolment.objects.filter(person=user).exclude(state=Enrolment.State.WITHDRAWN).select_related("programme")
    )
    return roles


def programme_list_for_user(*, user: User) -> QuerySet[Programme]:
    """The programmes a person may see: all for site admins and HR analysts, else their own."""
    programmes = Programme.objects.all()
    if user.is_site_admin or user.is_hr_analyst:
        return programmes.order_by("name")
    return (
        programmes.filter(Q(staff_roles__user=user) | Q(enrolments__person=user, enrolments__state__in=_ACTIVE_STATES))
        .distinct()
        .order_by("name")
    )


_ACTIVE_STATES = [s for s in Enrolment.State.values if s != Enrolment.State.WITHDRAWN]


def _due(user_id: int, now: datetime) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_id=user_id, due_at__lte=now)


def notification_list_for_user(*, user: User) -> QuerySet[Notification]:
    """A person's in-app notifications that are due, newest first."""
    return _due(user.pk, timezone.now()).order_by("-due_at")


def unread_notification_count(*, user: User) -> int:
    """How many due notifications the person has not read."""
    return _due(user.pk, timezone.now()).filter(read_at__isnull=True).count()


def unread_count_subquery(user_id: int, now: datetime) -> Coalesce:
    """`unread_notification_count` as an expression, so that a page's first query can carry it
    (programmes.access_pages: the guarded page's programme)."""
    unread = _due(user_id, now).filter(read_at__isnull=True).order_by().values("recipient_id")
    return Coalesce(Subquery(unread.annotate(unread=Count("pk")).values("unread")), 0)


def unread_count_for_request(request: HttpRequest) -> int:
    """The signed-in reader's unread count, read once per request (the navigation shows it, and a kept page's
    key holds it: mentoring.page_cache), unless the page's first query already brought it
    (`remember_unread_count`)."""
    if not hasattr(request, "_unread_count"):
        remember_unread_count(request, unread_notification_count(user=request.user))  # type: ignore[arg-type]
    return int(request._unread_count)  # type: ignore[attr-defined]


def remember_unread_count(request: HttpRequest, count: int) -> None:
    """The reader's unread count, read by another query of this request (`unread_count_subquery`)."""
    request._unread_count = count  # type: ignore[attr-defined]


# --- Programme design: the stepper, the team, goals, the needs survey and its heatmap. ---

SUPPRESS_BELOW = 5  # cells answered by fewer people are never shown (re-identification risk)


@dataclass(frozen=True)
class Step:
    """One phase of the stepper: done (with when and by whom it was left), current, or still to come."""

    phase: str
    label: str
    status: str  # "done", "current" or "todo"
    entered: AuditEvent | None = None
    left: AuditEvent | None = None


@dataclass
class Stepper:
    """The forward phases with their history, and every lifecycle event (holds, cancellation, reasons)."""

    steps: list[Step]
    events: list[AuditEvent]
    on_hold: bool
    cancelled: bool


def programme_stepper(*, programme: Programme) -> Stepper:
    """The programme's phase history from its audit events, in one query."""
    from programmes.core.lifecycle import FORWARD

    events = list(
        AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Programme), object_id=programme.pk
        ).select_related("actor")
    )
    current = programme.effective_phase
    if current not in FORWARD:  # cancelled: the last forward phase it reached
        reached = [e.to_state for e in events if e.to_state in FORWARD]
        current = reached[-1] if reached else FORWARD[0]
    index = FORWARD.index(current)
    steps = []
    for i, phase in enumerate(FORWARD):
        entered = next((e for e in reversed(events) if e.to_state == phase and e.from_state != Phase.ON_HOLD), None)
        left = next((e for e in reversed(events) if e.from_state == phase and e.to_state in FORWARD), None)
        status = "done" if i < index else "current" if i == index else "todo"
        steps.append(Step(phase, str(Phase(phase).label), status, entered, left if status == "done" else None))
    return Stepper(steps, events, programme.phase == Phase.ON_HOLD, programme.phase == Phase.CANCELLED)


def programme_team(*, programme: Programme) -> list[ProgrammeRole]:
    """The programme's staff roles with their people, coordinators first."""
    return list(
        ProgrammeRole.objects.filter(programme=programme).select_related("user").order_by("role", "user__full_name")
    )


def business_goal_list_for_programme(*, programme: Programme) -> QuerySet[BusinessGoal]:
    """The programme's business goals, highest priority first, with their owners."""
    return BusinessGoal.objects.filter(programme=programme).select_related("owner").order_by("priority", "pk")


def people_search(*, query: str, limit: int = 20) -> list[User]:
    """Active people whose name or e-mail contains `query` (at least two characters), for pickers."""
    query = query.strip()
    if len(query) < 2:
        return []
    found = User.objects.filter(Q(full_name__icontains=query) | Q(email__icontains=query), is_active=True)
    return list(found.select_related("org_unit").order_by("full_name")[:limit])


def org_unit_rollup(unit_ids: Iterable[int]) -> dict[int, int]:
    """Map every unit under the given units to the reporting unit a heatmap row stands for.

    A survey of a division reports by its departments: each unit below a chosen unit counts under the
    chosen unit's direct child it sits in (a team under its department); people in the chosen unit itself
    count under it. Rows of whole departments are what a coordinator acts on, and they keep cells above
    the suppression threshold where team rows would not.
    """
    children = org_unit_children()
    rollup: dict[int, int] = {}
    for unit in unit_ids:
        rollup.setdefault(unit, unit)
        for child in children.get(unit, []):
            for below in org_units_below([child], children):
                rollup.setdefault(below, child)
    return rollup


def survey_population(*, survey: NeedsSurvey) -> QuerySet[User]:
    """Who the survey's rule selects: people in its units (with sub-units) and grades, plus its e-mail list.

    Units and grades narrow each other when both are given; the e-mail list adds people. People who are
    inactive or have left are never asked.
    """
    unit_ids = org_unit_ids_with_descendants(survey.org_units.values_list("pk", flat=True))
    rule = Q()
    if unit_ids:
        rule &= Q(org_unit_id__in=unit_ids)
    if survey.grades:
        rule &= Q(grade__in=survey.grades)
    selected = rule if (unit_ids or survey.grades) else Q(pk__in=[])
    emails = parse_emails(survey.emails)
    if emails:
        selected |= Q(email__in=emails)
    today = timezone.localdate()
    return (
        User.objects.filter(selected, is_active=True)
        .filter(Q(left_date__isnull=True) | Q(left_date__gt=today))
        .order_by("pk")
    )


def parse_emails(text: str) -> list[str]:
    """E-mail addresses from free text: one a line, or separated by commas, semicolons or spaces."""
    return sorted({part.strip().lower() for part in re.split(r"[\s,;]+", text or "") if part.strip()})


def needs_survey_list_for_programme(*, programme: Programme) -> QuerySet[NeedsSurvey]:
    """The programme's needs surveys, newest first, with invitation and response counts."""
    return NeedsSurvey.objects.filter(programme=programme).annotate(
        invited=Count("invitations", distinct=True),
        responded=Count("invitations", filter=Q(invitations__state=SurveyInvitation.State.RESPONDED), distinct=True),
    )


@dataclass(frozen=True)
class GapCell:
    """One heatmap cell: mean gap (needed − current) and how many answered; value hidden when suppressed.

    `withheld`: large enough, but hidden so that the column's total cannot give away a small cell.
    """

    n: int
    mean_gap: float | None
    withheld: bool = False

    @property
    def suppressed(self) -> bool:
        return self.n < SUPPRESS_BELOW or self.withheld

    @property
    def css_class(self) -> str:
        """A colour step from the fixed scale .heat-0 (no gap) … .heat-5 (more than two levels)."""
        if self.suppressed or self.mean_gap is None:
            return "heat-suppressed"
        return f"heat-{min(5, max(0, math.ceil(self.mean_gap / 0.5)))}"


@dataclass(frozen=True)
class GapRow:
    unit_name: str
    cells: list[GapCell]


@dataclass(frozen=True)
class RankedCompetency:
    competency: Competency
    n: int
    total_gap: int
    mean_gap: float

    @property
    def suppressed(self) -> bool:
        return self.n < SUPPRESS_BELOW


@dataclass
class GapHeatmap:
    """Org unit × competency mean gaps, and the competencies ranked by total gap."""

    competencies: list[Competency]
    rows: list[GapRow]
    ranking: list[RankedCompetency]
    respondents: int


def _protect_column(cells: list[GapCell]) -> list[GapCell]:
    """Complementary suppression down one competency's column.

    The ranking shows the column's total (n and total gap), so the hidden cells' sum is the total minus
    the shown cells: with one small cell hidden, that is its value. While the hidden cells hold fewer than
    SUPPRESS_BELOW people together, the smallest shown cell is hidden too, so any sum an attacker can form
    covers at least that many people.
    """
    cells = list(cells)
    while 0 < sum(c.n for c in cells if c.n and c.suppressed) < SUPPRESS_BELOW:
        shown = [i for i, c in enumerate(cells) if c.n and not c.suppressed]
        if not shown:
            break  # everything is hidden already (the total itself is then under the threshold too)
        smallest = min(shown, key=lambda i: (cells[i].n, i))
        cells[smallest] = GapCell(cells[smallest].n, cells[smallest].mean_gap, withheld=True)
    return cells


def survey_gap_heatmap(*, survey: NeedsSurvey) -> GapHeatmap:
    """Aggregate the survey's answers in the database: three queries however many people answered."""
    competencies = list(survey.competencies.order_by("name"))
    answers = SurveyAnswer.objects.filter(invitation__survey=survey)
    gap = ExpressionWrapper(F("needed_level") - F("current_level"), output_field=IntegerField())
    cells = (
        answers.values("invitation__org_unit_id", "invitation__org_unit__name", "competency_id")
        .annotate(n=Count("pk"), mean_gap=Avg(gap, output_field=FloatField()))
        .order_by()
    )
    by_unit: dict[int | None, dict[int, GapCell]] = defaultdict(dict)
    names: dict[int | None, str] = {}
    for cell in cells:
        unit = cell["invitation__org_unit_id"]
        names[unit] = cell["invitation__org_unit__name"] or str(_("No org unit"))
        by_unit[unit][cell["competency_id"]] = GapCell(cell["n"], cell["mean_gap"])
    empty = GapCell(0, None)
    order = sorted(by_unit, key=lambda u: names[u].lower())
    columns = [_protect_column([by_unit[unit].get(c.pk, empty) for unit in order]) for c in competencies]
    rows = [GapRow(names[unit], [column[i] for column in columns]) for i, unit in enumerate(order)]
    totals = {
        row["competency_id"]: row
        for row in answers.values("competency_id")
        .annotate(n=Count("pk"), total_gap=Sum(gap), mean_gap=Avg(gap, output_field=FloatField()))
        .order_by()
    }
    ranking = sorted(
        (
            RankedCompetency(c, totals[c.pk]["n"], totals[c.pk]["total_gap"] or 0, totals[c.pk]["mean_gap"] or 0.0)
            for c in competencies
            if c.pk in totals
        ),
        key=lambda r: (-r.total_gap, r.competency.name),
    )
    respondents = max((r.n for r in ranking), default=0)
    return GapHeatmap(competencies, rows, ranking, respondents)
