"""Typed inputs of the matcher: the two pools, criterion weights, hard-rule settings and caller exclusions.

Everything here is plain numpy so that the ORM side can fill it from enrolments and the tests can build it
by hand. Row ``i`` of every mentee array describes the same mentee, row ``j`` of every mentor array the same
mentor; the score matrix is indexed ``[mentee, mentor]`` in that order.

Levels are small integers ``0..max_level`` (0 means "none"), availability is a boolean week of equal slots
(168 hourly or 336 half-hourly slots; ``Rules.slot_hours`` says which), languages, goals and topics are
boolean membership matrices over a shared vocabulary, and units are integer ids (division or org unit).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Literal

import numpy as np
from numpy.typing import NDArray

Format = Literal["one_to_one", "reverse", "peer", "group"]

#: Levels are whole numbers 0..MAX_LEVEL (0 means none); the criteria expand them into level steps.
MAX_LEVEL = 10

#: Criterion names, in the order explanations list them.
CRITERIA: tuple[str, ...] = ("language", "competency", "goals", "availability", "preference", "timezone", "diversity")

#: Hard-rule names; a pair broken by any of them is forbidden (score ``-inf``).
HARD_RULES: tuple[str, ...] = (
    "same_person",
    "reporting_line",
    "no_shared_language",
    "too_little_availability",
    "closed_before",
    "timezone_gap",
    "format",
)


@dataclass(frozen=True)
class MenteePool:
    """The mentees of one matching run, one row per mentee.

    ``preferences`` holds mentor indices in rank order (column 0 is rank 1), ``-1`` where the mentee ranked
    fewer mentors. ``goals`` marks the goals/topics the mentee wants to work on.
    """

    person_ids: NDArray[np.int64]
    current_levels: NDArray[np.int64]
    target_levels: NDArray[np.int64]
    goals: NDArray[np.bool_]
    languages: NDArray[np.bool_]
    availability: NDArray[np.bool_]
    utc_offsets: NDArray[np.float64]
    grades: NDArray[np.float64]
    units: NDArray[np.int64]
    preferences: NDArray[np.int64]

    def __len__(self) -> int:
        return int(self.person_ids.shape[0])


@dataclass(frozen=True)
class MentorPool:
    """The mentors (or facilitators) of one matching run, one row per mentor.

    ``levels`` are the levels the mentor can offer per competency, ``goals`` the goals/topics they can
    support, ``capacity`` how many mentees (or groups) they take in this run.
    """

    person_ids: NDArray[np.int64]
    levels: NDArray[np.int64]
    goals: NDArray[np.bool_]
    languages: NDArray[np.bool_]
    availability: NDArray[np.bool_]
    utc_offsets: NDArray[np.float64]
    grades: NDArray[np.float64]
    units: NDArray[np.int64]
    capacity: NDArray[np.int64]

    def __len__(self) -> int:
        return int(self.person_ids.shape[0])


@dataclass(frozen=True)
class Weights:
    """Weight of each criterion in the score; 0 switches a criterion off. Defaults sum to 1."""

    competency: float = 0.30
    goals: float = 0.15
    language: float = 0.05
    availability: float = 0.15
    timezone: float = 0.05
    preference: float = 0.20
    diversity: float = 0.10

    @classmethod
    def from_mapping(cls, values: dict[str, float]) -> Weights:
        """Weights from a name → weight mapping (e.g. a JSON field); missing names keep their default."""
        unknown = set(values) - set(CRITERIA)
        if unknown:
            raise ValueError(f"Unknown criteria in weights: {', '.join(sorted(unknown))}.")
        return cls(**{name: float(value) for name, value in values.items()})

    def as_dict(self) -> dict[str, float]:
        """Criterion name → weight, in ``CRITERIA`` order."""
        return {name: float(getattr(self, name)) for name in CRITERIA}


@dataclass(frozen=True)
class Rules:
    """Hard-rule settings and the scales of the soft criteria.

    * ``min_shared_hours``: fewer common hours a week than this forbids the pair (0: no rule).
    * ``max_timezone_gap``: a larger gap in hours forbids the pair (``None``: no rule).
    * ``format`` and ``apply_format_rule``: the seniority rule of the format (see ``scores.format_excludes``).
    * ``peer_grade_tolerance``: the largest grade difference peers may have.
    * ``slot_hours``: the length of one availability slot in hours.
    * ``good_shared_hours``: common hours at which the availability criterion reaches 1.
    """

    format: Format = "one_to_one"
    apply_format_rule: bool = True
    require_shared_language: bool = True
    min_shared_hours: float = 1.0
    max_timezone_gap: float | None = None
    peer_grade_tolerance: float = 1.0
    slot_hours: float = 1.0
    good_shared_hours: float = 4.0


@dataclass(frozen=True)
class Exclusions:
    """Pairs the caller has already decided against, computed on the ORM side.

    ``reporting_line`` is either a boolean ``(n_mentees, n_mentors)`` matrix or ``(k, 2)`` index pairs
    ``[mentee, mentor]`` of people within the programme's reporting-line depth of each other;
    ``closed_pairs`` are ``(k, 2)`` index pairs that were matched before and closed.
    """

    reporting_line: NDArray[np.bool_] | NDArray[np.int64] | None = None
    closed_pairs: NDArray[np.int64] | None = None


@dataclass(frozen=True)
class Names:
    """Display names for explanations: competencies, languages and goals by index."""

    competencies: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)


def validate_pools(mentees: MenteePool, mentors: MentorPool) -> None:
    """Raise ValueError naming the first array whose shape disagrees with the others."""
    n, m = len(mentees), len(mentors)
    for pool, size in ((mentees, n), (mentors, m)):
        for f in fields(pool):
            value = getattr(pool, f.name)
            if value.shape[0] != size:
                raise ValueError(f"{type(pool).__name__}.{f.name} has {value.shape[0]} rows, expected {size}.")
    pairs = (
        ("current_levels", "levels"),
        ("target_levels", "levels"),
        ("goals", "goals"),
        ("languages", "languages"),
        ("availability", "availability"),
    )
    for mentee_name, mentor_name in pairs:
        a, b = getattr(mentees, mentee_name), getattr(mentors, mentor_name)
        if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
            raise ValueError(f"MenteePool.{mentee_name} {a.shape} and MentorPool.{mentor_name} {b.shape} disagree.")
    for name, levels in (
        ("MenteePool.current_levels", mentees.current_levels),
        ("MenteePool.target_levels", mentees.target_levels),
        ("MentorPool.levels", mentors.levels),
    ):
        if levels.size and (np.any(levels != np.round(levels)) or levels.min() < 0 or levels.max() > MAX_LEVEL):
            raise ValueError(f"{name} must hold whole levels from 0 to {MAX_LEVEL}.")
    if mentees.preferences.ndim != 2:
        raise ValueError("MenteePool.preferences must be a 2-D array of mentor indices (-1 for none).")
    if np.any(mentees.preferences >= m):
        raise ValueError("MenteePool.preferences names a mentor index outside the mentor pool.")
