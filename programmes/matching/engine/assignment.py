"""The exact capacity-constrained assignment of mentees to mentors: ``assign``.

Problem. ``scores[i, j]`` is the value of pairing mentee i with mentor j (``-inf``: forbidden), mentor j
takes at most ``capacity[j]`` mentees, each mentee at most one mentor. With ``maximise_matched`` the
objective is lexicographic: as many mentees matched as possible, then the largest total score among those
assignments. Without it, the largest total score; a pair then only enters if it adds score (> 0).
``min_score`` forbids weaker pairs in both modes.

Algorithm (exact, with a proof of optimality over the full dense matrix):

1. Candidate graph. Start from a sparse set of allowed pairs: each mentee's best ``ROW_CANDIDATES``
   mentors and each mentor's best ``COL_CANDIDATES`` mentees (all pairs for small instances).
2. Cardinality (``maximise_matched`` only). Hopcroft–Karp gives a maximum assignment on the candidates;
   König's theorem turns it into a capacity-weighted vertex cover of the same size. If that cover also
   covers every allowed pair of the full matrix, no assignment can be larger: ``k*`` is proved maximum.
   Uncovered allowed pairs are added to the candidates and the step repeats. (Integer logic, no tolerance.)
3. Score. Maximise Σ (score + w) over the candidates, where the bonus ``w`` per matched pair is raised
   (doubled) until the optimum matches ``k*`` mentees. An assignment of ``k*`` pairs that maximises
   Σ score + w·k* maximises Σ score among all ``k*``-assignments, so this is the lexicographic optimum
   (without ``maximise_matched``, w = 0). Each solve is LAPJVsp on capacity-replicated mentor slots.
4. Certificate. The transportation LP of step 3 is totally unimodular, so its optimum over the full
   matrix is an integral assignment, and LP duality says: an assignment is optimal over ALL allowed pairs
   iff there are duals u_i ≥ 0, v_j ≥ 0 with u_i + v_j ≥ score_ij + w for every allowed pair, equality
   on the chosen pairs, u_i = 0 for unmatched mentees, v_j = 0 for mentors below capacity. Such duals
   for the candidate graph come from shortest paths (``_sparse.dual_potentials``); then every pair of
   the dense matrix is priced in memory-bounded row chunks. A pair with ``score + w − u − v > tol`` is a
   violation: the worst violators per row and per column join the candidates and steps 3–4 repeat. When
   none is left, the duals are feasible for the full problem and the assignment is optimal.
   Termination: candidates far from optimal (reduced cost below −PRUNE × range) are dropped between
   rounds, keeping the chosen pairs, so every round's total is at least the last one's. Once a round
   fails to improve it, pruning stops and the candidate graph only grows (each round adds at least one
   violating pair), so the loop ends; in practice after three to six rounds.

Tolerance: prices are compared with ``tol = 1e-11 × score scale``, so the certified total is within
``n_mentees × tol`` of the optimum, i.e. exact for any practical purpose. The result is finally checked
to be a valid assignment (capacity, allowed pairs). Same input, same output: every step is deterministic.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._sparse import Graph, best_assignment, dual_potentials, koenig_reachable, max_cardinality

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

logger = logging.getLogger(__name__)

#: Each mentee's best mentors in the first candidate graph.
ROW_CANDIDATES = 8
#: Each mentor's best mentees in the first candidate graph (and per round of pricing).
COL_CANDIDATES = 8
#: Violating pairs added per mentee per pricing round.
ROW_ADDITIONS = 8
#: Instances up to this many pairs start from the complete graph of allowed pairs.
COMPLETE_GRAPH_PAIRS = 50_000
#: Elements per row chunk of a dense pass (8 MB of float64).
CHUNK_ELEMENTS = 1_000_000
#: Between rounds, candidate pairs whose reduced cost is below −PRUNE × (score range) are dropped (the
#: chosen pairs always stay). They can come back as violations; pruning stops for good as soon as a
#: round fails to improve the total, so the loop still ends.
PRUNE = 0.05
#: Relative tolerances of the duals (Bellman–Ford) and of pricing.
DUAL_EPS = 1e-13
PRICE_TOL = 1e-11


@dataclass(frozen=True)
class _Problem:
    """Validated input and the facts about it that the solver needs."""

    scores: FloatArray
    capacity: IntArray
    min_score: float | None
    maximise_matched: bool
    low: float  # smallest allowed score (0 when none is allowed)
    high: float  # largest allowed score

    @property
    def shape(self) -> tuple[int, int]:
        return int(self.scores.shape[0]), int(self.scores.shape[1])

    def chunks(self) -> Iterator[tuple[int, int]]:
        """Row ranges of about ``CHUNK_ELEMENTS`` elements."""
        n, m = self.shape
        step = max(1, CHUNK_ELEMENTS // max(m, 1))
        for start in range(0, n, step):
            yield start, min(start + step, n)

    @property
    def needs_mask(self) -> bool:
        """Whether some finite scores are not allowed (a floor, score-only mode, or capacity-0 mentors)."""
        return self.min_score is not None or not self.maximise_matched or not self.capacity.all()

    def masked(self, start: int, stop: int) -> FloatArray:
        """Scores of rows ``start:stop`` with ``-inf`` wherever the pair is not allowed."""
        block = self.scores[start:stop].copy()
        self.forbid(block, self.scores[start:stop])
        return block

    def forbid(self, block: FloatArray, raw: FloatArray) -> None:
        """Set ``-inf`` in ``block`` where the raw scores are not allowed (-inf, below floor, no capacity)."""
        if self.min_score is not None:
            block[raw < self.min_score] = -np.inf
        if not self.maximise_matched:
            block[raw <= 0] = -np.inf
        block[:, self.capacity == 0] = -np.inf


def _validated(scores: ArrayLike, capacity: ArrayLike, min_score: float | None, maximise_matched: bool) -> _Problem:
    """Check shapes and values (ValueError saying what is wrong) and find the allowed score range."""
    s = np.asarray(scores)
    if s.ndim != 2:
        raise ValueError(f"scores must be a 2-D (mentees × mentors) array, got shape {s.shape}.")
    if not (np.issubdtype(s.dtype, np.floating) or np.issubdtype(s.dtype, np.integer)):
        raise ValueError(f"scores must be numeric, got dtype {s.dtype}.")
    s = s.astype(np.float64, copy=False)
    c = np.asarray(capacity)
    if c.ndim != 1 or c.shape[0] != s.shape[1]:
        raise ValueError(f"capacity must have one entry per mentor ({s.shape[1]}), got shape {c.shape}.")
    if c.size and (not np.all(np.isfinite(c)) or np.any(c != np.round(c)) or np.any(c < 0)):
        raise ValueError("capacity must hold whole numbers ≥ 0.")
    if min_score is not None and not np.isfinite(min_score):
        raise ValueError(f"min_score must be a finite number or None, got {min_score!r}.")
    problem = _Problem(s, c.astype(np.int64), min_score, maximise_matched, 0.0, 0.0)
    low, high = _scan(problem)
    return _Problem(s, problem.capacity, min_score, maximise_matched, low, high)


def _scan(problem: _Problem) -> tuple[float, float]:
    """Reject NaN and +inf; return the smallest and largest allowed score."""
    low, high = np.inf, -np.inf
    for start, stop in problem.chunks():
        raw = problem.scores[start:stop]
        top = raw.max(initial=-np.inf)  # NaN propagates through max, so one pass finds NaN and +inf
        if np.isnan(top):
            row = start + int(np.flatnonzero(np.isnan(raw).any(axis=1))[0])
            raise ValueError(f"scores contain NaN (first in mentee row {row}); use -inf for a forbidden pair.")
        if top == np.inf:
            raise ValueError("scores contain +inf; scores must be finite, or -inf for a forbidden pair.")
        block = problem.masked(start, stop) if problem.needs_mask else raw
        low = min(low, float(block.min(where=block > -np.inf, initial=np.inf)))
        high = max(high, float(block.max(initial=-np.inf)))
    return (0.0, 0.0) if low > high else (low, high)


def _top_pairs(
    problem: _Problem, values: Callable[[int, int], FloatArray | None], threshold: float, per_row: int, per_col: int
) -> IntArray:
    """Keys (row·m + col) of each row's ``per_row`` and each column's ``per_col`` largest values > threshold."""
    m = problem.shape[1]
    keys: list[IntArray] = []
    col_val = np.full((per_col, m), -np.inf)
    col_row = np.zeros((per_col, m), dtype=np.int64)
    for start, stop in problem.chunks():
        block = values(start, stop)
        if block is None:
            continue
        above = block > threshold
        live = np.flatnonzero(above.any(axis=1))
        if live.size == 0:
            continue
        sub = np.where(above[live], block[live], -np.inf)
        keys.append(_row_tops(sub, live + start, per_row, m))
        if per_col:
            col_val, col_row = _merge_col_tops(sub, live + start, col_val, col_row)
    good = np.isfinite(col_val)
    keys.append(col_row[good] * m + np.nonzero(good)[1])
    return np.unique(np.concatenate(keys))


def _row_tops(sub: FloatArray, rows: IntArray, k: int, m: int) -> IntArray:
    """Keys of the ``k`` largest finite entries of each row of ``sub``."""
    k = min(k, m)
    idx = np.argpartition(-sub, k - 1, axis=1)[:, :k] if k < m else np.broadcast_to(np.arange(m), (len(rows), m))
    keep = np.isfinite(np.take_along_axis(sub, idx, axis=1))
    return (np.repeat(rows, idx.shape[1]).reshape(idx.shape) * m + idx)[keep]


def _merge_col_tops(
    sub: FloatArray, rows: IntArray, col_val: FloatArray, col_row: IntArray
) -> tuple[FloatArray, IntArray]:
    """Merge a chunk into the running top-k (values, rows) per column, as a streaming selection.

    Only entries above a column's current k-th best can enter, so after the first chunks few qualify; a
    sort by (column, value descending, arrival) then keeps exactly k per column, deterministically.
    """
    k, m = col_val.shape
    r, c = np.nonzero(sub > col_val.min(axis=0)[None, :])
    if r.size == 0:
        return col_val, col_row
    all_val = np.concatenate([col_val.T.ravel(), sub[r, c]])
    all_row = np.concatenate([col_row.T.ravel(), rows[r]])
    all_col = np.concatenate([np.repeat(np.arange(m), k), c])
    order = np.lexsort((-all_val, all_col))
    first = np.searchsorted(all_col[order], np.arange(m))
    pick = order[(np.arange(order.size) - first[all_col[order]]) < k]
    return all_val[pick].reshape(m, k).T.copy(), all_row[pick].reshape(m, k).T.copy()


def _initial_graph(problem: _Problem) -> Graph:
    """All allowed pairs of a small instance, else each row's and column's best allowed pairs."""
    n, m = problem.shape
    if n * m <= COMPLETE_GRAPH_PAIRS:
        keys = _top_pairs(problem, problem.masked, -np.inf, m, 0)
    else:
        keys = _top_pairs(problem, problem.masked, -np.inf, ROW_CANDIDATES, min(COL_CANDIDATES, n))
    return Graph.from_keys(keys, n, m)


def _with(graph: Graph, keys: IntArray) -> Graph:
    """The graph plus the pairs ``keys``."""
    return Graph.from_keys(np.union1d(graph.keys, keys), graph.n_rows, graph.n_cols)


def _certified_cardinality(problem: _Problem, graph: Graph) -> tuple[Graph, int]:
    """The largest number of mentees any assignment matches, proved by König's theorem (step 2)."""
    while True:
        mentor_of = max_cardinality(graph, problem.capacity)
        missing = _uncovered(problem, *koenig_reachable(graph, mentor_of))
        logger.debug("cardinality %d on %d pairs; %d uncovered", (mentor_of >= 0).sum(), graph.rows.size, missing.size)
        if missing.size == 0:
            return graph, int((mentor_of >= 0).sum())
        graph = _with(graph, missing)


def _uncovered(problem: _Problem, rows_z: NDArray[np.bool_], mentors_z: NDArray[np.bool_]) -> IntArray:
    """Keys of allowed pairs the König cover misses: reachable mentee, unreachable mentor (best per row)."""

    def block(start: int, stop: int) -> FloatArray | None:
        if not rows_z[start:stop].any():
            return None
        values = problem.masked(start, stop)
        values[~rows_z[start:stop]] = -np.inf
        values[:, mentors_z] = -np.inf
        return values

    return _top_pairs(problem, block, -np.inf, ROW_ADDITIONS, 0)


def _initial_bonus(problem: _Problem) -> float:
    """A per-match bonus that makes every gain positive and usually already forces the largest matching."""
    span = problem.high - problem.low
    size = max(span, abs(problem.low), abs(problem.high))
    return 2.0 * span + max(0.0, -problem.low) + (size if size > 0 else 1.0)


def _violations(problem: _Problem, u: FloatArray, v: FloatArray, bonus: float, tol: float) -> IntArray:
    """Keys of the worst pairs whose reduced cost ``score + bonus − u − v`` exceeds ``tol`` (step 4)."""
    v = np.where(problem.capacity > 0, v, np.inf)
    offset = u - bonus

    def reduced(start: int, stop: int) -> FloatArray:
        raw = problem.scores[start:stop]
        block = raw - v[None, :]
        block -= offset[start:stop, None]
        if problem.min_score is not None or not problem.maximise_matched:
            problem.forbid(block, raw)
        return block

    n = problem.shape[0]
    return _top_pairs(problem, reduced, tol, ROW_ADDITIONS, min(COL_CANDIDATES, n))


def _certified_best(problem: _Problem, graph: Graph, target: int | None) -> IntArray:
    """Steps 3–4: the best assignment on growing candidate graphs until the full-matrix certificate holds."""
    bonus = _initial_bonus(problem) if target is not None else 0.0
    best_total, pruning = -np.inf, True
    while True:
        started = time.perf_counter()
        gain = problem.scores[graph.rows, graph.cols] + bonus
        mentor_of = best_assignment(graph, gain, problem.capacity)
        solved = time.perf_counter()
        if target is not None and int((mentor_of >= 0).sum()) < target:
            bonus *= 2.0  # the graph holds a k*-assignment, so a large enough bonus always reaches k*
            continue
        scale = max(abs(problem.low), abs(problem.high)) + bonus
        u, v = dual_potentials(graph, gain, problem.capacity, mentor_of, DUAL_EPS * scale)
        extra = _violations(problem, u, v, bonus, PRICE_TOL * scale)
        total = float(gain[mentor_of[graph.rows] == graph.cols].sum())
        pruning = pruning and total > best_total + PRICE_TOL * scale
        best_total = max(best_total, total)
        logger.debug(
            "%d pairs: solve %.2fs, price %.2fs, %d matched, %d violations, total %.6f",
            graph.rows.size,
            solved - started,
            time.perf_counter() - solved,
            (mentor_of >= 0).sum(),
            extra.size,
            total,
        )
        if extra.size == 0:
            return mentor_of
        if pruning:
            rc = gain - u[graph.rows] - v[graph.cols]
            keep = (rc >= -PRUNE * (problem.high - problem.low)) | (mentor_of[graph.rows] == graph.cols)
            graph = Graph(graph.rows[keep], graph.cols[keep], graph.n_rows, graph.n_cols)
        graph = _with(graph, extra)


def _check(problem: _Problem, mentor_of: IntArray) -> None:
    """Refuse to return anything but a valid assignment (capacity and allowed pairs)."""
    rows = np.flatnonzero(mentor_of >= 0)
    load = np.bincount(mentor_of[rows], minlength=problem.shape[1])
    chosen = problem.scores[rows, mentor_of[rows]]
    ok = bool(np.isfinite(chosen).all() and np.all(load <= problem.capacity))
    if problem.min_score is not None:
        ok = ok and bool(np.all(chosen >= problem.min_score))
    if not ok:
        raise RuntimeError("Internal error: the solver produced an invalid assignment.")


def assign(
    scores: ArrayLike, capacity: ArrayLike, *, min_score: float | None = None, maximise_matched: bool = True
) -> IntArray:
    """The optimal assignment: for each mentee the index of their mentor, or -1 when unmatched.

    ``scores`` is an (n_mentees × n_mentors) float array with ``-inf`` for forbidden pairs; ``capacity``
    holds each mentor's whole-number capacity (≥ 0). With ``maximise_matched`` (the default) as many
    mentees as possible are matched, then the total score is maximised among those assignments; without
    it only the total score counts and pairs scoring ≤ 0 are left out. Pairs below ``min_score`` are
    forbidden. Never exceeds a capacity, never uses a forbidden pair, deterministic, exactly optimal (see
    the module docstring for the method and its proof). Raises ValueError on NaN, +inf or bad shapes.
    """
    problem = _validated(scores, capacity, min_score, maximise_matched)
    n, m = problem.shape
    if n == 0 or m == 0 or not problem.capacity.any():
        return np.full(n, -1, dtype=np.int64)
    graph = _initial_graph(problem)
    logger.debug("initial graph %d pairs", graph.rows.size)
    if graph.rows.size == 0:
        return np.full(n, -1, dtype=np.int64)
    target = None
    if maximise_matched:
        graph, target = _certified_cardinality(problem, graph)
    mentor_of = _certified_best(problem, graph, target)
    _check(problem, mentor_of)
    return mentor_of
