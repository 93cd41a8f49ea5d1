"""One solve of the pool: scores, hard rules, locks and forbids, the exact assignment, explanations and reasons.

This is the seam between the ORM side and the pure package programmes.matching.engine: everything here works on
PoolArrays (numpy) and returns plain results; services.matching writes them to the database.

The pure package gives the score matrix, the per-criterion breakdown, the rule masks and the exact
capacity-constrained assignment. Two things are added here because they need the ORM side's vocabulary:
the opt-in attribute preferences (an extra, weighted criterion "attributes"), and the coordinator's own
locks and forbids. Sentences and unmatched reasons come from the package, translated with gettext.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programmes.matching.engine import (
    CRITERIA,
    Weights,
    assign,
    explain_unmatched,
    need_vectors,
    pair_breakdown,
    pair_sentence,
    plan_groups,
    score_matrix,
)
from programmes.matching.services.arrays import PoolArrays, attribute_bonus
from programmes.models import MatchingSettings, UnmatchedMentee

ATTRIBUTES = "attributes"
DEFAULT_ATTRIBUTE_WEIGHT = 0.10
ALTERNATIVES = 5


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
    group_size: tuple[int, int] | None = None,
    stage: Callable[[str], None] | None = None,
) -> Solution:
    """Solve the pool exactly: forbids as -inf, locks first, then `assign` for everyone else.

    With `group_size` (group and peer-circle formats) mentees form groups of that size range by shared
    needs, and each group gets a mentor or facilitator; locks do not apply there. `stage` hears "scoring",
    "solving" and "explaining" as each starts (a background run's progress).
    """
    stage = stage or (lambda name: None)
    started = time.perf_counter()
    weights, attribute_weight = weights_for(settings)
    stage("scoring")
    scores = full_scores(arrays, weights, attribute_weight)
    for i, j in forbids:
        scores[i, j] = -np.inf
    stage("solving")
    if group_size is not None:
        solution = _solve_groups(arrays, scores, weights, attribute_weight, group_size, stage)
    else:
        solution = _solve_pairs(arrays, settings, scores, weights, attribute_weight, locks, stage)
    solution.unmatched = _with_coordinator_forbids(solution.unmatched, scores, forbids, arrays.mentors.capacity)
    solution.seconds = time.perf_counter() - started
    return solution


def _solve_pairs(
    arrays: PoolArrays,
    settings: MatchingSettings,
    scores: np.ndarray,
    weights: Weights,
    attribute_weight: float,
    locks: list[tuple[int, int]],
    stage: Callable[[str], None],
) -> Solution:
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
    total_only = settings.objective == MatchingSettings.Objective.TOTAL_SCORE
    min_score = settings.min_score if total_only else None
    # The locked mentees' rows are ruled out for the solve and put back after it: no copy of the whole
    # matrix (800 MB at 20,000 × 5,000).
    rows_locked = list(locked)
    held = scores[rows_locked].copy()
    scores[rows_locked] = -np.inf
    try:
        result = np.asarray(assign(scores, capacity, min_score=min_score, maximise_matched=not total_only))
    finally:
        scores[rows_locked] = held
    for i, j in locked.items():
        result[i] = j
    stage("explaining")
    rows = np.flatnonzero(result >= 0)
    pairs = _pairs(arrays, scores, rows, result[rows], weights, attribute_weight, set(locked))
    reasons = explain_unmatched(
        arrays.mentees,
        arrays.mentors,
        result,
        weights=weights,
        rules=arrays.rules,
        exclusions=arrays.exclusions,
        min_score=min_score,
        maximise_matched=not total_only,
        translate=_,
    )
    unmatched = [
        Unmatched(r.mentee, _REASONS.get(r.kind, UnmatchedMentee.Reason.CAPACITY), r.sentence, dict(r.excluded_by))
        for r in reasons
    ]
    return Solution(pairs=pairs, unmatched=unmatched, seconds=0.0, notes=notes)


# The package's "eligible mentors had room but the assignment left the mentee out": only a coordinator's
# forbid does that to an optimal assignment; resolved by _with_coordinator_forbids.
LEFT_OUT_REASON = "not_selected"
_REASONS = {
    "no_eligible_mentor": UnmatchedMentee.Reason.NO_ELIGIBLE_MENTOR,
    "below_min_score": UnmatchedMentee.Reason.BELOW_MIN_SCORE,
    "capacity": UnmatchedMentee.Reason.CAPACITY,
    LEFT_OUT_REASON: LEFT_OUT_REASON,
}


def _solve_groups(
    arrays: PoolArrays,
    scores: np.ndarray,
    weights: Weights,
    attribute_weight: float,
    size: tuple[int, int],
    stage: Callable[[str], None],
) -> Solution:
    """Groups by shared need (the package's balanced k-means), then a mentor or facilitator per group."""
    plan = plan_groups(need_vectors(arrays.mentees), size[0], size[1], scores=scores, capacity=arrays.mentors.capacity)
    stage("explaining")
    pairs: list[Pair] = []
    unmatched: list[Unmatched] = []
    for number, (members, facilitator) in enumerate(zip(plan.members, plan.facilitator, strict=True), start=1):
        if facilitator < 0:
            detail = _("No mentor with a free place may lead this whole group (a hard rule excludes each one).")
            unmatched += [Unmatched(int(i), UnmatchedMentee.Reason.NO_ELIGIBLE_MENTOR, detail, {}) for i in members]
            continue
        cols = np.full(len(members), int(facilitator))
        for pair in _pairs(arrays, scores, np.asarray(members), cols, weights, attribute_weight, set()):
            pair.group_no = number
            pairs.append(pair)
    detail = _("Too few mentees share this mentee's needs to form a group of the programme's size.")
    unmatched += [Unmatched(int(i), UnmatchedMentee.Reason.GROUP_SIZE, detail, {}) for i in plan.ungrouped]
    return Solution(pairs=pairs, unmatched=unmatched, seconds=0.0, notes=[])


def _with_coordinator_forbids(
    unmatched: list[Unmatched], scores: np.ndarray, forbids: list[tuple[int, int]], capacity: np.ndarray
) -> list[Unmatched]:
    """The package does not know the coordinator's forbids: name them, and make them the reason when they are.

    A forbid is the reason when, without the forbidden pairs, no mentor with a free place is left for the
    mentee (every other eligible mentor was full from the start), or when a forbidden mentor still had room
    after the assignment (the package calls that "left out"). Only when other eligible mentors with places
    were filled by someone else did capacity run out.
    """
    counts: dict[int, int] = {}
    for mentee, _mentor in forbids:
        counts[mentee] = counts.get(mentee, 0) + 1
    for row in unmatched:
        n = counts.get(row.mentee, 0)
        if not n:
            continue
        row.excluded_by["coordinator"] = n
        with_room = np.isfinite(scores[row.mentee]) & (capacity > 0)
        left_out = row.reason == LEFT_OUT_REASON
        if row.reason == UnmatchedMentee.Reason.NO_ELIGIBLE_MENTOR or (with_room.any() and not left_out):
            continue
        row.reason = UnmatchedMentee.Reason.NO_ELIGIBLE_MENTOR
        row.detail = ngettext(
            "No eligible mentor: the coordinator forbade the one pair the rules allowed with a free place.",
            "No eligible mentor: the coordinator forbade all %(n)d pairs the rules allowed with a free place.",
            n,
        ) % {"n": n}
    for row in unmatched:
        if row.reason == LEFT_OUT_REASON:  # never without a forbid; kept honest should it happen
            row.reason = UnmatchedMentee.Reason.CAPACITY
    return unmatched


def _pair_name(arrays: PoolArrays, i: int, j: int) -> str:
    return f"{arrays.mentee_rows[i].person} × {arrays.mentor_rows[j].person}"


ALTERNATIVES_BLOCK = 512  # rows of the score matrix looked at together (a few MB at a time)


def _alternatives_of(
    scores: np.ndarray, rows: np.ndarray, arrays: PoolArrays, skips: list[int | None]
) -> list[list[dict[str, Any]]]:
    """Each mentee's best other eligible mentors (to change a pair by hand): a partial sort per block of rows."""
    k = min(ALTERNATIVES + 1, scores.shape[1])
    out: list[list[dict[str, Any]]] = []
    for start in range(0, rows.size, ALTERNATIVES_BLOCK):
        block = scores[rows[start : start + ALTERNATIVES_BLOCK]]
        # The k-th best score of each row; every mentor at least that good is a candidate (ties included).
        kth = -np.partition(-block, k - 1, axis=1)[:, k - 1]
        for r, row in enumerate(block):
            candidates = np.flatnonzero((row >= kth[r]) & np.isfinite(row))
            # Best first; equal scores by mentor order (as a stable sort of the whole row gives).
            best = sorted((int(j) for j in candidates), key=lambda j: (-row[j], j))[:k]
            skip = skips[start + r]
            out.append(
                [
                    {
                        "mentor": arrays.mentor_rows[j].pk,
                        "name": str(arrays.mentor_rows[j].person),
                        "score": round(float(row[j]), 4),
                    }
                    for j in best
                    if j != skip
                ][:ALTERNATIVES]
            )
    return out


def breakdowns(
    arrays: PoolArrays, rows: np.ndarray, cols: np.ndarray, weights: Weights, attribute_weight: float
) -> list[dict[str, float]]:
    """Criterion → weighted contribution for aligned pairs, the attribute preferences included."""
    if rows.size == 0:
        return []
    parts = pair_breakdown(arrays.mentees, arrays.mentors, rows, cols, weights=weights, rules=arrays.rules)
    out = [{name: round(float(parts[name][k]), 4) for name in CRITERIA} for k in range(rows.size)]
    bonus, chosen = attribute_bonus(arrays, rows, attribute_weight)  # once for all rows, not once per pair
    where = {int(i): r for r, i in enumerate(chosen)}
    for k, (i, j) in enumerate(zip(rows, cols, strict=True)):
        r = where.get(int(i))
        if r is not None:
            out[k][ATTRIBUTES] = round(float(bonus[r, j]), 4)
    return out


def _pairs(
    arrays: PoolArrays,
    scores: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    weights: Weights,
    attribute_weight: float,
    locked: set[int],
) -> list[Pair]:
    parts = breakdowns(arrays, rows, cols, weights, attribute_weight)
    alternatives = _alternatives_of(scores, np.asarray(rows), arrays, [int(j) for j in cols])
    return [
        Pair(
            mentee=int(i),
            mentor=int(j),
            score=float(scores[i, j]),
            breakdown=parts[k],
            explanation=explain_pair(arrays, int(i), int(j), parts[k], weights),
            locked=int(i) in locked,
            alternatives=alternatives[k],
        )
        for k, (i, j) in enumerate(zip(rows, cols, strict=True))
    ]


def explain_pair(arrays: PoolArrays, i: int, j: int, breakdown: dict[str, float], weights: Weights) -> str:
    """The package's plain sentence, plus the opt-in attribute preferences when they counted."""
    sentence = pair_sentence(
        arrays.mentees, arrays.mentors, i, j, names=arrays.names, rules=arrays.rules, weights=weights, translate=_
    )
    if breakdown.get(ATTRIBUTES):
        sentence = "; ".join(filter(None, [sentence, _("meets preferences the mentee asked for")]))
    return sentence
