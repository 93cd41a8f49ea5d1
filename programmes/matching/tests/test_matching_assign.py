"""Property and edge-case tests of ``programmes.matching.engine.assign`` against independent exact references.

Pure: no Django, no database. References: brute force over every assignment (small instances) and scipy's
``linear_sum_assignment`` on capacity-replicated mentor columns with a big-M bonus per match (medium ones).
Ties make the optimal assignment non-unique, so the tests compare objectives, never the assignment itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from programmes.matching.engine import assign, assignment, greedy_assign

Objective = tuple[int, float]


def allowed_mask(scores: np.ndarray, min_score: float | None, maximise_matched: bool) -> np.ndarray:
    """Pairs the objective may use: finite, at least min_score, and positive when only the score counts."""
    ok = np.isfinite(scores)
    if min_score is not None:
        ok &= scores >= min_score
    if not maximise_matched:
        ok &= scores > 0
    return ok


def objective(scores: np.ndarray, result: np.ndarray) -> Objective:
    """(mentees matched, total score) of an assignment."""
    rows = np.flatnonzero(result >= 0)
    return len(rows), float(scores[rows, result[rows]].sum())


def brute_force(scores: np.ndarray, capacity: np.ndarray, min_score: float | None, maximise: bool) -> Objective:
    """The best (count, total) over every valid assignment, by depth-first search."""
    ok = allowed_mask(scores, min_score, maximise)
    n, m = scores.shape
    room = capacity.copy()
    best: list[Objective] = [(0, 0.0)]

    def better(a: Objective, b: Objective) -> bool:
        if not maximise:
            return a[1] > b[1] + 1e-12
        return a[0] > b[0] or (a[0] == b[0] and a[1] > b[1] + 1e-12)

    def visit(i: int, count: int, total: float) -> None:
        if i == n:
            if better((count, total), best[0]):
                best[0] = (count, total)
            return
        visit(i + 1, count, total)
        for j in range(m):
            if ok[i, j] and room[j] > 0:
                room[j] -= 1
                visit(i + 1, count + 1, total + float(scores[i, j]))
                room[j] += 1

    visit(0, 0, 0.0)
    return best[0]


def replicated_reference(
    scores: np.ndarray, capacity: np.ndarray, min_score: float | None, maximise: bool
) -> Objective:
    """The optimum by linear_sum_assignment on one column per mentor seat, big-M per match if maximising."""
    seats = np.repeat(np.arange(scores.shape[1]), capacity)
    values = scores[:, seats]
    ok = allowed_mask(values, min_score, maximise)
    if not ok.any():
        return 0, 0.0
    span = float(values[ok].max() - values[ok].min()) + 1.0
    bonus = span * (min(values.shape) + 1) if maximise else 0.0
    rows, cols = linear_sum_assignment(np.where(ok, values + bonus, 0.0), maximize=True)
    keep = ok[rows, cols]
    rows, cols = rows[keep], cols[keep]
    return len(rows), float(scores[rows, seats[cols]].sum())


def assert_valid(scores: np.ndarray, capacity: np.ndarray, result: np.ndarray, min_score: float | None) -> None:
    """Never over capacity, never a forbidden pair, never below the floor."""
    assert result.shape == (scores.shape[0],)
    assert result.dtype == np.int64
    rows = np.flatnonzero(result >= 0)
    assert np.all(result[result >= 0] < scores.shape[1])
    assert np.all(np.bincount(result[rows], minlength=scores.shape[1]) <= capacity)
    chosen = scores[rows, result[rows]]
    assert np.all(np.isfinite(chosen))
    if min_score is not None:
        assert np.all(chosen >= min_score)


def assert_same_objective(got: Objective, expected: Objective, maximise: bool) -> None:
    """Same number matched (when it counts) and the same total within 1e-6."""
    if maximise:
        assert got[0] == expected[0]
    assert got[1] == pytest.approx(expected[1], abs=1e-6)


@contextmanager
def sparse_start() -> Iterator[None]:
    """Force the candidate-graph path with one candidate per row and column, so pricing does the work."""
    names = ("COMPLETE_GRAPH_PAIRS", "ROW_CANDIDATES", "COL_CANDIDATES", "ROW_ADDITIONS")
    saved = {name: getattr(assignment, name) for name in names}
    try:
        for name, value in zip(names, (0, 1, 1, 1), strict=True):
            setattr(assignment, name, value)
        yield
    finally:
        for name, value in saved.items():
            setattr(assignment, name, value)


@contextmanager
def tiny_bonus() -> Iterator[None]:
    """Start the cardinality bonus just above what keeps gains positive, so it must be doubled often."""
    saved = assignment._initial_bonus
    assignment._initial_bonus = lambda problem: max(0.0, -problem.low) + 1e-3  # type: ignore[assignment]
    try:
        yield
    finally:
        assignment._initial_bonus = saved  # type: ignore[assignment]


@st.composite
def instances(draw: st.DrawFn, max_n: int, max_m: int, max_cap: int) -> tuple[np.ndarray, np.ndarray]:
    """A score matrix with ties, negative values and -inf, and capacities 0..max_cap."""
    n = draw(st.integers(0, max_n))
    m = draw(st.integers(0, max_m))
    values = st.one_of(st.integers(-3, 9).map(lambda v: v / 4), st.just(-np.inf))
    cells = draw(st.lists(values, min_size=n * m, max_size=n * m))
    capacity = draw(st.lists(st.integers(0, max_cap), min_size=m, max_size=m))
    return np.array(cells, dtype=float).reshape(n, m), np.array(capacity, dtype=np.int64)


@st.composite
def medium_instances(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """Random 5–40 × 3–15 instances with a low-rank structure (popular mentors) and forbidden pairs."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n, m = draw(st.integers(5, 40)), draw(st.integers(3, 15))
    scores = rng.random((n, 3)) @ rng.random((3, m)) + 0.5 * rng.random((n, m)) - draw(st.sampled_from([0.0, 0.8]))
    scores[rng.random((n, m)) < draw(st.sampled_from([0.0, 0.3, 0.7]))] = -np.inf
    return scores, rng.integers(0, 4, size=m)


modes = st.tuples(st.booleans(), st.sampled_from([None, 0.0, 0.5, -0.5]))


@settings(max_examples=200, deadline=None)
@given(instances(max_n=6, max_m=4, max_cap=2), modes)
def test_assign_matches_brute_force_on_small_instances(case: tuple, mode: tuple) -> None:
    (scores, capacity), (maximise, min_score) = case, mode
    result = assign(scores, capacity, min_score=min_score, maximise_matched=maximise)
    assert_valid(scores, capacity, result, min_score)
    assert_same_objective(objective(scores, result), brute_force(scores, capacity, min_score, maximise), maximise)


@settings(max_examples=100, deadline=None)
@given(instances(max_n=6, max_m=4, max_cap=2), modes)
def test_sparse_candidate_path_matches_brute_force(case: tuple, mode: tuple) -> None:
    (scores, capacity), (maximise, min_score) = case, mode
    with sparse_start():
        result = assign(scores, capacity, min_score=min_score, maximise_matched=maximise)
    assert_valid(scores, capacity, result, min_score)
    assert_same_objective(objective(scores, result), brute_force(scores, capacity, min_score, maximise), maximise)


@settings(max_examples=100, deadline=None)
@given(instances(max_n=6, max_m=4, max_cap=2), st.sampled_from([None, -0.5]))
def test_a_small_starting_bonus_is_raised_until_the_matching_is_largest(case: tuple, min_score: float | None) -> None:
    scores, capacity = case
    with tiny_bonus(), sparse_start():
        result = assign(scores, capacity, min_score=min_score)
    assert_valid(scores, capacity, result, min_score)
    assert_same_objective(objective(scores, result), brute_force(scores, capacity, min_score, True), True)


@settings(max_examples=100, deadline=None)
@given(medium_instances(), modes, st.booleans())
def test_assign_matches_replicated_linear_sum_assignment(case: tuple, mode: tuple, sparse: bool) -> None:
    (scores, capacity), (maximise, min_score) = case, mode
    if sparse:
        with sparse_start():
            result = assign(scores, capacity, min_score=min_score, maximise_matched=maximise)
    else:
        result = assign(scores, capacity, min_score=min_score, maximise_matched=maximise)
    assert_valid(scores, capacity, result, min_score)
    expected = replicated_reference(scores, capacity, min_score, maximise)
    assert_same_objective(objective(scores, result), expected, maximise)


def test_larger_instance_through_the_pricing_loop_is_optimal() -> None:
    rng = np.random.default_rng(7)
    n, m = 400, 150  # above COMPLETE_GRAPH_PAIRS, so the default candidate graph and pricing are used
    scores = rng.random((n, 4)) @ rng.random((4, m)) / 4 + 0.3 * rng.random((n, m))
    scores[rng.random((n, m)) < 0.5] = -np.inf
    capacity = rng.integers(0, 4, size=m)
    for maximise in (True, False):
        result = assign(scores, capacity, maximise_matched=maximise)
        assert_valid(scores, capacity, result, None)
        expected = replicated_reference(scores, capacity, None, maximise)
        assert_same_objective(objective(scores, result), expected, maximise)


def test_assign_is_deterministic() -> None:
    rng = np.random.default_rng(3)
    scores = np.round(rng.random((300, 200)), 1)  # many ties
    capacity = rng.integers(1, 3, size=200)
    first = assign(scores, capacity)
    assert np.array_equal(first, assign(scores.copy(), capacity.copy()))


def test_maximise_matched_prefers_more_pairs_over_a_higher_total() -> None:
    scores = np.array([[10.0, 0.5], [9.0, -np.inf]])
    capacity = np.array([1, 1])
    assert assign(scores, capacity).tolist() == [1, 0]
    assert assign(scores, capacity, maximise_matched=False).tolist() == [0, -1]


def test_maximise_matched_takes_a_negative_pair_to_match_one_more_mentee() -> None:
    assert assign(np.array([[-1.0]]), np.array([1])).tolist() == [0]


def test_score_only_leaves_out_a_negative_pair() -> None:
    assert assign(np.array([[-1.0]]), np.array([1]), maximise_matched=False).tolist() == [-1]


def test_min_score_forbids_weaker_pairs_even_when_maximising_matches() -> None:
    scores = np.array([[0.9, 0.2], [0.8, 0.3]])
    result = assign(scores, np.array([1, 1]), min_score=0.5)
    assert sorted(result.tolist()) == [-1, 0]


def test_no_mentor_is_given_more_mentees_than_capacity() -> None:
    scores = np.ones((5, 2))
    result = assign(scores, np.array([2, 1]))
    assert np.bincount(result[result >= 0], minlength=2).tolist() == [2, 1]
    assert (result == -1).sum() == 2


@pytest.mark.parametrize(
    ("scores", "capacity"),
    [
        (np.zeros((0, 3)), np.array([1, 1, 1])),
        (np.zeros((3, 0)), np.zeros(0, dtype=int)),
        (np.full((3, 2), -np.inf), np.array([1, 1])),
        (np.ones((3, 2)), np.array([0, 0])),
    ],
    ids=["no mentees", "no mentors", "all forbidden", "no capacity"],
)
def test_nobody_is_matched_when_nothing_is_possible(scores: np.ndarray, capacity: np.ndarray) -> None:
    result = assign(scores, capacity)
    assert result.tolist() == [-1] * scores.shape[0]


def test_nan_scores_are_rejected_with_a_message_that_says_so() -> None:
    scores = np.ones((3, 2))
    scores[1, 1] = np.nan
    with pytest.raises(ValueError, match=r"NaN.*row 1"):
        assign(scores, np.array([1, 1]))


def test_plus_infinity_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"\+inf"):
        assign(np.array([[np.inf]]), np.array([1]))


@pytest.mark.parametrize(
    ("scores", "capacity", "message"),
    [
        (np.ones((2, 3)), np.array([1, 1]), "one entry per mentor"),
        (np.ones(3), np.array([1, 1, 1]), "2-D"),
        (np.ones((2, 2)), np.array([1, -1]), "whole numbers"),
        (np.ones((2, 2)), np.array([1.5, 1]), "whole numbers"),
        (np.array([["a"]]), np.array([1]), "numeric"),
    ],
    ids=["capacity length", "1-D scores", "negative capacity", "fractional capacity", "text scores"],
)
def test_bad_shapes_and_values_are_rejected(scores: np.ndarray, capacity: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        assign(scores, capacity)


def test_non_finite_min_score_is_rejected() -> None:
    with pytest.raises(ValueError, match="min_score"):
        assign(np.ones((1, 1)), np.array([1]), min_score=float("nan"))


def sorted_greedy(scores: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Greedy by one global sort of the finite pairs (ties: lower mentee, then lower mentor)."""
    room, result = capacity.copy(), np.full(scores.shape[0], -1)
    rows, cols = np.nonzero(np.isfinite(scores))
    for k in np.argsort(-scores[rows, cols], kind="stable"):
        if result[rows[k]] < 0 and room[cols[k]] > 0:
            result[rows[k]] = cols[k]
            room[cols[k]] -= 1
    return result


@settings(max_examples=100, deadline=None)
@given(instances(max_n=30, max_m=12, max_cap=3))
def test_greedy_baseline_takes_pairs_from_the_best_score_down(case: tuple) -> None:
    scores, capacity = case
    result = greedy_assign(scores, capacity)
    assert np.array_equal(result, sorted_greedy(scores, capacity))
    assert objective(scores, result)[1] <= objective(scores, assign(scores, capacity, maximise_matched=False))[1] + 1e-9
