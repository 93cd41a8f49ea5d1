"""Exact solves on a sparse candidate graph, and the dual potentials that certify them.

Internal to ``assignment.py``. A candidate graph is a set of allowed pairs (``rows[e]``, ``cols[e]``) with
a gain ``gain[e] > 0`` each (the pair's score plus the cardinality bonus). Three combinatorial tools:

* ``max_cardinality``: Hopcroft–Karp on the capacity-replicated graph, plus the König vertex cover that
  proves the size is maximum on that graph.
* ``best_assignment``: the maximum-gain capacity-respecting assignment, by scipy's LAPJVsp
  (``min_weight_full_bipartite_matching``) on mentor slots, with a private "stay unmatched" column per
  row so a full matching always exists.
* ``dual_potentials``: complementary-slackness duals (u per mentee, v per mentor) for an optimal
  assignment, as shortest-path distances of a difference-constraint system (Bellman–Ford).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import breadth_first_order, maximum_bipartite_matching, min_weight_full_bipartite_matching

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


class NotOptimalError(RuntimeError):
    """The assignment admits no complementary duals: it is not optimal on its candidate graph."""


@dataclass(frozen=True)
class Graph:
    """Candidate pairs of an ``n_rows`` × ``n_cols`` problem, sorted by (row, col) and unique."""

    rows: IntArray
    cols: IntArray
    n_rows: int
    n_cols: int

    @classmethod
    def from_keys(cls, keys: IntArray, n_rows: int, n_cols: int) -> Graph:
        """A graph from sorted unique keys ``row * n_cols + col``."""
        return cls(keys // n_cols, keys % n_cols, n_rows, n_cols)

    @property
    def keys(self) -> IntArray:
        """``row * n_cols + col`` per edge, sorted."""
        return self.rows * self.n_cols + self.cols


@dataclass(frozen=True)
class _Slots:
    """Edges replicated onto mentor slots: slot ``first[j] + t`` is the t-th seat of mentor j."""

    rows: IntArray
    slots: IntArray
    edge: IntArray  # the candidate edge each replicated edge copies
    first: IntArray
    mentor_of_slot: IntArray


def _replicate(graph: Graph, capacity: IntArray) -> _Slots:
    """Copy each edge onto every seat of its mentor; a mentor gets at most one seat per candidate mentee."""
    degree = np.bincount(graph.cols, minlength=graph.n_cols)
    seats = np.minimum(capacity, degree)
    first = np.concatenate([[0], np.cumsum(seats)]).astype(np.int64)
    reps = seats[graph.cols]
    edge = np.repeat(np.arange(graph.rows.size), reps)
    offset = np.arange(edge.size) - np.repeat(np.cumsum(reps) - reps, reps)
    mentor_of_slot = np.repeat(np.arange(graph.n_cols), seats)
    return _Slots(graph.rows[edge], first[graph.cols[edge]] + offset, edge, first, mentor_of_slot)


def max_cardinality(graph: Graph, capacity: IntArray) -> IntArray:
    """A maximum-cardinality assignment on ``graph`` (mentor per row, -1 unmatched), by Hopcroft–Karp."""
    slots = _replicate(graph, capacity)
    n_slots = int(slots.first[-1])
    biadjacency = sp.csr_array(
        (np.ones(slots.rows.size, dtype=np.int8), (slots.rows, slots.slots)), shape=(graph.n_rows, n_slots)
    )
    seat = maximum_bipartite_matching(biadjacency, perm_type="column")
    return np.where(seat >= 0, slots.mentor_of_slot[np.maximum(seat, 0)], -1).astype(np.int64)


def koenig_reachable(graph: Graph, mentor_of: IntArray) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Rows and mentors reachable from unmatched rows by alternating paths (the set Z of König's theorem).

    For a maximum assignment, (rows not in Z) ∪ (mentors in Z) is a minimum vertex cover weighted by
    capacity, so every pair from a reachable row to an unreachable mentor is a certificate violation.
    """
    n, m = graph.n_rows, graph.n_cols
    free = np.nonzero(mentor_of < 0)[0]
    loose = mentor_of[graph.rows] != graph.cols
    matched = np.nonzero(mentor_of >= 0)[0]
    source = n + m
    heads = np.concatenate([graph.rows[loose], n + mentor_of[matched], np.full(free.size, source)])
    tails = np.concatenate([n + graph.cols[loose], matched, free])
    adjacency = sp.csr_array((np.ones(heads.size, dtype=np.int8), (heads, tails)), shape=(source + 1, source + 1))
    order = breadth_first_order(adjacency, source, directed=True, return_predecessors=False)
    reached = np.zeros(source + 1, dtype=bool)
    reached[order] = True
    return reached[:n], reached[n : n + m]


def best_assignment(graph: Graph, gain: FloatArray, capacity: IntArray) -> IntArray:
    """The maximum-total-gain assignment on ``graph`` (gains > 0; mentor per row, -1 unmatched).

    LAPJVsp needs every row of its matrix matched, so each row gets a private dummy column meaning "leave
    unmatched". Costs are ``c0 - gain`` (real) and ``c0`` (dummy): every row pays c0 once, so minimising
    the cost maximises the gain. The smaller side (rows or mentor slots) is put on the rows of the matrix,
    which makes the shortest-augmenting-path solver several times faster when mentors are scarce.
    """
    slots = _replicate(graph, capacity)
    n_slots, n = int(slots.first[-1]), graph.n_rows
    c0 = 2.0 * float(gain.max())
    cost = c0 - gain[slots.edge]
    if n_slots < n:
        shape = (n_slots, n + n_slots)
        heads = np.concatenate([slots.slots, np.arange(n_slots)])
        tails = np.concatenate([slots.rows, n + np.arange(n_slots)])
    else:
        shape = (n, n_slots + n)
        heads = np.concatenate([slots.rows, np.arange(n)])
        tails = np.concatenate([slots.slots, n_slots + np.arange(n)])
    data = np.concatenate([cost, np.full(heads.size - cost.size, c0)])
    r, c = min_weight_full_bipartite_matching(sp.csr_array((data, (heads, tails)), shape=shape))
    mentor_of = np.full(n, -1, dtype=np.int64)
    if n_slots < n:
        real = c < n
        mentor_of[c[real]] = slots.mentor_of_slot[r[real]]
    else:
        real = c < n_slots
        mentor_of[r[real]] = slots.mentor_of_slot[c[real]]
    return mentor_of


def dual_potentials(
    graph: Graph, gain: FloatArray, capacity: IntArray, mentor_of: IntArray, eps: float
) -> tuple[FloatArray, FloatArray]:
    """Duals (u ≥ 0 per row, v ≥ 0 per mentor) with u_i + v_j ≥ gain on every edge, equality on matched ones.

    Complementary slackness also needs u_i = 0 for unmatched rows and v_j = 0 for mentors below capacity.
    Writing u_i = gain(i, μ(i)) − v_μ(i) turns all of it into difference constraints on v:
    ``v_μ(i) − v_j ≤ gain(i,μ(i)) − gain(i,j)``, ``v_j ≥ gain(i,j)`` for unmatched i, ``0 ≤ v_μ(i) ≤
    gain(i,μ(i))``, ``v_j ≤ 0`` below capacity. Shortest paths from a ground node (v = 0) solve it; a
    negative cycle (no convergence) would mean the assignment is not optimal. Relaxations smaller than
    ``eps`` are ignored, so rounding noise cannot loop.
    """
    n, m = graph.n_rows, graph.n_cols
    ground = m
    matched_edge = mentor_of[graph.rows] == graph.cols
    own_gain = np.zeros(n)
    own_gain[graph.rows[matched_edge]] = gain[matched_edge]
    load = np.bincount(mentor_of[mentor_of >= 0], minlength=m)
    other = ~matched_edge & (mentor_of[graph.rows] >= 0)
    free_row = mentor_of[graph.rows] < 0
    below = np.nonzero(load < capacity)[0]
    src = [np.full(matched_edge.sum(), ground), graph.cols[other], graph.cols[free_row], np.arange(m)]
    dst = [graph.cols[matched_edge], mentor_of[graph.rows[other]], np.full(free_row.sum(), ground)]
    dst += [np.full(m, ground)]
    weight = [gain[matched_edge], own_gain[graph.rows[other]] - gain[other], -gain[free_row], np.zeros(m)]
    src.append(np.full(below.size, ground))
    dst.append(below)
    weight.append(np.zeros(below.size))
    v = _bellman_ford(np.concatenate(src), np.concatenate(dst), np.concatenate(weight), m + 1, ground, eps)[:m]
    u = np.where(mentor_of >= 0, own_gain - v[np.maximum(mentor_of, 0)], 0.0)
    return u, v


def _bellman_ford(src: IntArray, dst: IntArray, weight: FloatArray, size: int, origin: int, eps: float) -> FloatArray:
    """Shortest distances from ``origin`` (Bellman–Ford, vectorised per sweep).

    Each sweep relaxes only the edges leaving nodes that improved in the previous sweep, so a long chain
    of price updates costs in proportion to the edges it touches, not sweeps × all edges.
    """
    order = np.argsort(src, kind="stable")
    src, dst, weight = src[order], dst[order], weight[order]
    indptr = np.searchsorted(src, np.arange(size + 1))
    dist = np.full(size, np.inf)
    dist[origin] = 0.0
    active = np.array([origin])
    for _ in range(size + 1):
        edges = _ranges(indptr[active], indptr[active + 1])
        best = np.full(size, np.inf)
        np.minimum.at(best, dst[edges], dist[src[edges]] + weight[edges])
        active = np.flatnonzero(best < dist - eps)
        if active.size == 0:
            if dist[origin] < 0:
                break
            return dist
        dist[active] = best[active]
    raise NotOptimalError("The assignment admits no complementary duals (negative cycle).")


def _ranges(starts: IntArray, stops: IntArray) -> IntArray:
    """The concatenation of ``range(start, stop)`` for each pair, vectorised."""
    counts = stops - starts
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(starts, counts) + offsets
