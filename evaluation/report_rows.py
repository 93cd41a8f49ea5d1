"""What an outcome report is made of: a programme's goal sections of result rows, its survey rows and ROI.

Plain objects the report generator (evaluation.reports) fills and the pages, exports and API read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from programmes.models import BusinessGoal, Programme

from . import stats
from .charts import result_chart
from .models import EvaluationCycle, Instrument, OutcomeMetric
from .outcomes import programme_roi
from .selectors_process import ProcessFigure
from .sentences import result_sentence


@dataclass
class ResultRow:
    """One metric in one cycle: its figures (stored or live), their sentence and chart."""

    programme: Programme
    goal: BusinessGoal
    metric: OutcomeMetric
    cycle: EvaluationCycle
    figures: dict[str, Any]
    computed_at: datetime | None = None
    stale: bool = False
    live: bool = False

    @property
    def participant(self) -> dict[str, Any]:
        return dict(self.figures["groups"]["participant"])

    @property
    def comparison(self) -> dict[str, Any]:
        return dict(self.figures["groups"]["comparison"])

    @property
    def mentors(self) -> dict[str, Any]:
        """The mentors' own cell (results computed before mentors were reported separately have none)."""
        return dict(self.figures.get("mentors") or {"n": 0, "suppressed": False, "empty": True})

    @property
    def groups_for_table(self) -> list[tuple[str, dict[str, Any]]]:
        """Mentored mentees (per protocol) against the comparison group; the mentors apart, when they have values."""
        rows = [
            (str(_("Mentored mentees (per protocol)")), self.participant),
            (str(_("Comparison group")), self.comparison),
        ]
        if not self.mentors.get("empty"):
            rows.append((str(_("Mentors (not compared)")), self.mentors))
        return rows

    @property
    def excluded(self) -> list[tuple[str, int]]:
        """People with values left out of every cell, by reason, in words."""
        labels = {
            "not_mentored": _("participants whose relationship never became active, or who withdrew"),
            "comparison_enrolled": _("comparison-group members who applied to the programme later"),
        }
        counts = self.figures.get("excluded") or {}
        return [(str(labels.get(reason, reason)), n) for reason, n in sorted(counts.items()) if n]

    @property
    def did(self) -> dict[str, Any] | None:
        return self.figures.get("did")

    @property
    def did_factor(self) -> int:
        """Rates (shares) are told in percentage points, in the sentence, the table and the chart alike."""
        return 100 if self.figures.get("kind") == "rate" else 1

    @property
    def roi(self) -> dict[str, Any] | None:
        return self.figures.get("roi")

    @cached_property
    def sentence(self) -> str:
        return result_sentence(self.metric.name, self.metric.unit, self.metric.direction, self.figures)

    @cached_property
    def chart(self) -> SafeString:
        labels = {
            "baseline": _("Baseline"),
            "now": str(self.cycle.get_kind_display()),
            "participant": _("mentored"),
            "comparison": _("comparison"),
            "did": _("Difference in differences, with its 95% interval"),
            "no_did": _("No comparison with fewer than 5 people in a group"),
            "no_figures": _("Fewer than 5 people: no figures shown"),
        }
        # result_chart escapes every text it draws; the markup itself is ours.
        return mark_safe(result_chart(self.figures, labels, title=self.sentence))


@dataclass
class GoalSection:
    goal: BusinessGoal
    rows: list[ResultRow] = field(default_factory=list)


@dataclass(frozen=True)
class SurveyRow:
    """One scale of one instrument in one cycle, for one group of respondents."""

    cycle: EvaluationCycle
    instrument: Instrument
    scale: str
    role: str
    n: int
    mean: float | None
    sd: float | None
    change: dict[str, Any] | None = None
    withheld: bool = False  # large enough, but its filter would reveal a small group by subtraction

    @property
    def suppressed(self) -> bool:
        return self.withheld or stats.is_suppressed(self.n)


@dataclass(frozen=True)
class RoiPart:
    """One monetised metric's annual benefit as a part of the programme's return on investment."""

    metric: OutcomeMetric
    benefit: float
    share: float | None  # of the programme's total benefit, when that is positive


@dataclass(frozen=True)
class ProgrammeRoi:
    """The programme's return on investment in one cycle: every monetised metric's benefit against the
    fully loaded costs, once (see outcomes.programme_roi)."""

    cycle: EvaluationCycle
    figures: dict[str, float | None]
    parts: list[RoiPart]


@dataclass
class ProgrammeReport:
    programme: Programme
    cycles: list[EvaluationCycle]
    goals: list[GoalSection]
    process: list[ProcessFigure]
    surveys: list[SurveyRow]
    costs: float = 0.0

    def rows(self) -> Iterator[ResultRow]:
        for section in self.goals:
            yield from section.rows

    @cached_property
    def roi(self) -> list[ProgrammeRoi]:
        """One programme ROI per cycle that has at least one monetised result, in cycle order."""
        by_cycle: dict[int, list[ResultRow]] = defaultdict(list)
        for row in self.rows():
            if row.roi and row.roi.get("benefit") is not None:
                by_cycle[row.cycle.pk].append(row)
        result = []
        for cycle in self.cycles:
            rows = by_cycle.get(cycle.pk)
            if not rows or self.costs <= 0:
                continue
            benefits = [float((row.roi or {})["benefit"]) for row in rows]
            figures = programme_roi(benefits, self.costs)
            total = figures["benefit"] or 0.0
            parts = [
                RoiPart(row.metric, b, b / total if total > 0 else None) for row, b in zip(rows, benefits, strict=True)
            ]
            result.append(ProgrammeRoi(cycle, figures, parts))
        return result

    def roi_for(self, cycle_id: int) -> ProgrammeRoi | None:
        return next((r for r in self.roi if r.cycle.pk == cycle_id), None)
