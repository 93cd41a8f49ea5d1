"""Tests of group and peer-circle formation and facilitator assignment. Pure: no Django, no database."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from programmes.matching.engine import MenteePool
from programmes.matching.engine.groups import (
    assign_facilitators,
    form_groups,
    group_scores,
    group_sizes,
    need_vectors,
    plan_groups,
)


def most_placeable(n: int, low: int, high: int) -> int:
    """The most mentees any split into groups of low..high can place (by trying every group count)."""
    return max([min(n, g * high) for g in range(0, n + 1) if g * low <= n], default=0)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 60), st.integers(1, 6), st.integers(0, 4))
def test_group_sizes_stay_in_range_and_place_as_many_as_possible(n: int, low: int, extra: int) -> None:
    high = low + extra
    sizes = group_sizes(n, low, high)
    assert all(low <= size <= high for size in sizes)
    assert sum(sizes) == most_placeable(n, low, high)
    assert max(sizes, default=0) - min(sizes, default=0) <= 1 or sum(sizes) < n


def test_impossible_size_ranges_are_rejected() -> None:
    with pytest.raises(ValueError, match="min_size"):
        group_sizes(10, 4, 3)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(0, 45),
    low=st.integers(2, 5),
    extra=st.integers(0, 3),
)
def test_every_group_is_in_range_and_every_mentee_in_at_most_one(seed: int, n: int, low: int, extra: int) -> None:
    needs = np.random.default_rng(seed).integers(0, 3, size=(n, 6)).astype(float)
    members, ungrouped = form_groups(needs, low, low + extra)
    placed = np.concatenate([*members, ungrouped]) if members else ungrouped
    assert sorted(placed.tolist()) == list(range(n))
    assert all(low <= len(group) <= low + extra for group in members)
    assert sum(len(group) for group in members) == most_placeable(n, low, low + extra)


def test_group_formation_is_deterministic() -> None:
    needs = np.random.default_rng(1).random((30, 5))
    first, _ = form_groups(needs, 3, 5)
    second, _ = form_groups(needs.copy(), 3, 5)
    assert [g.tolist() for g in first] == [g.tolist() for g in second]


def test_mentees_with_the_same_need_end_up_together() -> None:
    needs = np.zeros((8, 2))
    needs[[0, 2, 4, 6], 0] = 1.0  # all need competency 0
    needs[[1, 3, 5, 7], 1] = 1.0  # all need competency 1
    members, ungrouped = form_groups(needs, 4, 4)
    assert ungrouped.size == 0
    assert sorted(g.tolist() for g in members) == [[0, 2, 4, 6], [1, 3, 5, 7]]


def test_too_few_mentees_form_no_group() -> None:
    members, ungrouped = form_groups(np.ones((2, 3)), 3, 5)
    assert members == []
    assert ungrouped.tolist() == [0, 1]


def test_need_vectors_combine_gaps_and_goals_at_unit_length() -> None:
    pool = MenteePool(
        person_ids=np.arange(2),
        current_levels=np.array([[1, 2], [3, 3]]),
        target_levels=np.array([[3, 2], [3, 3]]),
        goals=np.array([[False], [False]]),
        languages=np.ones((2, 1), dtype=bool),
        availability=np.ones((2, 168), dtype=bool),
        utc_offsets=np.zeros(2),
        grades=np.ones(2),
        units=np.zeros(2, dtype=np.int64),
        preferences=np.full((2, 5), -1),
    )
    assert need_vectors(pool).tolist() == [[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]


def test_a_group_score_is_forbidden_when_any_member_is_forbidden() -> None:
    scores = np.array([[0.5, 0.9], [-np.inf, 0.7]])
    result = group_scores(scores, [np.array([0, 1])])
    assert np.isneginf(result[0, 0])
    assert result[0, 1] == pytest.approx(0.8)


@settings(max_examples=50, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(0, 40), m=st.integers(1, 6))
def test_facilitators_are_never_over_capacity_nor_forbidden(seed: int, n: int, m: int) -> None:
    rng = np.random.default_rng(seed)
    scores = rng.random((n, m))
    scores[rng.random((n, m)) < 0.1] = -np.inf
    capacity = rng.integers(0, 3, size=m)
    plan = plan_groups(rng.random((n, 4)), 3, 5, scores=scores, capacity=capacity)
    chosen = plan.facilitator[plan.facilitator >= 0]
    assert np.all(np.bincount(chosen, minlength=m) <= capacity)
    for group, mentor in zip(plan.members, plan.facilitator.tolist(), strict=True):
        if mentor >= 0:
            assert np.all(np.isfinite(scores[group, mentor]))


def test_facilitators_go_where_the_group_fits_best() -> None:
    scores = np.array([[0.9, 0.1], [0.8, 0.2], [0.1, 0.9], [0.2, 0.8]])
    members = [np.array([0, 1]), np.array([2, 3])]
    assert assign_facilitators(scores, members, np.array([1, 1])).tolist() == [0, 1]


def test_peer_circles_have_no_facilitator() -> None:
    plan = plan_groups(np.eye(6), 3, 3)
    assert len(plan.members) == 2
    assert plan.facilitator.tolist() == [-1, -1]
