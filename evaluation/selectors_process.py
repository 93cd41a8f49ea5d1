"""Process metrics: how the programme runs (matching, meetings, support), from the programmes app's rows.

Each figure is computed for many programmes at once, in one grouped query per figure, so the report's
query count does not grow with programmes, people or sessions. The rows a figure needs belong to other
issues' models; until a model exists (or while it lacks a field) the figure says "not yet available"
instead of failing, so the evaluation app never depends on them being there.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import FieldError
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from programmes.core.figures_cache import cached_per_programme, programme_figures
from programmes.core.states import ENROLMENT_ACCEPTED, FORMED, STARTED
from programmes.models import Closure, Enrolment, MentoringSession, Programme, Relationship, RelationshipMember

from . import stats

EVALUATED = ENROLMENT_ACCEPTED
MATCHED_RELATIONSHIP_STATES = FORMED
RUNNING_RELATIONSHIP_STATES = STARTED
SESSION_WINDOW_DAYS = 90


@dataclass(frozen=True)
class ProcessFigure:
    """One process metric of one programme: its value with its n, or why there is none."""

    key: str
    label: str | Promise
    unit: str | Promise
    value: float | None = None
    n: int | None = None
    target: float | None = None
    available: bool = True
    note: str | Promise = ""

    @property
    def suppressed(self) -> bool:
        return self.available and self.n is not None and 0 < self.n < stats.MIN_CELL

    @property
    def shown(self) -> bool:
        return self.available and self.value is not None and not self.suppressed

    def as_dict(self) -> dict[str, object]:
        """JSON-ready, with suppressed figures removed (exports and the API)."""
        return {
            "key": self.key,
            "label": str(self.label),
            "unit": str(self.unit),
            "available": self.available,
            "suppressed": self.suppressed,
            "value": self.value if self.shown else None,
            "n": self.n if self.available and not self.suppressed else None,
            "target": self.target,
            "note": str(self.note),
        }


NOT_YET = _("Not yet available: the programme does not record this yet.")
Figures = dict[int, ProcessFigure]


def _mentee_members(ids: Sequence[int]) -> QuerySet[RelationshipMember]:
    return RelationshipMember.objects.filter(
        relationship__programme_id__in=ids,
        relationship__state__in=MATCHED_RELATIONSHIP_STATES,
        role__in=("mentee", "peer"),
    )


def time_to_match(ids: Sequence[int]) -> Figures | None:
    """Median days from a mentee's application to their first relationship."""
    members = _mentee_members(ids)
    days: dict[int, dict[int, float]] = defaultdict(dict)
    rows = members.values_list(
        "relationship__programme_id", "enrolment_id", "enrolment__created_at", "relationship__created_at"
    )
    for programme_id, enrolment_id, applied, matched in rows:
        wait = max((matched - applied).total_seconds() / 86400, 0.0)
        days[programme_id][enrolment_id] = min(wait, days[programme_id].get(enrolment_id, wait))
    return {
        p: ProcessFigure("time_to_match", _("Time to match"), _("days (median)"), statistics.median(w.values()), len(w))
        for p, w in days.items()
    }


def match_rate(ids: Sequence[int]) -> Figures | None:
    """Share of accepted mentees who are (or were) in a relationship."""
    members = _mentee_members(ids)
    eligible = (
        Enrolment.objects.filter(programme_id__in=ids, role__in=("mentee", "peer"), state__in=EVALUATED)
        .values("programme_id")
        .annotate(n=Count("pk"), matched=Count("pk", filter=Q(pk__in=members.values("enrolment_id"))))
    )
    return {
        row["programme_id"]: ProcessFigure(
            "match_rate", _("Match rate"), "%", 100.0 * row["matched"] / row["n"] if row["n"] else None, row["n"]
        )
        for row in eligible
    }


def mentor_utilisation(ids: Sequence[int]) -> Figures | None:
    """Mentees in running or accepted relationships as a share of the mentors' total capacity."""
    members = _mentee_members(ids)
    defaults = dict(Programme.objects.filter(pk__in=ids).values_list("pk", "mentor_capacity"))
    capacity: dict[int, int] = defaultdict(int)
    mentors: dict[int, int] = defaultdict(int)
    for programme_id, own in Enrolment.objects.filter(
        programme_id__in=ids, role__in=("mentor", "facilitator"), state__in=EVALUATED
    ).values_list("programme_id", "capacity"):
        capacity[programme_id] += own or defaults.get(programme_id) or 1
        mentors[programme_id] += 1
    taken = dict(
        members.exclude(relationship__state="closed")
        .values("relationship__programme_id")
        .annotate(n=Count("pk"))
        .values_list("relationship__programme_id", "n")
    )
    return {
        p: ProcessFigure(
            "mentor_utilisation", _("Mentor utilisation"), "%", 100.0 * taken.get(p, 0) / capacity[p], mentors[p]
        )
        for p in capacity
    }


def sessions_per_month(ids: Sequence[int]) -> Figures | None:
    """Held sessions per running relationship per month over the last 90 days, against the cadence."""
    since = timezone.now() - timedelta(days=SESSION_WINDOW_DAYS)
    held = dict(
        MentoringSession.objects.filter(programme_id__in=ids, status="held", held_at__gte=since)
        .values("programme_id")
        .annotate(n=Count("pk"))
        .values_list("programme_id", "n")
    )
    running = dict(
        Relationship.objects.filter(programme_id__in=ids, state__in=RUNNING_RELATIONSHIP_STATES)
        .values("programme_id")
        .annotate(n=Count("pk"))
        .values_list("programme_id", "n")
    )
    cadence = dict(Programme.objects.filter(pk__in=ids).values_list("pk", "meeting_cadence_days"))
    months = SESSION_WINDOW_DAYS / 30.4
    return {
        p: ProcessFigure(
            "sessions_per_month",
            _("Sessions per month"),
            _("per relationship"),
            held.get(p, 0) / n / months,
            n,
            target=_per_month(cadence.get(p)),
        )
        for p, n in running.items()
        if n
    }


def _per_month(cadence_days: int | None) -> float | None:
    """Sessions a month that a cadence of one meeting every `cadence_days` days asks for."""
    return 30.4 / cadence_days if cadence_days else None


def contact_compliance(ids: Sequence[int]) -> Figures | None:
    """Share of running relationships whose next coordinator contact is not overdue (the dashboard's definition)."""
    from programmes.home.selectors.figures import contact_figures

    programmes = list(Programme.objects.filter(pk__in=ids))
    return {
        p: ProcessFigure("contact_compliance", _("Coordinator contacts on time"), "%", 100.0 * on_time / n, n)
        for p, (on_time, n) in contact_figures(programmes=programmes, today=timezone.localdate()).items()
    }


def early_closure_rate(ids: Sequence[int]) -> Figures | None:
    """Share of closed relationships that ended before they were meant to (not anticipated)."""
    rows = (
        Closure.objects.filter(programme_id__in=ids, closed_at__isnull=False)
        .values("programme_id")
        .annotate(n=Count("pk"), early=Count("pk", filter=Q(anticipated=False)))
    )
    return {
        row["programme_id"]: ProcessFigure(
            "early_closure_rate", _("Early closure rate"), "%", 100.0 * row["early"] / row["n"], row["n"]
        )
        for row in rows
        if row["n"]
    }


def orientation_completion(ids: Sequence[int]) -> Figures | None:
    """Share of participants who finished every required orientation module for their role (the dashboard's
    definition: no figure for a programme without modules)."""
    from programmes.home.selectors.figures import orientation_figures

    return {
        p: ProcessFigure("orientation_completion", _("Orientation completed"), "%", 100.0 * finished / n, n)
        for p, (finished, n) in orientation_figures(programme_ids=ids).items()
    }


CALCULATORS: tuple[tuple[str, str | Promise, str | Promise, Callable[[Sequence[int]], Figures | None]], ...] = (
    ("time_to_match", _("Time to match"), _("days (median)"), time_to_match),
    ("match_rate", _("Match rate"), "%", match_rate),
    ("mentor_utilisation", _("Mentor utilisation"), "%", mentor_utilisation),
    ("orientation_completion", _("Orientation completed"), "%", orientation_completion),
    ("sessions_per_month", _("Sessions per month"), _("per relationship"), sessions_per_month),
    ("contact_compliance", _("Coordinator contacts on time"), "%", contact_compliance),
    ("early_closure_rate", _("Early closure rate"), "%", early_closure_rate),
)


def process_metrics_for_programmes(*, programme_ids: Sequence[int]) -> dict[int, list[ProcessFigure]]:
    """Every process metric of each programme, from the cache when nothing changed (programmes.core.figures_cache).

    They read every enrolment, relationship and session of a programme, so they are computed once per
    programme and data version (a logged session moves it on), and at least every FIGURES_SECONDS.
    """
    variant = timezone.localdate().isoformat()  # "the last 90 days" moves on at midnight
    return cached_per_programme("process", programme_ids, variant=variant)


@programme_figures("process")
def _process_metrics(programme_ids: list[int], variant: str = "") -> dict[int, list[ProcessFigure]]:
    """Every process metric of each programme, in a fixed number of queries (one or two per metric)."""
    result: dict[int, list[ProcessFigure]] = {pk: [] for pk in programme_ids}
    for key, label, unit, calculate in CALCULATORS:
        try:
            figures = calculate(list(programme_ids))
        except FieldError:
            figures = None  # the model exists but not (yet) with the fields this figure reads
        for pk in programme_ids:
            if figures is None:
                result[pk].append(ProcessFigure(key, label, unit, available=False, note=NOT_YET))
            else:
                result[pk].append(figures.get(pk) or ProcessFigure(key, label, unit, note=_("No data yet.")))
    return result
