"""The coordinator's dashboard of one programme: what needs them today, and how the programme is going.

A fixed number of queries whatever the size of the programme: each list is one indexed query with a limit
and one count, the members of every listed relationship come in one more query, and the monthly figures
are two aggregates (sessions, check-ins) kept in the cache until a session or check-in changes
(programmes.core.figures_cache). The lists read the RelationshipHealth rollup that the
services and the hourly support sweep keep, never a scan of sessions.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Avg, Case, Count, Q, QuerySet, Sum, When
from django.utils import formats, timezone

from people.figures import machine
from programmes.core.figures_cache import Compute, cached_per_programme, programme_figures
from programmes.home.selectors.figures import (
    agreements_waiting,
    cadence_days,
    orientation_figures,
    relationships_at_risk,
    relationships_contact_due_between,
    relationships_contact_overdue,
)
from programmes.models import (
    CheckIn,
    Concern,
    CoordinatorTask,
    MentoringSession,
    Programme,
    Relationship,
    RelationshipMember,
)

LIMIT = 25
MONTHS = 12
RState = Relationship.State


@dataclass
class Listed:
    """One row of a dashboard list: the object, and the names of the people in its relationship."""

    obj: Any
    people: str = ""


SECTIONS = ("at_risk", "overdue_contacts", "open_concerns", "unsigned", "pending_proposals", "tasks")


@dataclass
class Section:
    """A list on the dashboard: a page of LIMIT rows (the first by default) and how many there are in all."""

    rows: list[Listed]
    total: int
    page: int = 1
    key: str = ""
    previous_query: str | None = None  # set by the view, which knows the request
    next_query: str | None = None

    @property
    def more(self) -> int:
        return max(self.total - (self.page - 1) * LIMIT - len(self.rows), 0)

    @property
    def has_next(self) -> bool:
        return self.more > 0


def _section(queryset: QuerySet[Any], page: int = 1) -> Section:
    """Two queries, whatever the data or the page (a count skipped for short lists would make the cost depend on
    it); a page past the end shows the last one."""
    total = queryset.count()
    page = max(1, min(page, -(-total // LIMIT) or 1))
    start = (page - 1) * LIMIT
    return Section([Listed(obj) for obj in queryset[start : start + LIMIT]], total, page)


@dataclass
class MonthRow:
    month: date
    label: str
    sessions: int = 0
    minutes: int = 0
    expected: float = 0.0
    satisfaction: float | None = None
    progress: float | None = None
    answers: int = 0


@dataclass
class Dashboard:
    programme: Programme
    at_risk: Section
    overdue_contacts: Section
    contacts_due_soon: int
    open_concerns: Section
    unsigned: Section
    pending_proposals: Section
    tasks: Section
    by_state: list[tuple[str, str, int]]
    months: list[MonthRow]
    oriented: int
    to_orient: int

    @property
    def orientation_percent(self) -> int | None:
        total = self.oriented + self.to_orient
        return int(machine(100 * self.oriented / total, 0) or 0) if total else None

    def chart_data(self) -> dict[str, Any]:
        """What static/js/dashboard.js draws (json_script): one label per month and a series per line."""
        return {
            "labels": [m.label for m in self.months],
            "sessions": [m.sessions for m in self.months],
            # Rounded by people.figures exactly as the tables beside the charts show them.
            "expected": [machine(m.expected, 1) for m in self.months],
            "satisfaction": [machine(m.satisfaction, 1) for m in self.months],
            "progress": [machine(m.progress, 1) for m in self.months],
        }


def _month_starts(today: date) -> list[date]:
    first = today.replace(day=1)
    months = [first]
    for _ in range(MONTHS - 1):
        first = (first - timedelta(days=1)).replace(day=1)
        months.append(first)
    return months[::-1]


def _bounds(starts: list[date]) -> list[tuple[datetime, datetime]]:
    """Each month as [start, next start) in the current time zone, as aware datetimes."""
    edges = [*starts, (starts[-1] + timedelta(days=32)).replace(day=1)]
    aware = [timezone.make_aware(datetime.combine(day, datetime.min.time())) for day in edges]
    return list(itertools.pairwise(aware))


def _months(programme: Programme, today: date, active: int) -> list[MonthRow]:
    """Sessions held and check-ins answered per month, from the programme's kept figures."""
    starts = _month_starts(today)
    cadence = cadence_days(programme)
    rows = [MonthRow(start, formats.date_format(start, "M Y"), expected=active * 30 / cadence) for start in starts]
    # The months' bounds depend on the day and the reader's time zone: both are part of the variant.
    variant = f"{today.isoformat()}|{timezone.get_current_timezone_name()}"
    sessions, checkins = cached_per_programme("dashboard-months", [programme.pk], variant=variant)[programme.pk]
    for i, row in enumerate(rows):
        row.sessions, row.minutes = sessions[f"n{i}"] or 0, sessions[f"m{i}"] or 0
        row.answers = checkins[f"n{i}"] or 0
        row.satisfaction = _rounded(checkins[f"s{i}"])
        row.progress = _rounded(checkins[f"p{i}"])
    return rows


@programme_figures("dashboard-months")
def _month_figures(programme_ids: list[int], variant: str) -> dict[int, tuple[dict[str, Any], dict[str, Any]]]:
    day, zone = variant.split("|", 1)
    with timezone.override(zone):
        bounds = _bounds(_month_starts(date.fromisoformat(day)))
    return {pk: _month_aggregates(pk, bounds) for pk in programme_ids}


def _month_aggregates(
    programme_id: int, bounds: list[tuple[datetime, datetime]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Two queries of per-month filtered aggregates over every session and check-in of the programme.

    Ranges on the indexed timestamps rather than TruncMonth, which SQLite computes in Python for each row.
    They read the programme's whole history, hence the cache (programmes.core.figures_cache).
    """
    session_aggregates: dict[str, Any] = {}
    checkin_aggregates: dict[str, Any] = {}
    for i, (low, high) in enumerate(bounds):
        in_session_month = Q(held_at__gte=low, held_at__lt=high)
        session_aggregates[f"n{i}"] = Count("pk", filter=in_session_month)
        session_aggregates[f"m{i}"] = Sum("minutes", filter=in_session_month)
        in_checkin_month = Q(answered_at__gte=low, answered_at__lt=high)
        checkin_aggregates[f"n{i}"] = Count("pk", filter=in_checkin_month)
        checkin_aggregates[f"s{i}"] = Avg("satisfaction", filter=in_checkin_month)
        checkin_aggregates[f"p{i}"] = Avg("progress", filter=in_checkin_month)
    since, until = bounds[0][0], bounds[-1][1]
    sessions = MentoringSession.objects.filter(
        programme_id=programme_id, status=MentoringSession.Status.HELD, held_at__gte=since, held_at__lt=until
    ).aggregate(**session_aggregates)
    checkins = CheckIn.objects.filter(
        programme_id=programme_id, answered_at__gte=since, answered_at__lt=until
    ).aggregate(**checkin_aggregates)
    return sessions, checkins


def _cached_section(name: str, programme: Programme, page: int = 1, today: date | None = None) -> Section:
    """A list that reads every running pair of the programme (an expression per pair: last activity, next
    contact, the latest agreement version): its first page is kept with the programme's figures
    (programmes.core.figures_cache).

    Sessions, contacts, risk flags, agreements, relationships' moves and the support sweep move the figures
    version on; the day is part of the variant of the lists that depend on it. A later page is asked for
    rarely, and costs its two queries.
    """
    variant = today.isoformat() if today else ""
    if page > 1:
        return _section(_LISTS[name](programme, variant), page)
    found, total = cached_per_programme(f"dashboard-{name}", [programme.pk], variant=variant)[programme.pk]
    return Section([Listed(obj) for obj in found], total)


def _at_risk(programme: Programme, day: str) -> QuerySet[Any]:
    return relationships_at_risk(programmes=[programme], now=timezone.now())


def _overdue(programme: Programme, day: str) -> QuerySet[Any]:
    return relationships_contact_overdue(programmes=[programme], today=date.fromisoformat(day))


def _unsigned(programme: Programme, day: str) -> QuerySet[Any]:
    return agreements_waiting(programme=programme)


_LISTS: dict[str, Callable[[Programme, str], QuerySet[Any]]] = {
    "at-risk": _at_risk,
    "overdue": _overdue,
    "unsigned": _unsigned,
}


def _first_rows_of(rows: Callable[[Programme, str], QuerySet[Any]]) -> Compute:
    def compute(programme_ids: list[int], variant: str) -> dict[int, tuple[list[Any], int]]:
        result = {}
        for programme in Programme.objects.filter(pk__in=programme_ids):
            queryset = rows(programme, variant)
            result[programme.pk] = (list(queryset[:LIMIT]), queryset.count())
        return result

    return compute


for _name, _rows in _LISTS.items():
    programme_figures(f"dashboard-{_name}")(_first_rows_of(_rows))


def _contacts_due_soon(programme: Programme, today: date) -> int:
    """Running pairs whose coordinator contact falls in the next week (a count over every pair: kept)."""
    return cached_per_programme("dashboard-due-soon", [programme.pk], variant=today.isoformat())[programme.pk]


@programme_figures("dashboard-due-soon")
def _due_soon(programme_ids: list[int], variant: str) -> dict[int, int]:
    today = date.fromisoformat(variant)
    return {
        programme.pk: relationships_contact_due_between(
            programmes=[programme], low=today, high=today + timedelta(days=7)
        ).count()
        for programme in Programme.objects.filter(pk__in=programme_ids)
    }


@programme_figures("orientation")
def _orientation(programme_ids: list[int], variant: str) -> dict[int, tuple[int, int]]:
    figures = orientation_figures(programme_ids=programme_ids)
    return {pk: figures.get(pk, (0, 0)) for pk in programme_ids}


def _rounded(value: float | None) -> float | None:
    return round(float(value), 2) if value is not None else None


def _names(relationship_ids: Iterable[int]) -> dict[int, list[str]]:
    """The members' names of the listed relationships, in one query."""
    names: dict[int, list[str]] = defaultdict(list)
    members = (
        RelationshipMember.objects.filter(relationship_id__in=set(relationship_ids))
        .order_by("relationship_id", "role", "pk")
        .values_list("relationship_id", "enrolment__person__full_name")  # User.get_full_name is full_name
    )
    for relationship_id, name in members:
        names[relationship_id].append(name)
    return dict(names)


def dashboard_for_programme(
    *, programme: Programme, today: date | None = None, pages: Mapping[str, int] | None = None
) -> Dashboard:
    """Everything the coordinator's dashboard shows (about twenty queries, whatever the programme's size).

    At risk, overdue contacts, waiting agreements and orientation come from selectors_figures, the one
    definition the preparation overview, the home pages and the report share.
    """
    now = timezone.now()
    today = today or timezone.localdate(now)
    page = pages or {}
    relationships = Relationship.objects.filter(programme=programme)
    by_state_counts = dict(relationships.values_list("state").annotate(n=Count("pk")).order_by())
    # Reads every enrolment and completion of the programme: kept with its figures (a completion moves them on).
    finished, counted = cached_per_programme("orientation", [programme.pk])[programme.pk]
    dashboard = Dashboard(
        programme=programme,
        at_risk=_cached_section("at-risk", programme, page.get("at_risk", 1), today),
        overdue_contacts=_cached_section("overdue", programme, page.get("overdue_contacts", 1), today),
        contacts_due_soon=_contacts_due_soon(programme, today),
        open_concerns=_section(
            Concern.objects.filter(programme=programme, state__in=(Concern.State.OPEN, Concern.State.MEDIATING))
            .annotate(rank=Case(When(severity="high", then=0), When(severity="medium", then=1), default=2))
            .order_by("rank", "created_at", "pk"),
            page.get("open_concerns", 1),
        ),
        unsigned=_cached_section("unsigned", programme, page.get("unsigned", 1)),
        pending_proposals=_section(
            relationships.filter(state=RState.PROPOSED).order_by("created_at", "pk"), page.get("pending_proposals", 1)
        ),
        tasks=_section(
            CoordinatorTask.objects.filter(programme=programme, state=CoordinatorTask.State.OPEN).order_by(
                "due_on", "pk"
            ),
            page.get("tasks", 1),
        ),
        by_state=[(state, str(label), by_state_counts.get(state, 0)) for state, label in RState.choices],
        months=_months(programme, today, by_state_counts.get(RState.ACTIVE, 0)),
        oriented=finished,
        to_orient=counted - finished,
    )
    by_relationship = (dashboard.open_concerns, dashboard.tasks)
    pairs = (dashboard.at_risk, dashboard.overdue_contacts, dashboard.unsigned, dashboard.pending_proposals)
    keyed = [(row, row.obj.relationship_id) for section in by_relationship for row in section.rows]
    keyed += [(row, row.obj.pk) for section in pairs for row in section.rows]
    names = _names(pk for _row, pk in keyed if pk)
    for row, pk in keyed:
        row.people = " · ".join(names.get(pk, []))
    for key in SECTIONS:
        getattr(dashboard, key).key = key
    return dashboard
