"""Benchmark of the matcher: realistic seeded pools, score matrix, exact assignment against greedy.

Run from the repository root (no Django needed)::

    python bench/matching.py                  # 1,000, 5,000 and 20,000 mentees
    python bench/matching.py --sizes 1000,5000

Each size has a quarter as many mentors with capacity 1–5, 20 competencies, six languages, eight time
zones, hourly availability, twelve divisions, ranked preferences and some reporting-line and closed pairs.
Targets: 20,000 × 5,000 solved exactly in under 30 s and 6 GB peak; 1,000 × 250 under 1 s with scoring.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from programmes.matching.engine import Exclusions, MenteePool, MentorPool, Rules, assign, greedy_assign, score_matrix

COMPETENCIES = 20
GOALS = 12
LANGUAGES = ("English", "Bahasa Indonesia", "French", "Spanish", "Arabic", "Mandarin")
# Region → (UTC offset, local language index)
REGIONS = ((-5.0, 3), (-3.0, 3), (0.0, 0), (1.0, 2), (3.0, 4), (5.5, 0), (7.0, 1), (8.0, 5))
UNITS = 12


def _levels(rng: np.random.Generator, rows: int, strong: tuple[int, int], base_high: int) -> np.ndarray:
    """Levels 0..5: a few strong competencies per person, the rest low; some competencies are common."""
    popularity = np.linspace(2.0, 0.5, COMPETENCIES)
    popularity /= popularity.sum()
    levels = rng.integers(0, base_high + 1, size=(rows, COMPETENCIES))
    counts = rng.integers(strong[0], strong[1] + 1, size=rows)
    for i, k in enumerate(counts):
        chosen = rng.choice(COMPETENCIES, size=k, replace=False, p=popularity)
        levels[i, chosen] = rng.integers(3, 6, size=k)
    return levels


def _availability(rng: np.random.Generator, offsets: np.ndarray) -> np.ndarray:
    """168 hourly UTC slots: 2–5 blocks of two hours inside each person's local working week."""
    rows = offsets.size
    week = np.zeros((rows, 168), dtype=bool)
    blocks = rng.integers(2, 6, size=rows)
    for i in range(rows):
        days = rng.integers(0, 5, size=blocks[i])
        starts = rng.integers(8, 17, size=blocks[i])
        local = days * 24 + starts
        utc = (local - round(float(offsets[i]))) % 168
        week[i, utc] = True
        week[i, (utc + 1) % 168] = True
    return week


def _people(rng: np.random.Generator, rows: int) -> dict[str, np.ndarray]:
    """Region, languages, availability, unit for ``rows`` people."""
    region = rng.integers(0, len(REGIONS), size=rows)
    offsets = np.array([REGIONS[r][0] for r in region])
    languages = np.zeros((rows, len(LANGUAGES)), dtype=bool)
    languages[:, 0] = rng.random(rows) < 0.8
    languages[np.arange(rows), [REGIONS[r][1] for r in region]] = True
    languages |= rng.random((rows, len(LANGUAGES))) < 0.05
    return {
        "languages": languages,
        "utc_offsets": offsets,
        "availability": _availability(rng, offsets),
        "units": rng.integers(0, UNITS, size=rows),
    }


def make_pools(n_mentees: int, seed: int = 0) -> tuple[MenteePool, MentorPool, Exclusions]:
    """Seeded realistic pools: ``n_mentees`` mentees and a quarter as many mentors."""
    rng = np.random.default_rng(seed)
    n, m = n_mentees, max(1, n_mentees // 4)
    e, r = _people(rng, n), _people(rng, m)
    current = _levels(rng, n, (1, 3), 2)
    gap_mask = np.zeros_like(current, dtype=bool)
    for i in range(n):
        gap_mask[i, rng.choice(COMPETENCIES, size=rng.integers(2, 5), replace=False)] = True
    target = np.where(gap_mask, np.minimum(current + rng.integers(1, 3, size=current.shape), 5), current)
    popularity = 1.0 / np.arange(1, m + 1) ** 0.8
    preferences = np.full((n, 5), -1, dtype=np.int64)
    for i in np.nonzero(rng.random(n) < 0.3)[0]:
        k = rng.integers(1, 6)
        preferences[i, :k] = rng.choice(m, size=min(k, m), replace=False, p=popularity / popularity.sum())
    person_ids = np.arange(n + m, dtype=np.int64)
    mentor_ids = person_ids[n:].copy()
    both = rng.choice(m, size=m // 50, replace=False)
    mentor_ids[both] = rng.choice(n, size=both.size, replace=False)  # some people are in both pools
    mentees = MenteePool(
        person_ids=person_ids[:n],
        current_levels=current,
        target_levels=target,
        goals=rng.random((n, GOALS)) < 0.15,
        grades=rng.integers(2, 8, size=n).astype(float),
        preferences=preferences,
        **e,
    )
    mentors = MentorPool(
        person_ids=mentor_ids,
        levels=_levels(rng, m, (3, 6), 2),
        goals=rng.random((m, GOALS)) < 0.3,
        grades=rng.integers(5, 11, size=m).astype(float),
        capacity=rng.integers(1, 6, size=m),
        **r,
    )
    closed = np.column_stack([rng.integers(0, n, n // 50), rng.integers(0, m, n // 50)])
    return (
        mentees,
        mentors,
        Exclusions(reporting_line=_reporting_line(rng, e["units"], r["units"]), closed_pairs=closed),
    )


def _reporting_line(rng: np.random.Generator, mentee_units: np.ndarray, mentor_units: np.ndarray) -> np.ndarray:
    """Index pairs of a third of the mentees with a mentor of their own unit in their reporting line."""
    pairs = []
    for i in np.flatnonzero(rng.random(mentee_units.size) < 1 / 3):
        same = np.flatnonzero(mentor_units == mentee_units[i])
        if same.size:
            pairs.append((i, int(rng.choice(same))))
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports ru_maxrss in KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def total(scores: np.ndarray, result: np.ndarray) -> float:
    """Total score of an assignment."""
    rows = np.nonzero(result >= 0)[0]
    return float(scores[rows, result[rows]].sum())


def run(n_mentees: int, seed: int) -> None:
    """Time scoring, the exact solve and greedy at one size, and print the figures."""
    mentees, mentors, exclusions = make_pools(n_mentees, seed)
    rules = Rules(min_shared_hours=1.0, max_timezone_gap=9.0)
    t0 = time.perf_counter()
    scores = score_matrix(mentees, mentors, rules=rules, exclusions=exclusions)
    t1 = time.perf_counter()
    optimal = assign(scores, mentors.capacity)
    t2 = time.perf_counter()
    solve_peak = peak_mb()
    greedy = greedy_assign(scores, mentors.capacity)
    t3 = time.perf_counter()
    best, base = total(scores, optimal), total(scores, greedy)
    allowed = np.isfinite(scores).mean()
    print(
        f"{n_mentees:>6} mentees × {len(mentors):>5} mentors (capacity {int(mentors.capacity.sum())}, "
        f"{allowed:.0%} of pairs allowed)"
    )
    print(f"  score matrix  {t1 - t0:7.2f} s")
    print(f"  exact solve   {t2 - t1:7.2f} s   (scoring + solve {t2 - t0:.2f} s)")
    print(f"  greedy        {t3 - t2:7.2f} s")
    print(f"  matched       optimal {int((optimal >= 0).sum())}, greedy {int((greedy >= 0).sum())}")
    print(f"  total score   optimal {best:.4f}, greedy {base:.4f} ({(best - base) / abs(base):+.2%} vs greedy)")
    print(
        f"  peak memory   {solve_peak:7.0f} MB through scoring and solve, {peak_mb():.0f} MB after greedy (ru_maxrss)"
    )


def main() -> None:
    """Parse ``--sizes`` and ``--seed``; run each size in its own process so peak memory is per size."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,20000", help="comma-separated mentee counts")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if len(sizes) == 1:
        run(sizes[0], args.seed)
        return
    for size in sizes:
        sys.stdout.flush()
        command = [sys.executable, __file__, "--sizes", str(size), "--seed", str(args.seed)]
        subprocess.run(command, check=True)  # noqa: S603 (this very script with integer arguments)


if __name__ == "__main__":
    main()
