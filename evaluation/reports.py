"""The HR outcome report: business goal → metrics → results, per programme, for the programmes a person may see.

`outcome_report(programmes=…, filters=…)` is the report generator the pages, the exports and the API share
(after django-oscar's report generators). Without filters on people it reads the stored snapshots; with
an org unit or a role it computes the same figures live from the raw values of the people who fit, with
the same suppression. Either way it runs a fixed number of queries, however many people, values or
answers there are.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from people.models import User
from programmes.models import Programme, ProgrammeRole

from . import stats
from .models import Answer, CostItem, EvaluationCycle, Instrument, OutcomeMetric, OutcomeResult
from .outcomes import compute, estimate_json
from .report_disclosure import FilterUniverse, keep_people, withhold
from .report_rows import GoalSection, ProgrammeReport, ResultRow, SurveyRow
from .selectors_process import process_metrics_for_programmes
from .selectors_results import COMPUTED_STATES, CellPairs, collect_pairs, metric_inputs

ROLES = ("mentee", "mentor")


@dataclass(frozen=True)
class ReportFilters:
    """What the reader narrowed the report to; empty means everything."""

    org_unit_id: int | None = None
    cycle_id: int | None = None
    role: str = ""
    period_from: date | None = None
    period_to: date | None = None

    @property
    def narrows_people(self) -> bool:
        return bool(self.org_unit_id or self.role)

    def as_query(self) -> dict[str, str]:
        """The filters as query parameters (for export links and background jobs)."""
        values = {
            "org_unit": self.org_unit_id or "",
            "cycle": self.cycle_id or "",
            "role": self.role,
            "period_from": self.period_from.isoformat() if self.period_from else "",
            "period_to": self.period_to.isoformat() if self.period_to else "",
        }
        return {key: str(value) for key, value in values.items() if value}


def programmes_for_reports(*, user: User) -> QuerySet[Programme]:
    """The programmes whose outcomes `user` may read: all for site admins and org-wide HR analysts,
    else those they coordinate or analyse; none for anyone else."""
    if user.is_site_admin or user.is_hr_analyst:
        return Programme.objects.all()
    staff = ProgrammeRole.objects.filter(user_id=user.pk).values("programme_id")
    return Programme.objects.filter(pk__in=staff)


def _people_filter(universes: dict[int, FilterUniverse] | None, filters: ReportFilters) -> dict[int, set[int]] | None:
    """Per programme, the people the filters keep (participants of the role, comparison members, in the org
    unit as frozen for that programme), or None for everyone."""
    if universes is None or not filters.narrows_people:
        return None
    return {pk: universe.kept(filters.org_unit_id, filters.role) for pk, universe in universes.items()}


def _cycles(programme_ids: Sequence[int], filters: ReportFilters) -> list[EvaluationCycle]:
    cycles = EvaluationCycle.objects.filter(programme_id__in=programme_ids, state__in=COMPUTED_STATES)
    if filters.cycle_id:
        cycles = cycles.filter(pk=filters.cycle_id)
    if filters.period_from:
        cycles = cycles.filter(closes_on__gte=filters.period_from)
    if filters.period_to:
        cycles = cycles.filter(opens_on__lte=filters.period_to)
    return list(cycles.order_by("programme_id", "opens_on", "pk"))


def _result_rows(
    programmes: dict[int, Programme],
    metrics: list[OutcomeMetric],
    cycles: list[EvaluationCycle],
    people: dict[int, set[int]] | None,
    universes: dict[int, FilterUniverse] | None,
    key: tuple[int | None, str],
) -> dict[tuple[int, int], ResultRow]:
    """(metric, cycle) → its row: stored snapshots, or live figures for the filtered people."""
    follow_ups = [c for c in cycles if c.kind != EvaluationCycle.Kind.BASELINE]
    cycle_by_id = {c.pk: c for c in follow_ups}
    rows: dict[tuple[int, int], ResultRow] = {}
    if people is None or universes is None:
        results = OutcomeResult.objects.filter(
            programme_id__in=list(programmes), cycle_id__in=list(cycle_by_id), superseded_at__isnull=True
        )
        by_metric = {m.pk: m for m in metrics}
        for r in results:
            metric = by_metric[r.metric_id]
            rows[(r.metric_id, r.cycle_id)] = ResultRow(
                programmes[metric.programme_id], metric.goal, metric, cycle_by_id[r.cycle_id], r.figures,
                r.computed_at, r.stale,
            )  # fmt: skip
        return rows
    costs: dict[int, list[float]] = defaultdict(list)
    for programme_id, amount in CostItem.objects.filter(programme_id__in=list(programmes)).values_list(
        "programme_id", "amount"
    ):
        costs[programme_id].append(float(amount))
    # Every figure is decided against its unfiltered population, so the pairs are collected unfiltered.
    pairs = collect_pairs(programme_ids=list(programmes), cycle_ids=list(cycle_by_id))
    for cycle in follow_ups:
        universe, kept_people = universes[cycle.programme_id], people[cycle.programme_id]
        for metric in metrics:
            if metric.programme_id != cycle.programme_id:
                continue
            full = pairs.get((metric.pk, cycle.pk)) or CellPairs(cells={}, excluded={})
            # Who was left out is counted for the whole programme only: per filter, those counts would be
            # small groups of their own (who withdrew in which team).
            kept = CellPairs(cells={g: keep_people(c, kept_people) for g, c in full.cells.items()}, excluded={})
            figures = compute(metric_inputs(metric, kept, costs[metric.programme_id]))
            # Groups too small for figures are suppressed by compute already; this takes out large ones too.
            hidden = [
                g
                for g, cell in kept.cells.items()
                if not stats.is_suppressed(len(cell.pre))
                and not universe.may_show(full.cells[g].person_ids, cell.person_ids, key)
            ]
            rows[(metric.pk, cycle.pk)] = ResultRow(
                programmes[metric.programme_id], metric.goal, metric, cycle, withhold(figures, hidden), live=True
            )
    return rows


SCALE_LABELS = {
    "satisfaction": _("Satisfaction"),
    "relevance": _("Relevance"),
    "application": _("Applying new skills"),
    "sharing": _("Sharing with the team"),
    "level": _("Competency level"),
}


def scale_label(slug: str) -> str:
    """A scale's name for people: known scales translated, others from their slug."""
    return str(SCALE_LABELS.get(slug) or slug.replace("-", " ").replace("_", " ").capitalize())


def _survey_rows(
    programme_ids: Sequence[int],
    cycles: list[EvaluationCycle],
    people: dict[int, set[int]] | None,
    universes: dict[int, FilterUniverse] | None,
    chosen: tuple[int | None, str],
) -> list[SurveyRow]:
    """Scale scores per cycle, instrument, scale and respondent role; re-ratings also as change since the
    baseline cycle (same subject, same role). Two queries, and four more when filters narrow the people:
    then each row is computed for the people who fit and shown only when its group is published against
    the row's unfiltered respondents (evaluation.disclosure). `chosen` is the filter (org unit, role)."""
    baseline_ids = set(
        EvaluationCycle.objects.filter(programme_id__in=programme_ids, kind="baseline").values_list("pk", flat=True)
    )
    cycle_by_id = {c.pk: c for c in cycles}
    answers = Answer.objects.filter(
        response__cycle_id__in=set(cycle_by_id) | baseline_ids, response__answered_at__isnull=False
    )
    if chosen[1]:
        answers = answers.filter(response__role=chosen[1])
    instruments = {i.pk: i for i in Instrument.objects.filter(programme_id__in=programme_ids)}
    points: dict[tuple[int, int, int, str, int, str], list[float]] = defaultdict(list)
    rows = answers.values_list(
        "response__cycle_id", "response__instrument_id", "response_id", "response__role", "response__subject_id",
        "item__scale", "item__reverse_scored", "value",
    )  # fmt: skip
    for cycle_id, instrument_id, response_id, who, subject, scale, reverse, value in rows:
        instrument = instruments[instrument_id]
        key = (cycle_id, instrument_id, response_id, who, subject, scale or "level")
        points[key].append(instrument.score(value, reverse=bool(reverse)))
    scores: dict[tuple[int, int, str, str], dict[int, float]] = defaultdict(dict)
    for (cycle_id, instrument_id, _response, who, subject, scale), values in points.items():
        scores[(cycle_id, instrument_id, scale, who)][subject] = sum(values) / len(values)
    before: dict[tuple[int, str, str], dict[int, float]] = defaultdict(dict)
    for (cycle_id, instrument_id, scale, who), by_subject in scores.items():
        if cycle_id in baseline_ids:
            before[(instrument_id, scale, who)].update(by_subject)
    result = []
    for (cycle_id, instrument_id, scale, who), everyone in sorted(scores.items()):
        if cycle_id not in cycle_by_id:
            continue
        programme_id = cycle_by_id[cycle_id].programme_id
        kept = None if people is None else people[programme_id]
        universe = None if universes is None or kept is None else universes[programme_id]
        by_subject = everyone if kept is None else {s: v for s, v in everyone.items() if s in kept}
        summary = stats.describe(list(by_subject.values()))
        baseline = before.get((instrument_id, scale, who), {})
        common = sorted(set(baseline) & set(by_subject))
        shown = not stats.is_suppressed(summary.n)
        change_shown = cycle_by_id[cycle_id].kind != "baseline" and not stats.is_suppressed(len(common))
        if universe is not None:
            shown = shown and universe.may_show(everyone, by_subject, chosen)
            change_shown = change_shown and universe.may_show(set(baseline) & set(everyone), common, chosen)
        change = None
        if change_shown:
            change = estimate_json(stats.paired_change([baseline[s] for s in common], [by_subject[s] for s in common]))
        result.append(
            SurveyRow(
                cycle_by_id[cycle_id],
                instruments[instrument_id],
                scale_label(scale),
                who,
                summary.n,
                summary.mean if shown else None,
                summary.sd if shown and summary.n > 1 else None,
                change,
                withheld=not shown and not stats.is_suppressed(summary.n),
            )
        )
    return result


def outcome_report(*, programmes: Sequence[Programme], filters: ReportFilters | None = None) -> list[ProgrammeReport]:
    """The report of each programme (see the module docstring), in a fixed number of queries."""
    filters = filters or ReportFilters()
    by_id = {p.pk: p for p in programmes}
    ids = list(by_id)
    cycles = _cycles(ids, filters)
    metrics = list(
        OutcomeMetric.objects.filter(programme_id__in=ids)
        .select_related("goal")
        .order_by("programme_id", "goal__priority", "goal_id", "level", "name")
    )
    # Filters on people read every programme's org units as frozen for it (evaluation.report_disclosure).
    universes = FilterUniverse.load(ids) if filters.narrows_people else None
    people = _people_filter(universes, filters)
    key = (filters.org_unit_id, filters.role)  # the filter whose groups must be published
    rows = _result_rows(by_id, metrics, cycles, people, universes, key)
    process = process_metrics_for_programmes(programme_ids=ids)
    costs = dict(
        CostItem.objects.filter(programme_id__in=ids)
        .values("programme_id")
        .annotate(total=Sum("amount"))
        .values_list("programme_id", "total")
    )
    surveys = _survey_rows(ids, cycles, people, universes, key)
    reports = []
    for programme in programmes:
        sections: dict[int, GoalSection] = {}
        own_cycles = [c for c in cycles if c.programme_id == programme.pk]
        for metric in (m for m in metrics if m.programme_id == programme.pk):
            section = sections.setdefault(metric.goal_id, GoalSection(metric.goal))
            section.rows += [rows[(metric.pk, c.pk)] for c in own_cycles if (metric.pk, c.pk) in rows]
        reports.append(
            ProgrammeReport(
                programme,
                own_cycles,
                list(sections.values()),
                process.get(programme.pk, []),
                [s for s in surveys if s.cycle.programme_id == programme.pk],
                float(costs.get(programme.pk) or 0),
            )
        )
    return reports
