"""The mentee × mentor score matrix (input to ``assign``) and per-pair breakdowns.

``score_matrix`` computes exactly the criteria and hard rules defined in ``criteria.py``, but fused for a
whole matrix: the counts behind the criteria (covered level steps, shared goals, common hours, shared
languages) are matrix products of 0/1 indicators, and the rest (scaling, diversity, time zone,
preferences, rules) are a handful of in-place passes over row chunks. That keeps 20,000 × 5,000 to a few
seconds and the memory to the output plus chunk-sized temporaries. The tests check that it agrees with the
per-criterion ``criteria.evaluate``.

A row does not depend on the other rows: the products only count (sums of 0/1 are exact in whatever order
BLAS adds them) and every other step is elementwise, so a mentee scored alone (self-service suggestions)
gets their row of the whole matrix bit for bit, and tied mentors stay in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .criteria import Features, Selection, basics, criteria, prepare, scatter_mask, timezone_distance
from .pools import CRITERIA, Exclusions, MenteePool, MentorPool, Rules, Weights

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]

#: Elements per row chunk of the score matrix (rows × mentors): 8 MB per float64 temporary, small enough
#: for malloc to reuse heap memory between chunks instead of mapping (and page-faulting) fresh memory.
CHUNK_ELEMENTS = 1_000_000


def _safe_inverse(values: FloatArray, weight: float) -> FloatArray:
    """``weight / values`` where values > 0, else 0."""
    out = np.zeros(values.shape, dtype=np.float64)
    np.divide(weight, values, out=out, where=values > 0)
    return out


@dataclass(frozen=True)
class _Plan:
    """Everything ``_score_block`` needs, prepared once per matrix."""

    feats: Features
    mentees: MenteePool
    mentors: MentorPool
    weights: Weights
    rules: Rules
    competency_scale: FloatArray  # (n,): competency weight over the mentee's needed steps
    goal_scale: FloatArray  # (n,): goals weight over the number of the mentee's goals
    mentee_goals: FloatArray  # (n, G) 0/1 in float64, and the mentors' transposed: their product counts
    mentor_goals_t: FloatArray  # (G, m)
    tz_score: FloatArray  # (distinct mentee offsets, distinct mentor offsets): the weighted criterion
    tz_code_e: IntArray
    tz_code_r: IntArray
    # Mentors by kind (unit, time zone): diversity and time zone are a small table per block of mentees.
    kind_of_mentor: IntArray  # (m,)
    kind_units: IntArray  # (kinds,)
    kind_tz_codes: IntArray  # (kinds,)
    tz_too_far: BoolArray  # (distinct mentee offsets, distinct mentor offsets)
    pairs: IntArray  # (k, 2) forbidden index pairs, sorted by mentee
    reporting_matrix: BoolArray | None


def _same_person_pairs(mentees: MenteePool, mentors: MentorPool) -> IntArray:
    """Index pairs ``[mentee, mentor]`` of the same person in both pools."""
    order = np.argsort(mentors.person_ids, kind="stable")
    ids = mentors.person_ids[order]
    lo = np.searchsorted(ids, mentees.person_ids, side="left")
    hi = np.searchsorted(ids, mentees.person_ids, side="right")
    counts = hi - lo
    rows = np.repeat(np.arange(len(mentees)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.column_stack([rows, order[np.repeat(lo, counts) + offsets]]).astype(np.int64)


def _forbidden_pairs(mentees: MenteePool, mentors: MentorPool, exclusions: Exclusions) -> IntArray:
    """All forbidden index pairs (same person, reporting-line pairs, closed pairs), sorted by mentee."""
    lists = [_same_person_pairs(mentees, mentors)]
    for given in (exclusions.reporting_line, exclusions.closed_pairs):
        if given is not None and np.asarray(given).dtype != bool:
            lists.append(np.asarray(given, dtype=np.int64).reshape(-1, 2))
    pairs = np.concatenate(lists)
    return pairs[np.argsort(pairs[:, 0], kind="stable")]


def _plan(mentees: MenteePool, mentors: MentorPool, weights: Weights, rules: Rules, exclusions: Exclusions) -> _Plan:
    """Prepare features, per-row scales, time-zone tables and forbidden pairs once per matrix."""
    feats = prepare(mentees, mentors)
    # Time zones by distinct offset: a small table looked up per block instead of n × m distances.
    e_off, tz_e = np.unique(mentees.utc_offsets, return_inverse=True)
    r_off, tz_r = np.unique(mentors.utc_offsets, return_inverse=True)
    distance = timezone_distance(e_off[:, None], r_off[None, :])
    kinds, kind_of_mentor = np.unique(
        np.column_stack([mentors.units, tz_r]).reshape(-1, 2), axis=0, return_inverse=True
    )
    too_far = distance > (rules.max_timezone_gap if rules.max_timezone_gap is not None else np.inf)
    matrix = exclusions.reporting_line
    is_matrix = matrix is not None and np.asarray(matrix).dtype == bool
    return _Plan(
        feats=feats,
        mentees=mentees,
        mentors=mentors,
        weights=weights,
        rules=rules,
        competency_scale=_safe_inverse(feats.need_total, weights.competency),
        goal_scale=_safe_inverse(feats.goal_total, weights.goals),
        mentee_goals=feats.mentee_goals.astype(np.float64),
        mentor_goals_t=np.ascontiguousarray(feats.mentor_goals.T, dtype=np.float64),
        tz_score=weights.timezone * (1.0 - np.minimum(distance, 12.0) / 12.0),
        tz_code_e=tz_e,
        tz_code_r=tz_r,
        kind_of_mentor=kind_of_mentor.reshape(-1),
        kind_units=kinds[:, 0],
        kind_tz_codes=kinds[:, 1],
        tz_too_far=too_far,
        pairs=_forbidden_pairs(mentees, mentors, exclusions),
        reporting_matrix=np.asarray(matrix) if is_matrix else None,
    )


def _add_soft_terms(plan: _Plan, rows: slice, score: FloatArray, slots: NDArray, langs: NDArray) -> None:
    """Add availability, language and preference terms to ``score`` in place."""
    w, rules = plan.weights, plan.rules
    if w.availability:
        hours = slots * np.float32(rules.slot_hours)
        hours /= np.float32(max(rules.good_shared_hours, 1e-9))
        np.minimum(hours, 1.0, out=hours)
        hours *= np.float32(w.availability)
        score += hours
    if w.language:
        np.add(score, w.language, out=score, where=langs > 0)
    if w.preference:
        rows_hit, cols_hit, values = _preference_entries(plan.mentees.preferences[rows])
        score[rows_hit, cols_hit] += w.preference * values


def _preference_entries(prefs: IntArray) -> tuple[IntArray, IntArray, FloatArray]:
    """Sparse (row, mentor, criterion value) of ranked mentors; a mentor ranked twice keeps the best rank."""
    ranks = prefs.shape[1]
    rows, rank = np.nonzero(prefs >= 0)
    cols, values = prefs[rows, rank], (ranks - rank) / ranks
    order = np.lexsort((-values, cols, rows))
    rows, cols, values = rows[order], cols[order], values[order]
    first = np.ones(rows.size, dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    return rows[first], cols[first], values[first]


def _forbidden_block(plan: _Plan, rows: slice, slots: NDArray, langs: NDArray, covered: NDArray) -> BoolArray:
    """Mask of the chunk's pairs that any hard rule forbids."""
    rules, mentees, mentors, feats = plan.rules, plan.mentees, plan.mentors, plan.feats
    forbidden = slots * np.float32(rules.slot_hours) < rules.min_shared_hours - 1e-9
    if rules.require_shared_language:
        forbidden |= langs < 0.5
    if rules.max_timezone_gap is not None:
        forbidden |= plan.tz_too_far[plan.tz_code_e[rows]][:, plan.tz_code_r]
    if plan.reporting_matrix is not None:
        forbidden |= plan.reporting_matrix[rows]
    if rules.apply_format_rule and rules.format == "reverse":
        forbidden |= mentors.grades[None, :] >= mentees.grades[rows, None]
    elif rules.apply_format_rule and rules.format == "peer":
        forbidden |= np.abs(mentors.grades[None, :] - mentees.grades[rows, None]) > rules.peer_grade_tolerance
    elif rules.apply_format_rule and rules.format == "one_to_one":
        forbidden |= (feats.need_total[rows] > 0)[:, None] & (covered < 0.5)
    lo, hi = np.searchsorted(plan.pairs[:, 0], [rows.start, rows.stop])
    if hi > lo:
        chunk_rows = np.arange(rows.start, rows.stop, dtype=np.int64)
        forbidden |= scatter_mask(plan.pairs[lo:hi], chunk_rows, np.arange(len(mentors)), len(mentors))
    return forbidden


def _unit_and_zone_block(plan: _Plan, rows: slice) -> FloatArray:
    """Weighted diversity plus time zone for mentees ``rows`` × every mentor, through the mentors' kinds."""
    table = plan.tz_score[plan.tz_code_e[rows]][:, plan.kind_tz_codes]  # (rows, kinds)
    different = plan.mentees.units[rows, None] != plan.kind_units[None, :]
    np.add(table, plan.weights.diversity, out=table, where=different)
    return np.take(table, plan.kind_of_mentor, axis=1)


def _score_block(plan: _Plan, rows: slice, score: FloatArray) -> None:
    """Write the scores of mentees ``rows`` against every mentor into ``score``, ``-inf`` where forbidden."""
    feats, w = plan.feats, plan.weights
    np.matmul(plan.mentee_goals[rows], plan.mentor_goals_t, out=score)  # shared goals: a count, exact
    score *= plan.goal_scale[rows, None]
    if w.diversity or w.timezone:
        score += _unit_and_zone_block(plan, rows)
    covered = feats.need_steps[rows] @ feats.offer_steps.T
    score += covered * plan.competency_scale[rows, None]
    slots = feats.mentee_hours[rows] @ feats.mentor_hours.T
    langs = feats.mentee_languages[rows] @ feats.mentor_languages.T
    _add_soft_terms(plan, rows, score, slots, langs)
    score[_forbidden_block(plan, rows, slots, langs, covered)] = -np.inf


def score_matrix(
    mentees: MenteePool,
    mentors: MentorPool,
    *,
    weights: Weights | None = None,
    rules: Rules | None = None,
    exclusions: Exclusions | None = None,
) -> FloatArray:
    """The (n_mentees × n_mentors) float64 score matrix, ``-inf`` for forbidden pairs; input to ``assign``.

    A score is Σ weight × criterion over the criteria of ``criteria.py``; with the default weights it lies
    in [0, 1].
    """
    plan = _plan(mentees, mentors, weights or Weights(), rules or Rules(), exclusions or Exclusions())
    n, m = len(mentees), len(mentors)
    out = np.empty((n, m), dtype=np.float64)
    step = max(1, CHUNK_ELEMENTS // max(m, 1))
    for start in range(0, n, step):
        rows = slice(start, min(start + step, n))
        _score_block(plan, rows, out[rows])
    return out


def pair_breakdown(
    mentees: MenteePool,
    mentors: MentorPool,
    mentee_idx: IntArray,
    mentor_idx: IntArray,
    *,
    weights: Weights | None = None,
    rules: Rules | None = None,
) -> dict[str, FloatArray]:
    """Criterion → weighted contribution for each given pair (aligned index arrays); they sum to the score."""
    weights, rules = weights or Weights(), rules or Rules()
    feats = prepare(mentees, mentors)
    sel = Selection(np.asarray(mentee_idx, dtype=np.int64), np.asarray(mentor_idx, dtype=np.int64), paired=True)
    parts = criteria(feats, mentees, mentors, sel, rules, basics(feats, mentees, mentors, sel, rules))
    w = weights.as_dict()
    return {name: w[name] * np.asarray(parts[name], dtype=np.float64) for name in CRITERIA}
