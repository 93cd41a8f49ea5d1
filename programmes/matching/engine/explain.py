"""Why a pair, and why nobody: per-criterion breakdowns, one plain sentence per pair, unmatched reasons.

Sentences are built from the format strings below. Each is wrapped in ``gettext_noop`` so that Django's
``makemessages`` (which knows that keyword) extracts them, and every fragment passes through the caller's
``translate`` hook before formatting: pass ``django.utils.translation.gettext`` on the Django side, or
nothing for English. No Django import here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from .criteria import Selection, evaluate, prepare, timezone_distance
from .pools import CRITERIA, HARD_RULES, Exclusions, MenteePool, MentorPool, Names, Rules, Weights
from .scores import CHUNK_ELEMENTS, pair_breakdown

IntArray = NDArray[np.int64]
Translate = Callable[[str], str]


def gettext_noop(message: str) -> str:
    """Mark a string for translation without translating it (same name as Django's, for makemessages)."""
    return message


BOTH_SPEAK = gettext_noop("both speak {language}")
MENTOR_LEVEL = gettext_noop("mentor is level {mentor_level} in {competency}, mentee targets {target_level}")
SHARED_GOALS = gettext_noop("shared goals: {goals}")
ONE_HOUR = gettext_noop("{hours:g} hour of shared availability")
HOURS = gettext_noop("{hours:g} hours of shared availability")
RANKED = gettext_noop("the mentee's choice #{rank}")
SAME_TIME_ZONE = gettext_noop("same time zone")
HOURS_APART = gettext_noop("{hours:g} hours apart")
DIFFERENT_UNITS = gettext_noop("different divisions")
SEPARATOR = "; "

NO_ELIGIBLE = gettext_noop("no eligible mentor; mentors excluded by {details}")
NO_MENTORS = gettext_noop("no eligible mentor: the pool has no mentors")
RULE_COUNT = gettext_noop("{rule} ({count})")
BELOW_MIN_SCORE = gettext_noop("none of the {count} eligible mentors reaches the minimum score")
CAPACITY_ONE = gettext_noop("capacity ran out: the one eligible mentor is fully booked")
CAPACITY = gettext_noop("capacity ran out: all {count} eligible mentors are fully booked")
NOT_SELECTED = gettext_noop("eligible mentors had room, but this assignment left the mentee out")

RULE_LABELS: dict[str, str] = {
    "same_person": gettext_noop("same person"),
    "reporting_line": gettext_noop("reporting line"),
    "no_shared_language": gettext_noop("no shared language"),
    "too_little_availability": gettext_noop("too little shared availability"),
    "closed_before": gettext_noop("a closed past pair"),
    "timezone_gap": gettext_noop("time-zone gap"),
    "format": gettext_noop("the format's seniority rule"),
    "no_capacity": gettext_noop("no capacity in this run"),
}

# Unmatched reasons; the first three are UnmatchedMentee.Reason values on the ORM side.
NO_ELIGIBLE_MENTOR = "no_eligible_mentor"
BELOW_MIN = "below_min_score"
CAPACITY_RAN_OUT = "capacity"
LEFT_OUT = "not_selected"  # never for assign's own result: an optimum would have used the free place


def _identity(message: str) -> str:
    return message


@dataclass(frozen=True)
class PairExplanation:
    """One chosen pair: its score, criterion → weighted contribution, and a sentence."""

    mentee: int
    mentor: int
    score: float
    breakdown: dict[str, float]
    sentence: str


@dataclass(frozen=True)
class UnmatchedReason:
    """Why a mentee has no mentor: ``kind``, rule → mentors it excluded, eligible mentors, a sentence."""

    mentee: int
    kind: str
    sentence: str
    excluded_by: dict[str, int] = field(default_factory=dict)
    eligible: int = 0


def _name(names: list[str], index: int, fallback: str) -> str:
    return names[index] if index < len(names) else f"{fallback} {index + 1}"


Fragment = tuple[str, dict[str, object]]


def _competency_fragment(mentees: MenteePool, mentors: MentorPool, i: int, j: int, names: Names) -> Fragment | None:
    """The needed competency the mentor covers most (ties: higher target, then lower index), or None."""
    current, target, level = mentees.current_levels[i], mentees.target_levels[i], mentors.levels[j]
    covered = np.maximum(np.minimum(target, level) - current, 0)
    if not covered.any():
        return None
    c = int(np.lexsort((np.arange(covered.size), -target, -covered))[0])
    values: dict[str, object] = {
        "mentor_level": int(level[c]),
        "competency": _name(names.competencies, c, "competency"),
        "target_level": int(target[c]),
    }
    return MENTOR_LEVEL, values


def _fragments(
    mentees: MenteePool, mentors: MentorPool, i: int, j: int, names: Names, rules: Rules, weights: Weights
) -> list[Fragment]:
    """(format string, values) for every criterion that has weight and speaks for the pair, in CRITERIA order."""
    w = weights.as_dict()
    out: list[Fragment] = []
    shared_languages = np.flatnonzero(mentees.languages[i] & mentors.languages[j])
    if w["language"] and shared_languages.size:
        out.append((BOTH_SPEAK, {"language": _name(names.languages, int(shared_languages[0]), "language")}))
    competency = _competency_fragment(mentees, mentors, i, j, names)
    if w["competency"] and competency:
        out.append(competency)
    goals = np.flatnonzero(mentees.goals[i] & mentors.goals[j])[:3]
    if w["goals"] and goals.size:
        out.append((SHARED_GOALS, {"goals": ", ".join(_name(names.goals, int(g), "goal") for g in goals)}))
    hours = float(np.count_nonzero(mentees.availability[i] & mentors.availability[j]) * rules.slot_hours)
    if w["availability"] and hours > 0:
        out.append((ONE_HOUR if hours == 1 else HOURS, {"hours": hours}))
    rank = np.flatnonzero(mentees.preferences[i] == j)
    if w["preference"] and rank.size:
        out.append((RANKED, {"rank": int(rank[0]) + 1}))
    apart = float(timezone_distance(mentees.utc_offsets[i], mentors.utc_offsets[j]))
    if w["timezone"]:
        out.append((SAME_TIME_ZONE, {}) if apart == 0 else (HOURS_APART, {"hours": apart}))
    if w["diversity"] and mentees.units[i] != mentors.units[j]:
        out.append((DIFFERENT_UNITS, {}))
    return out


def pair_sentence(
    mentees: MenteePool,
    mentors: MentorPool,
    i: int,
    j: int,
    *,
    names: Names | None = None,
    rules: Rules | None = None,
    weights: Weights | None = None,
    translate: Translate = _identity,
) -> str:
    """A plain sentence for one pair, e.g. "both speak Bahasa Indonesia; mentor is level 4 in Negotiation,
    mentee targets 4; 3 hours of shared availability; different divisions"."""
    parts = _fragments(mentees, mentors, i, j, names or Names(), rules or Rules(), weights or Weights())
    return translate(SEPARATOR).join(translate(template).format(**values) for template, values in parts)


def explain_pairs(
    mentees: MenteePool,
    mentors: MentorPool,
    assignment: IntArray,
    *,
    weights: Weights | None = None,
    rules: Rules | None = None,
    names: Names | None = None,
    translate: Translate = _identity,
) -> list[PairExplanation]:
    """Breakdown and sentence for every matched mentee of ``assignment`` (mentor per mentee, -1 none)."""
    weights, rules = weights or Weights(), rules or Rules()
    assignment = np.asarray(assignment, dtype=np.int64)
    rows = np.flatnonzero(assignment >= 0)
    cols = assignment[rows]
    parts = pair_breakdown(mentees, mentors, rows, cols, weights=weights, rules=rules)
    out = []
    for k, (i, j) in enumerate(zip(rows.tolist(), cols.tolist(), strict=True)):
        breakdown = {name: float(parts[name][k]) for name in CRITERIA}
        sentence = pair_sentence(mentees, mentors, i, j, names=names, rules=rules, weights=weights, translate=translate)
        out.append(PairExplanation(i, j, sum(breakdown.values()), breakdown, sentence))
    return out


def _reason(
    i: int,
    masks: dict[str, NDArray[np.bool_]],
    score: NDArray[np.float64],
    room: IntArray,
    capacity: IntArray,
    floor: tuple[float | None, bool],
    translate: Translate,
) -> UnmatchedReason:
    """The reason for one unmatched mentee from their row of rule masks and scores."""
    min_score, score_only = floor
    excluded = {name: int(masks[name].sum()) for name in HARD_RULES if masks[name].any()}
    if (capacity == 0).any():
        excluded["no_capacity"] = int((capacity == 0).sum())
    eligible = ~np.logical_or.reduce([masks[name] for name in HARD_RULES]) & (capacity > 0)
    if not eligible.any():
        return UnmatchedReason(i, NO_ELIGIBLE_MENTOR, _no_eligible_sentence(excluded, translate), excluded)
    good = eligible & (score >= min_score if min_score is not None else True) & (score > 0 if score_only else True)
    count = int(eligible.sum())
    if not good.any():
        sentence = translate(BELOW_MIN_SCORE).format(count=count)
        return UnmatchedReason(i, BELOW_MIN, sentence, excluded, count)
    if (room[good] > 0).any():
        return UnmatchedReason(i, LEFT_OUT, translate(NOT_SELECTED), excluded, count)
    full = int(good.sum())
    sentence = translate(CAPACITY_ONE) if full == 1 else translate(CAPACITY).format(count=full)
    return UnmatchedReason(i, CAPACITY_RAN_OUT, sentence, excluded, count)


def _no_eligible_sentence(excluded: dict[str, int], translate: Translate) -> str:
    """ "no eligible mentor; mentors excluded by no shared language (120), reporting line (1)"."""
    if not excluded:
        return translate(NO_MENTORS)
    ordered = sorted(excluded.items(), key=lambda item: (-item[1], item[0]))
    details = ", ".join(translate(RULE_COUNT).format(rule=translate(RULE_LABELS[r]), count=n) for r, n in ordered)
    return translate(NO_ELIGIBLE).format(details=details)


def explain_unmatched(
    mentees: MenteePool,
    mentors: MentorPool,
    assignment: IntArray,
    *,
    weights: Weights | None = None,
    rules: Rules | None = None,
    exclusions: Exclusions | None = None,
    min_score: float | None = None,
    maximise_matched: bool = True,
    translate: Translate = _identity,
) -> list[UnmatchedReason]:
    """A reason for every unmatched mentee: no eligible mentor (counts per hard rule, a mentor counted under
    each rule it breaks), no eligible pair at the minimum score, or capacity ran out (every eligible mentor
    is full). Pass the same ``min_score`` and ``maximise_matched`` that ``assign`` got."""
    weights, rules, exclusions = weights or Weights(), rules or Rules(), exclusions or Exclusions()
    assignment = np.asarray(assignment, dtype=np.int64)
    capacity = mentors.capacity.astype(np.int64)
    room = capacity - np.bincount(assignment[assignment >= 0], minlength=len(mentors))
    rows = np.flatnonzero(assignment < 0)
    if rows.size == 0:
        return []
    feats = prepare(mentees, mentors)
    floor = (min_score, not maximise_matched)
    out: list[UnmatchedReason] = []
    step = max(1, CHUNK_ELEMENTS // max(len(mentors), 1))
    for start in range(0, rows.size, step):
        chunk = rows[start : start + step]
        sel = Selection(chunk.astype(np.int64), np.arange(len(mentors), dtype=np.int64))
        score, _parts, masks = evaluate(
            mentees, mentors, sel, weights=weights, rules=rules, exclusions=exclusions, feats=feats
        )
        for k, i in enumerate(chunk.tolist()):
            row_masks = {name: masks[name][k] for name in HARD_RULES}
            out.append(_reason(i, row_masks, score[k], room, capacity, floor, translate))
    return out
