"""One solve of the pool: scores, hard rules, locks and forbids, the exact assignment, explanations and reasons.

This is the seam between the ORM side and the pure package programmes.matching: everything here works on
PoolArrays (numpy) and returns plain results; services.matching writes them to the database.

The pure package gives the score matrix, the per-criterion breakdown, the rule masks and the exact
capacity-constrained assignment. Two things are added here because they need the ORM side's vocabulary:
the opt-in attribute preferences (an extra, weighted criterion "attributes"), and the plain sentences of
the explanations and the unmatched reasons, which name competencies, languages and divisions.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..matching import CRITERIA, HARD_RULES, Weights, assign, pair_breakdown, score_matrix
from ..models import MatchingSettings, UnmatchedMentee
from .matching_arrays import PoolArrays, attribute_bonus

ATTRIBUTES = "attributes"
DEFAULT_ATTRIBUTE_WEIGHT = 0.10
ALTERNATIVES = 5


def rule_label(name: str) -> str:
    labels = {
        "same_person": _("the same person"),
        "reporting_line": _("the reporting line"),
        "no_shared_language": _("no shared language"),
        "too_little_availability": _("too little common time"),
        "closed_before": _("a past pair"),
        "timezone_gap": _("the time-zone gap"),
        "format": _("the format's seniority rule"),
        "coordinator": _("the coordinator's forbids"),
    }
    return str(labels.get(name, name))


def criterion_label(name: str) -> str:
    labels = {
        "language": _("Language"),
        "competency": _("Competencies"),
        "goals": _("Goals"),
        "availability": _("Availability"),
        "preference": _("Preference"),
        "timezone": _("Time zone"),
        "diversity": _("Diversity"),
        ATTRIBUTES: _("Asked-for attributes"),
    }
    return str(labels.get(name, name))


def weights_for(settings: MatchingSettings) -> tuple[Weights, float]:
    """The package's criterion weights, and the weight of the opt-in attribute preferences."""
    stored = dict(settings.weights or {})
    attribute_weight = float(stored.pop(ATTRIBUTES, DEFAULT_ATTRIBUTE_WEIGHT))
    known = {k: float(v) for k, v in stored.items() if k in CRITERIA}
    return Weights.from_mapping(known), attribute_weight


@dataclass
class Pair:
    """One assigned pair: row and column indices into the pool, its score, breakdown and sentence."""

    mentee: int
    mentor: int
    score: float
    breakdown: dict[str, float]
    explanation: str
    locked: bool = False
    alternatives: list[dict[str, Any]] = field(default_factory=list)
    group_no: int | None = None


@dataclass
class Unmatched:
    mentee: int
    reason: str
    detail: str
    excluded_by: dict[str, int]
    alternatives: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Solution:
    pairs: list[Pair]
    unmatched: list[Unmatched]
    seconds: float
    notes: list[str]


def full_scores(arrays: PoolArrays, weights: Weights, attribute_weight: float) -> np.ndarray:
    """The score matrix with every hard rule applied, plus the attribute preferences where asked for."""
    scores = score_matrix(
        arrays.mentees, arrays.mentors, weights=weights, rules=arrays.rules, exclusions=arrays.exclusions
    )
    bonus, rows = attribute_bonus(arrays, np.arange(len(arrays.mentee_rows)), attribute_weight)
    if rows.size:
        scores[rows] += bonus  # -inf stays -inf
    return scores


def solve(
    arrays: PoolArrays,
    settings: MatchingSettings,
    *,
    locks: list[tuple[int, int]],
    forbids: list[tuple[int, int]],
) -> Solution:
    """Solve the pool exactly: locks first, forbids as -inf, then `assign` for everyone else."""
    started = time.perf_counter()
    weights, attribute_weight = weights_for(settings)
    scores = full_scores(arrays, weights, attribute_weight)
    for i, j in forbids:
        scores[i, j] = -np.inf
    capacity = arrays.mentors.capacity.copy()
    notes: list[str] = []
    locked: dict[int, int] = {}
    for i, j in locks:
        if not np.isfinite(scores[i, j]):
            notes.append(
                _("A locked pair now breaks a hard rule and was not kept: %(pair)s.")
                % {"pair": _pair_name(arrays, i, j)}
            )
        elif capacity[j] <= 0:
            notes.append(
                _("A locked pair was not kept, the mentor has no place left: %(pair)s.")
                % {"pair": _pair_name(arrays, i, j)}
            )
        else:
            locked[i] = j
            capacity[j] -= 1
    solvable = scores.copy()
    if locked:
        solvable[list(locked)] = -np.inf
    total_only = settings.objective == MatchingSettings.Objective.TOTAL_SCORE
    min_score = settings.min_score if total_only else None
    result = np.asarray(assign(solvable, capacity, min_score=min_score, maximise_matched=not total_only))
    for i, j in locked.items():
        result[i] = j
    pairs = _pairs(arrays, scores, result, weights, attribute_weight, set(locked))
    unmatched = _unmatched(arrays, scores, result, weights, min_score, forbids)
    return Solution(pairs=pairs, unmatched=unmatched, seconds=time.perf_counter() - started, notes=notes)


def _pair_name(arrays: PoolArrays, i: int, j: int) -> str:
    return f"{arrays.mentee_rows[i].person} × {arrays.mentor_rows[j].person}"


def _alternatives(scores: np.ndarray, i: int, arrays: PoolArrays, skip: int | None) -> list[dict[str, Any]]:
    row = scores[i]
    finite = np.flatnonzero(np.isfinite(row))
    best = finite[np.argsort(-row[finite], kind="stable")][: ALTERNATIVES + 1]
    return [
        {
            "mentor": arrays.mentor_rows[j].pk,
            "name": str(arrays.mentor_rows[j].person),
            "score": round(float(row[j]), 4),
        }
        for j in best
        if j != skip
    ][:ALTERNATIVES]


def breakdowns(
    arrays: PoolArrays, rows: np.ndarray, cols: np.ndarray, weights: Weights, attribute_weight: float
) -> list[dict[str, float]]:
    """Criterion → weighted contribution for aligned pairs, the attribute preferences included."""
    if rows.size == 0:
        return []
    parts = pair_breakdown(arrays.mentees, arrays.mentors, rows, cols, weights=weights, rules=arrays.rules)
    out = [{name: round(float(parts[name][k]), 4) for name in CRITERIA} for k in range(rows.size)]
    for k, (i, j) in enumerate(zip(rows, cols, strict=True)):
        bonus, chosen = attribute_bonus(arrays, np.array([i]), attribute_weight)
        if chosen.size:
            out[k][ATTRIBUTES] = round(float(bonus[0, j]), 4)
    return out


def _pairs(
    arrays: PoolArrays,
    scores: np.ndarray,
    result: np.ndarray,
    weights: Weights,
    attribute_weight: float,
    locked: set[int],
) -> list[Pair]:
    rows = np.flatnonzero(result >= 0)
    cols = result[rows]
    parts = breakdowns(arrays, rows, cols, weights, attribute_weight)
    return [
        Pair(
            mentee=int(i),
            mentor=int(j),
            score=float(scores[i, j]),
            breakdown=parts[k],
            explanation=explain_pair(arrays, int(i), int(j), parts[k]),
            locked=int(i) in locked,
            alternatives=_alternatives(scores, int(i), arrays, int(j)),
        )
        for k, (i, j) in enumerate(zip(rows, cols, strict=True))
    ]


def explain_pair(arrays: PoolArrays, i: int, j: int, breakdown: dict[str, float]) -> str:
    """A plain sentence: shared languages, the competencies covered, common hours, time zones, units, wishes."""
    mentees, mentors, names = arrays.mentees, arrays.mentors, arrays.names
    clauses: list[str] = []
    shared = [names.languages[k] for k in np.flatnonzero(mentees.languages[i] & mentors.languages[j])]
    if shared:
        clauses.append(_("both speak %(languages)s") % {"languages": _join(shared)})
    gaps = np.flatnonzero(mentees.target_levels[i] > mentees.current_levels[i])
    ordered = sorted(gaps, key=lambda c: -(mentees.target_levels[i][c] - mentees.current_levels[i][c]))
    for c in ordered[:3]:
        clauses.append(
            _("mentor is level %(mentor)d in %(competency)s, mentee targets %(target)d")
            % {
                "mentor": mentors.levels[j][c],
                "competency": names.competencies[c],
                "target": mentees.target_levels[i][c],
            }
        )
    hours = int(np.count_nonzero(mentees.availability[i] & mentors.availability[j]) * arrays.rules.slot_hours)
    clauses.append(
        ngettext("%(n)d hour of shared availability", "%(n)d hours of shared availability", hours) % {"n": hours}
    )
    goals = [names.goals[k] for k in np.flatnonzero(mentees.goals[i] & mentors.goals[j])][:3]
    if goals:
        clauses.append(_("shared goals: %(goals)s") % {"goals": ", ".join(goals)})
    gap = abs(float(mentees.utc_offsets[i]) - float(mentors.utc_offsets[j])) % 24
    gap = min(gap, 24 - gap)
    if gap:
        clauses.append(_("%(hours)s hours apart") % {"hours": f"{gap:g}"})
    else:
        clauses.append(_("same time zone"))
    rank = np.flatnonzero(mentees.preferences[i] == j)
    if rank.size:
        clauses.append(_("the mentee's choice number %(rank)d") % {"rank": int(rank[0]) + 1})
    clauses.append(_("different divisions") if mentees.units[i] != mentors.units[j] else _("same division"))
    if breakdown.get(ATTRIBUTES):
        clauses.append(_("meets preferences the mentee asked for"))
    return "; ".join(clauses)


def _join(items: list[str]) -> str:
    return (
        items[0]
        if len(items) == 1
        else _("%(first)s and %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}
    )


def _unmatched(
    arrays: PoolArrays,
    scores: np.ndarray,
    result: np.ndarray,
    weights: Weights,
    min_score: float | None,
    forbids: list[tuple[int, int]],
) -> list[Unmatched]:
    from ..matching.criteria import Selection, evaluate, prepare

    rows = np.flatnonzero(result < 0)
    if rows.size == 0:
        return []
    m = len(arrays.mentor_rows)
    _score, _parts, masks = evaluate(
        arrays.mentees,
        arrays.mentors,
        Selection(rows.astype(np.int64), np.arange(m, dtype=np.int64)),
        weights=weights,
        rules=arrays.rules,
        exclusions=arrays.exclusions,
        feats=prepare(arrays.mentees, arrays.mentors),
    )
    forbidden_by_coordinator: dict[int, int] = {}
    for mentee, _mentor in forbids:
        forbidden_by_coordinator[mentee] = forbidden_by_coordinator.get(mentee, 0) + 1
    out = []
    for k, i in enumerate(rows):
        excluded = {name: int(np.count_nonzero(masks[name][k])) for name in HARD_RULES if np.any(masks[name][k])}
        if forbidden_by_coordinator.get(int(i)):
            excluded["coordinator"] = forbidden_by_coordinator[int(i)]
        row = scores[i]
        alternatives = _alternatives(scores, int(i), arrays, None)
        if not np.isfinite(row).any():
            reason = UnmatchedMentee.Reason.NO_ELIGIBLE_MENTOR
            detail = _no_mentor_detail(excluded, m)
        elif min_score is not None and np.nanmax(np.where(np.isfinite(row), row, np.nan)) < min_score:
            reason = UnmatchedMentee.Reason.BELOW_MIN_SCORE
            detail = _("No eligible pair reaches the minimum score of %(min).2f (the best is %(best).2f).") % {
                "min": min_score,
                "best": float(np.max(row[np.isfinite(row)])),
            }
        else:
            reason = UnmatchedMentee.Reason.CAPACITY
            eligible = int(np.count_nonzero(np.isfinite(row)))
            detail = ngettext(
                "Capacity ran out: the one eligible mentor's places went to pairs that fit the pool better.",
                "Capacity ran out: the places of all %(n)d eligible mentors went to pairs that fit the pool better.",
                eligible,
            ) % {"n": eligible}
        out.append(Unmatched(int(i), str(reason), str(detail), excluded, alternatives))
    return out


def _no_mentor_detail(excluded: dict[str, int], mentors: int) -> str:
    if mentors == 0:
        return _("There are no mentors in the pool.")
    parts = [
        ngettext("%(n)d by %(rule)s", "%(n)d by %(rule)s", n) % {"n": n, "rule": rule_label(name)}
        for name, n in sorted(excluded.items(), key=lambda item: -item[1])
    ]
    return _("No eligible mentor among %(m)d: excluded %(parts)s.") % {"m": mentors, "parts": ", ".join(parts)}
