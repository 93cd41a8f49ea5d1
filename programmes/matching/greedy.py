"""Greedy baseline for the benchmark: take pairs from the best score down while both sides have room."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: Sorted pairs screened per vectorised step before the sequential pass.
BLOCK = 1 << 16


def _allowed_pairs(scores: NDArray[np.float64], capacity: NDArray[np.int64]) -> tuple[NDArray, NDArray, NDArray]:
    """Rows, columns and scores of all finite pairs with capacity, in row-major order (chunked)."""
    n, m = scores.shape
    step = max(1, 1_000_000 // max(m, 1))
    parts: list[tuple[NDArray, NDArray, NDArray]] = []
    for start in range(0, n, step):
        block = scores[start : start + step]
        r, c = np.nonzero(np.isfinite(block) & (capacity > 0)[None, :])
        parts.append((r + start, c, block[r, c]))
    rows, cols, values = (np.concatenate([p[k] for p in parts]) for k in range(3))
    return rows, cols, values


def greedy_assign(scores: ArrayLike, capacity: ArrayLike) -> NDArray[np.int64]:
    """Mentor per mentee (-1 unmatched) from one greedy pass over pairs by descending score.

    Ties go to the lower (mentee, mentor) index. A baseline only: typically a few per cent below ``assign``.
    """
    s = np.asarray(scores, dtype=np.float64)
    room = np.asarray(capacity, dtype=np.int64).copy()
    mentor_of = np.full(s.shape[0], -1, dtype=np.int64)
    if s.size == 0:
        return mentor_of
    rows, cols, values = _allowed_pairs(s, room)
    order = np.argsort(-values, kind="stable")
    for begin in range(0, order.size, BLOCK):
        part = order[begin : begin + BLOCK]
        # Screen the block with the state at its start; the sequential pass below settles the rest.
        live = part[(mentor_of[rows[part]] < 0) & (room[cols[part]] > 0)]
        for i, j in zip(rows[live].tolist(), cols[live].tolist(), strict=True):
            if mentor_of[i] < 0 and room[j] > 0:
                mentor_of[i] = j
                room[j] -= 1
        if not room.any() or (mentor_of >= 0).all():
            break
    return mentor_of
