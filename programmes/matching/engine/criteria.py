"""Definitions of the soft criteria and hard rules, evaluated pair by pair or block by block.

This is the readable, per-criterion form: ``evaluate`` returns every criterion and every rule mask for a
``Selection`` of pairs. Explanations and unmatched reasons use it; ``scores.score_matrix`` computes the same
numbers for the whole matrix in a fused, faster form, and the tests check that the two agree.

Criteria (each in [0, 1], multiplied by its weight in ``Weights`` and summed):

* ``competency``: the share of the mentee's development gap the mentor can cover. With integer levels the
  gap in competency ``c`` is the level steps ``current < k <= target``; the mentor covers step ``k`` when
  their level is at least ``k``. Covered steps over all steps, summed over competencies (0 with no gap).
  Written as indicator matrices, that count is one matrix product.
* ``goals``: the share of the mentee's goals/topics the mentor supports (0 when the mentee named none).
* ``language``: 1 when they share a language.
* ``availability``: common weekly hours over ``Rules.good_shared_hours``, capped at 1.
* ``timezone``: 1 minus the (circular) UTC-offset distance over 12 hours.
* ``preference``: the mentee's rank for this mentor, rank 1 → 1, rank P → 1/P, unranked → 0.
* ``diversity``: 1 when they are in different units (divisions).

Hard rules (named in ``pools.HARD_RULES``); a pair broken by any of them scores ``-inf``:
same person; within the reporting line (caller's matrix or pairs); no shared language; fewer common hours
than ``min_shared_hours``; a closed past pair; a time-zone gap above ``max_timezone_gap``; and the format's
seniority rule (see ``format_excludes``). No Django here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .pools import CRITERIA, HARD_RULES, Exclusions, MenteePool, MentorPool, Rules, Weights, validate_pools

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Features:
    """Per-person arrays derived once per run, in the shapes the vectorised criteria need."""

    need_steps: NDArray[np.float32]  # (n, C·K): mentee needs level step k of competency c
    offer_steps: NDArray[np.float32]  # (m, C·K): mentor has at least level k in competency c
    need_total: FloatArray  # (n,): number of needed level steps
    mentee_goals: NDArray[np.float32]
    mentor_goals: NDArray[np.float32]
    goal_total: FloatArray
    mentee_languages: NDArray[np.float32]
    mentor_languages: NDArray[np.float32]
    mentee_hours: NDArray[np.float32]
    mentor_hours: NDArray[np.float32]


@dataclass(frozen=True)
class Selection:
    """Which pairs to evaluate: a block (``mentees`` × ``mentors``) or aligned pairs (``paired``)."""

    mentees: IntArray
    mentors: IntArray
    paired: bool = False

    def left(self, values: NDArray) -> NDArray:
        """Mentee-side values shaped to broadcast against the mentor side."""
        picked = values[self.mentees]
        return picked if self.paired else picked[:, None]

    def right(self, values: NDArray) -> NDArray:
        """Mentor-side values shaped to broadcast against the mentee side."""
        picked = values[self.mentors]
        return picked if self.paired else picked[None, :]

    def dot(self, a: NDArray, b: NDArray) -> NDArray:
        """Dot products of mentee rows of ``a`` with mentor rows of ``b`` (a matrix product for a block)."""
        x, y = a[self.mentees], b[self.mentors]
        return np.einsum("kf,kf->k", x, y) if self.paired else x @ y.T

    def contains(self, pairs: IntArray, n_mentors: int) -> BoolArray:
        """Which selected pairs appear in the ``(k, 2)`` index pairs ``[mentee, mentor]``."""
        pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        if self.paired:
            keys = pairs[:, 0] * n_mentors + pairs[:, 1]
            return np.isin(self.mentees * n_mentors + self.mentors, keys)
        return scatter_mask(pairs, self.mentees, self.mentors, n_mentors)


def scatter_mask(pairs: IntArray, rows: IntArray, cols: IntArray, n_mentors: int) -> BoolArray:
    """A block mask with True where ``pairs`` falls inside ``rows`` × ``cols``."""
    mask = np.zeros((rows.size, cols.size), dtype=bool)
    if rows.size == 0 or pairs.size == 0:
        return mask
    order = np.argsort(rows, kind="stable")
    where = np.minimum(np.searchsorted(rows[order], pairs[:, 0]), rows.size - 1)
    col_pos = np.full(n_mentors, -1, dtype=np.int64)
    col_pos[cols] = np.arange(cols.size)
    inside = (rows[order][where] == pairs[:, 0]) & (col_pos[pairs[:, 1]] >= 0)
    mask[order[where[inside]], col_pos[pairs[inside, 1]]] = True
    return mask


def level_steps(levels: IntArray, max_level: int, *, low: IntArray | None = None) -> NDArray[np.float32]:
    """Indicator matrix (rows, C·K) of level steps: ``low < k <= levels`` for k = 1..K (low defaults to 0)."""
    k = np.arange(1, max_level + 1)
    upper = levels[:, :, None] >= k
    lower = (low[:, :, None] < k) if low is not None else True
    # Shapes spelled out: reshape(0, -1) of an empty pool cannot infer the width.
    return (upper & lower).reshape(levels.shape[0], levels.shape[1] * max_level).astype(np.float32)


def prepare(mentees: MenteePool, mentors: MentorPool) -> Features:
    """Validate the pools and derive the arrays the criteria use."""
    validate_pools(mentees, mentors)
    levels = (mentees.current_levels, mentees.target_levels, mentors.levels)
    max_level = max(1, *(int(a.max()) if a.size else 0 for a in levels))
    need = level_steps(mentees.target_levels, max_level, low=mentees.current_levels)
    goals = mentees.goals.astype(np.float32)
    return Features(
        need_steps=need,
        offer_steps=level_steps(mentors.levels, max_level),
        need_total=need.sum(axis=1, dtype=np.float64),
        mentee_goals=goals,
        mentor_goals=mentors.goals.astype(np.float32),
        goal_total=goals.sum(axis=1, dtype=np.float64),
        mentee_languages=mentees.languages.astype(np.float32),
        mentor_languages=mentors.languages.astype(np.float32),
        mentee_hours=mentees.availability.astype(np.float32),
        mentor_hours=mentors.availability.astype(np.float32),
    )


def timezone_distance(a: NDArray, b: NDArray) -> NDArray:
    """Hours between UTC offsets around the clock (UTC+14 and UTC−10 are 0 hours apart)."""
    d = np.abs(a - b) % 24.0
    return np.minimum(d, 24.0 - d)


@dataclass(frozen=True)
class Basics:
    """Quantities both the criteria and the hard rules need, computed once per selection."""

    covered_steps: NDArray
    shared_hours: NDArray
    shared_languages: NDArray
    tz_distance: NDArray


def basics(feats: Features, mentees: MenteePool, mentors: MentorPool, sel: Selection, rules: Rules) -> Basics:
    """Covered level steps, common hours, shared languages and time-zone distance for ``sel``."""
    return Basics(
        covered_steps=sel.dot(feats.need_steps, feats.offer_steps),
        shared_hours=sel.dot(feats.mentee_hours, feats.mentor_hours) * np.float32(rules.slot_hours),
        shared_languages=sel.dot(feats.mentee_languages, feats.mentor_languages),
        tz_distance=timezone_distance(sel.left(mentees.utc_offsets), sel.right(mentors.utc_offsets)),
    )


def preference_criterion(preferences: IntArray, sel: Selection, n_mentors: int) -> FloatArray:
    """1 for the mentee's first choice down to 1/P for the last, 0 for mentors they did not rank."""
    prefs = preferences[sel.mentees]
    ranks = prefs.shape[1]
    if sel.paired:
        out = np.zeros(sel.mentees.size, dtype=np.float64)
        for r in range(ranks - 1, -1, -1):  # best rank last, so it wins over duplicates
            out[prefs[:, r] == sel.mentors] = (ranks - r) / ranks
        return out
    col_pos = np.full(n_mentors, -1, dtype=np.int64)
    col_pos[sel.mentors] = np.arange(sel.mentors.size)
    out = np.zeros((sel.mentees.size, sel.mentors.size), dtype=np.float64)
    for r in range(ranks - 1, -1, -1):
        rows = np.nonzero(prefs[:, r] >= 0)[0]
        cols = col_pos[prefs[rows, r]]
        keep = cols >= 0
        out[rows[keep], cols[keep]] = (ranks - r) / ranks
    return out


def criteria(
    feats: Features, mentees: MenteePool, mentors: MentorPool, sel: Selection, rules: Rules, base: Basics
) -> dict[str, NDArray]:
    """Each criterion in [0, 1] for the selected pairs (see the module docstring for definitions)."""
    need_total = sel.left(feats.need_total)
    goal_total = sel.left(feats.goal_total)
    shared_goals = sel.dot(feats.mentee_goals, feats.mentor_goals).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        competency = np.where(need_total > 0, base.covered_steps.astype(np.float64) / need_total, 0.0)
        goals = np.where(goal_total > 0, shared_goals / goal_total, 0.0)
    good_hours = max(rules.good_shared_hours, 1e-9)
    return {
        "language": (base.shared_languages > 0).astype(np.float32),
        "competency": competency,
        "goals": goals,
        "availability": np.minimum(base.shared_hours / good_hours, 1.0),
        "preference": preference_criterion(mentees.preferences, sel, len(mentors)),
        "timezone": 1.0 - np.minimum(base.tz_distance, 12.0) / 12.0,
        "diversity": (sel.left(mentees.units) != sel.right(mentors.units)).astype(np.float32),
    }


def format_excludes(
    feats: Features, mentees: MenteePool, mentors: MentorPool, sel: Selection, rules: Rules, base: Basics
) -> NDArray[np.bool_]:
    """The format's seniority rule (True where it forbids the pair).

    * ``one_to_one``: in at least one competency the mentee needs (target above current), the mentor's
      level must be above the mentee's current level. A mentee who states no gap is not restricted.
    * ``reverse``: the mentor must be the more junior, i.e. have a strictly lower grade.
    * ``peer``: the grades may differ by at most ``peer_grade_tolerance``.
    * ``group``: no pair rule (groups are formed in ``groups.py``).
    """
    shape = np.broadcast_shapes(sel.left(mentees.grades).shape, sel.right(mentors.grades).shape)
    if not rules.apply_format_rule or rules.format == "group":
        return np.zeros(shape, dtype=bool)
    mentee_grade, mentor_grade = sel.left(mentees.grades), sel.right(mentors.grades)
    if rules.format == "reverse":
        return np.broadcast_to(mentor_grade >= mentee_grade, shape)
    if rules.format == "peer":
        return np.broadcast_to(np.abs(mentor_grade - mentee_grade) > rules.peer_grade_tolerance, shape)
    return (sel.left(feats.need_total) > 0) & (base.covered_steps < 0.5)


def hard_rules(
    feats: Features,
    mentees: MenteePool,
    mentors: MentorPool,
    sel: Selection,
    rules: Rules,
    exclusions: Exclusions,
    base: Basics,
) -> dict[str, NDArray[np.bool_]]:
    """Rule name → mask of selected pairs the rule forbids."""
    shape = base.tz_distance.shape
    none = np.zeros(shape, dtype=bool)
    masks = {
        "same_person": sel.left(mentees.person_ids) == sel.right(mentors.person_ids),
        "reporting_line": _reporting_line(exclusions, sel, len(mentors), none),
        "no_shared_language": (base.shared_languages < 0.5) if rules.require_shared_language else none,
        "too_little_availability": base.shared_hours < rules.min_shared_hours - 1e-9,
        "closed_before": (
            sel.contains(exclusions.closed_pairs, len(mentors)) if exclusions.closed_pairs is not None else none
        ),
        "timezone_gap": (base.tz_distance > rules.max_timezone_gap) if rules.max_timezone_gap is not None else none,
        "format": format_excludes(feats, mentees, mentors, sel, rules, base),
    }
    assert tuple(masks) == HARD_RULES
    return {name: np.broadcast_to(mask, shape) for name, mask in masks.items()}


def _reporting_line(exclusions: Exclusions, sel: Selection, n_mentors: int, none: BoolArray) -> BoolArray:
    """The caller's reporting-line exclusions for ``sel``, from a boolean matrix or index pairs."""
    if exclusions.reporting_line is None:
        return none
    given = np.asarray(exclusions.reporting_line)
    if given.dtype == bool:
        picked = given[sel.mentees, sel.mentors] if sel.paired else given[np.ix_(sel.mentees, sel.mentors)]
        return np.asarray(picked, dtype=bool)
    return sel.contains(given.astype(np.int64), n_mentors)


def weighted_sum(parts: dict[str, NDArray], weights: Weights) -> FloatArray:
    """Σ weight × criterion in float64."""
    w = weights.as_dict()
    total = np.zeros(np.shape(parts[CRITERIA[0]]), dtype=np.float64)
    for name in CRITERIA:
        if w[name]:
            total += w[name] * np.asarray(parts[name], dtype=np.float64)
    return total


def evaluate(
    mentees: MenteePool,
    mentors: MentorPool,
    sel: Selection,
    *,
    weights: Weights,
    rules: Rules,
    exclusions: Exclusions,
    feats: Features | None = None,
) -> tuple[FloatArray, dict[str, NDArray], dict[str, NDArray[np.bool_]]]:
    """Scores (``-inf`` where forbidden), criteria and rule masks for the selected pairs."""
    feats = feats if feats is not None else prepare(mentees, mentors)
    base = basics(feats, mentees, mentors, sel, rules)
    parts = criteria(feats, mentees, mentors, sel, rules, base)
    masks = hard_rules(feats, mentees, mentors, sel, rules, exclusions, base)
    score = weighted_sum(parts, weights)
    score[np.logical_or.reduce(list(masks.values()))] = -np.inf
    return score, parts, masks
