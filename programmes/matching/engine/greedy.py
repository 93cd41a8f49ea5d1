"""Greedy baseline for the benchmark: take pairs from the best score down while both sides have room.

To keep memory small on a 20,000 × 5,000 matrix, the pairs are not all sorted at once: they are taken in
score bands (thresholds from quantiles of a fixed sample), best band first, each band gathered only for
mentees still free and mentors with room, sorted, and walked in order. Bands are separated by value, so
the order is exactly that of one global sort (ties: lower mentee, then lower mentor index).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: Quantiles of the allowed scores that separate the bands, best band first.
BAND_QUANTILES = (0.99, 0.95, 0.8, 0.5)
SAMPLE = 100_000
CHUNK_ELEMENTS = 1_000_000


def _thresholds(scores: NDArray[np.float64]) -> list[float]:
    """Band lower bounds from quantiles of an evenly strided sample, ending with -inf (everything else)."""
    flat = scores.reshape(-1)
    sample = flat[:: max(1, flat.size // SAMPLE)]
    sample = sample[np.isfinite(sample)]
    bounds = [float(q) for q in np.quantile(sample, BAND_QUANTILES)] if sample.size else []
    return [*bounds, -np.inf]


def _band(
    scores: NDArray[np.float64], low: float, high: float, free: NDArray[np.bool_], room: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Pairs with ``low <= score < high`` (finite) between free mentees and mentors with room, row-major."""
    n, m = scores.shape
    step = max(1, CHUNK_ELEMENTS // max(m, 1))
    open_cols = room > 0
    parts: list[tuple[NDArray, NDArray, NDArray]] = []
    for start in range(0, n, step):
        rows = np.flatnonzero(free[start : start + step]) + start
        if rows.size == 0:
            continue
        block = scores[rows]
        r, c = np.nonzero((block >= low) & (block < high) & np.isfinite(block) & open_cols[None, :])
        parts.append((rows[r], c, block[r, c]))
    if not parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    return tuple(np.concatenate([p[k] for p in parts]) for k in range(3))  # type: ignore[return-value]


def greedy_assign(scores: ArrayLike, capacity: ArrayLike) -> NDArray[np.int64]:
    """Mentor per mentee (-1 unmatched) from one greedy pass over pairs by descending score.

    A baseline only: typically a few per cent below ``assign``'s total.
    """
    s = np.asarray(scores, dtype=np.float64)
    room = np.asarray(capacity, dtype=np.int64).copy()
    mentor_of = np.full(s.shape[0], -1, dtype=np.int64)
    if s.size == 0:
        return mentor_of
    high = np.inf
    for low in _thresholds(s):
        rows, cols, values = _band(s, low, high, mentor_of < 0, room)
        for k in np.argsort(-values, kind="stable").tolist():
            i, j = int(rows[k]), int(cols[k])
            if mentor_of[i] < 0 and room[j] > 0:
                mentor_of[i] = j
                room[j] -= 1
        if not room.any() or (mentor_of >= 0).all():
            break
        high = low
    return mentor_of
