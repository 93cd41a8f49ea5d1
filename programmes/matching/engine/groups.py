"""Groups and peer circles: mentees with shared needs in groups of ``min_size..max_size``, then facilitators.

Method (deterministic, documented rather than clever):

1. Needs. Each mentee is a vector: needed level steps per competency (target − current, at least 0) and
   their goals, scaled to unit length; two mentees' shared need is the cosine of their vectors.
2. Sizes. As many mentees as possible are grouped: with ``g = ceil(n / max)`` groups everyone fits if
   ``g · min <= n`` (sizes as equal as possible); otherwise ``floor(n / min)`` groups of ``max`` and the
   rest stay ungrouped (no size split could place them).
3. Seeds. The mentee with the largest need starts group 1; each next group starts with the mentee least
   similar to every seed so far (farthest-point seeding, lowest index on ties).
4. Balanced k-means. Mentees are assigned to groups by ``assign`` with each group's target size as its
   capacity and cosine similarity to the group's centre as the score, so every group gets exactly its
   size and the total similarity is optimal for those centres; centres become the members' mean, and
   this repeats until nothing moves (at most ``rounds`` times).
5. Facilitators. A group's score for a mentor is the mean of its members' scores (``-inf`` if any member
   may not be paired with them), and ``assign`` picks facilitators within their capacity in groups.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .assignment import assign
from .pools import MenteePool

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class GroupPlan:
    """Groups (mentee indices, ascending), a facilitator per group (-1: none) and the mentees left out."""

    members: list[IntArray]
    facilitator: IntArray
    ungrouped: IntArray


def group_sizes(n: int, min_size: int, max_size: int) -> list[int]:
    """Sizes in ``min_size..max_size`` that place as many of ``n`` mentees as possible, as equal as possible."""
    if min_size < 1 or max_size < min_size:
        raise ValueError(f"Group sizes need 1 <= min_size <= max_size, got {min_size}..{max_size}.")
    if n < min_size:
        return []
    count = -(-n // max_size)
    if count * min_size > n:
        return [max_size] * (n // min_size)
    base, extra = divmod(n, count)
    return [base + 1] * extra + [base] * (count - extra)


def need_vectors(mentees: MenteePool) -> FloatArray:
    """Unit-length need vectors: needed level steps per competency, then goals (zero for no needs)."""
    gaps = np.maximum(mentees.target_levels - mentees.current_levels, 0).astype(np.float64)
    return _unit_rows(np.hstack([gaps, mentees.goals.astype(np.float64)]))


def _unit_rows(vectors: FloatArray) -> FloatArray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors, dtype=np.float64), where=norms > 0)


def _seeds(needs: FloatArray, count: int) -> IntArray:
    """Farthest-point seeds: the largest need first, then whoever is least similar to every seed so far."""
    raw = np.linalg.norm(needs, axis=1)
    seeds = [int(np.argmax(raw))]
    closest = needs @ needs[seeds[0]]
    while len(seeds) < count:
        candidates = closest.copy()
        candidates[seeds] = np.inf
        seeds.append(int(np.argmin(candidates)))
        closest = np.maximum(closest, needs @ needs[seeds[-1]])
    return np.array(seeds, dtype=np.int64)


def form_groups(
    needs: FloatArray, min_size: int, max_size: int, *, rounds: int = 10
) -> tuple[list[IntArray], IntArray]:
    """Groups of mentees with shared needs (steps 2–4 of the module docstring) and the ungrouped mentees."""
    needs = _unit_rows(np.asarray(needs, dtype=np.float64))
    n = needs.shape[0]
    sizes = np.array(group_sizes(n, min_size, max_size), dtype=np.int64)
    if sizes.size == 0:
        return [], np.arange(n, dtype=np.int64)
    centres = needs[_seeds(needs, sizes.size)]
    group_of = np.full(n, -2, dtype=np.int64)
    for _ in range(rounds):
        placed = assign(needs @ centres.T, sizes)
        if np.array_equal(placed, group_of):
            break
        group_of = placed
        centres = _unit_rows(np.vstack([needs[group_of == g].mean(axis=0) for g in range(sizes.size)]))
    members = [np.flatnonzero(group_of == g) for g in range(sizes.size)]
    return members, np.flatnonzero(group_of < 0)


def group_scores(scores: FloatArray, members: list[IntArray]) -> FloatArray:
    """(groups × mentors): the mean member score, ``-inf`` when any member is forbidden with the mentor."""
    scores = np.asarray(scores, dtype=np.float64)
    if not members:
        return np.zeros((0, scores.shape[1]))
    return np.vstack([scores[group].mean(axis=0) for group in members])


def assign_facilitators(
    scores: FloatArray, members: list[IntArray], capacity: IntArray, *, min_score: float | None = None
) -> IntArray:
    """A facilitator per group (mentor index, -1 none), exact and within ``capacity`` groups per mentor."""
    return assign(group_scores(scores, members), capacity, min_score=min_score)


def plan_groups(
    needs: FloatArray,
    min_size: int,
    max_size: int,
    *,
    scores: FloatArray | None = None,
    capacity: IntArray | None = None,
) -> GroupPlan:
    """Form groups and, given mentee × mentor ``scores`` and ``capacity``, their facilitators.

    Peer circles pass no scores: every facilitator is then -1.
    """
    members, ungrouped = form_groups(needs, min_size, max_size)
    if scores is None or capacity is None:
        return GroupPlan(members, np.full(len(members), -1, dtype=np.int64), ungrouped)
    return GroupPlan(members, assign_facilitators(scores, members, capacity), ungrouped)
