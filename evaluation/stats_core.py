"""The building blocks of evaluation.stats: its result types, input checks and interval arithmetic.

Pure numpy/scipy, no Django. evaluation.stats documents the estimators and their references; the
functions here raise ValueError on invalid input with a message saying what is wrong, and return nan
where a figure is undefined.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.stats import norm
from scipy.stats import t as student_t

DEFAULT_LEVEL = 0.95
NAN = math.nan

Values = Sequence[float] | npt.NDArray[np.floating] | npt.NDArray[np.integer]
Direction = Literal["higher", "lower"]
Array = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Estimate:
    """A point estimate, its confidence interval and how many people it rests on.

    ``n_treated`` / ``n_comparison`` are set by two-group estimators only.
    """

    value: float
    ci_low: float
    ci_high: float
    n: int
    n_treated: int | None = None
    n_comparison: int | None = None
    level: float = DEFAULT_LEVEL


@dataclass(frozen=True, slots=True)
class Describe:
    """Per-group descriptives: count, mean and sample sd (ddof=1)."""

    n: int
    mean: float
    sd: float


@dataclass(frozen=True, slots=True)
class Roi:
    """Phillips ROI figures; money in the unit of ``value_per_unit`` and costs."""

    benefit: float
    costs: float
    roi_percent: float
    benefit_cost_ratio: float
    payback_months: float


# --- validation -------------------------------------------------------------


def checked_values(values: Values, name: str) -> Array:
    """Return ``values`` as a finite 1-D float array or raise ValueError."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a sequence of numbers") from exc
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a flat sequence of numbers")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains a non-finite value (nan or infinity)")
    return arr


def checked_pairs(pre: Values, post: Values, names: tuple[str, str]) -> tuple[Array, Array]:
    """Validate two paired samples: one position per person, same length."""
    a, b = checked_values(pre, names[0]), checked_values(post, names[1])
    if a.size != b.size:
        raise ValueError(
            f"{names[0]} and {names[1]} must have the same length, "
            f"got {a.size} and {b.size} (each position is one person)"
        )
    return a, b


def differences(pre: Values, post: Values, names: tuple[str, str]) -> Array:
    """Per-person change scores ``post - pre``."""
    a, b = checked_pairs(pre, post, names)
    return b - a


def checked_level(level: float) -> float:
    """Check the confidence level is strictly between 0 and 1."""
    value = float(level)
    if not 0.0 < value < 1.0:  # also rejects nan
        raise ValueError(f"level must be strictly between 0 and 1, got {level!r}")
    return value


def checked_count(value: float, name: str) -> int:
    """Return a non-negative whole number as int or raise ValueError."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if not math.isfinite(value) or value != int(value):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value!r}")
    return int(value)


def checked_proportion(k: float, n: float, names: tuple[str, str]) -> tuple[int, int]:
    """Validate a count k out of n."""
    k_int, n_int = checked_count(k, names[0]), checked_count(n, names[1])
    if k_int > n_int:
        raise ValueError(f"{names[0]} ({k_int}) must not exceed {names[1]} ({n_int})")
    return k_int, n_int


def direction_sign(direction: str) -> int:
    """+1 when higher is better, -1 when lower is better."""
    if direction == "higher":
        return 1
    if direction == "lower":
        return -1
    raise ValueError(f'direction must be "higher" or "lower", got {direction!r}')


# --- building blocks --------------------------------------------------------


def mean_sd(x: Array) -> tuple[float, float]:
    """Mean and sample sd; exact for constant data, nan where undefined."""
    if x.size == 0:
        return NAN, NAN
    if np.ptp(x) == 0:
        # Summing n copies of 0.1 is not exactly n * 0.1; a constant sample
        # must still have sd exactly 0 or standardised effects explode.
        return float(x[0]), (0.0 if x.size > 1 else NAN)
    sd = float(np.std(x, ddof=1)) if x.size > 1 else NAN
    return float(np.mean(x)), sd


def t_crit(level: float, df: float) -> float:
    """Two-sided Student t quantile; nan when df is not positive."""
    return float(student_t.ppf(0.5 + level / 2, df)) if df > 0 else NAN


def z_crit(level: float) -> float:
    """Two-sided standard normal quantile."""
    return float(norm.ppf(0.5 + level / 2))


def ci_bounds(value: float, se: float, crit: float) -> tuple[float, float]:
    """``value +/- crit * se``; zero width when se is exactly 0."""
    if math.isnan(value) or math.isnan(se):
        return NAN, NAN
    if se == 0.0:
        return value, value
    return value - crit * se, value + crit * se


def welch_se_df(sd_t: float, n_t: int, sd_c: float, n_c: int) -> tuple[float, float]:
    """Welch standard error of a difference in means and its Satterthwaite df."""
    if n_t < 2 or n_c < 2:
        return NAN, NAN
    v_t, v_c = sd_t**2 / n_t, sd_c**2 / n_c
    total = v_t + v_c
    if total == 0.0:
        return 0.0, NAN
    # Written with shares of the variance so tiny variances do not underflow.
    w_t, w_c = v_t / total, v_c / total
    df = 1.0 / (w_t**2 / (n_t - 1) + w_c**2 / (n_c - 1))
    return math.sqrt(total), df


def pooled_sd(a: Array, b: Array) -> float:
    """Pooled sample sd of two groups; nan with fewer than 1 pooled df."""
    if a.size == 0 or b.size == 0 or a.size + b.size < 3:
        return NAN
    squares = sum((x.size - 1) * mean_sd(x)[1] ** 2 for x in (a, b) if x.size > 1)
    return math.sqrt(squares / (a.size + b.size - 2))


def wilson_bounds(k: int, n: int, z: float) -> tuple[float, float]:
    """Wilson score bounds for k out of n (n > 0), clipped to [0, 1]."""
    p, z2 = k / n, z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    # At k = 0 or k = n the bound is exactly 0 or 1; rounding must not move it.
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return low, high


def fieller_bounds(b: Array, c: Array, crit: float) -> tuple[float, float]:
    """Fieller interval for R = mean(c) / mean(b) of paired data; nan if unbounded.

    Solved for x = R - R_hat using residuals r = c - R_hat b, so that
    ``x**2 (mb**2 - t**2 v_bb) + 2 t**2 v_rb x - t**2 v_rr <= 0``: the
    discriminant is a sum of non-negative terms and exactly proportional data
    give a zero-width interval instead of sqrt(rounding) noise.
    """
    n = b.size
    mb, mc = mean_sd(b)[0], mean_sd(c)[0]
    ratio = mc / mb
    db = b - mb
    dr = (c - mc) - ratio * db
    scale = 1.0 / ((n - 1) * n)  # (co)variances of means, not of values
    v_bb, v_rr, v_rb = float(db @ db) * scale, float(dr @ dr) * scale, float(dr @ db) * scale
    c2 = crit * crit
    quad = mb * mb - c2 * v_bb
    if quad <= 0:  # baseline mean not clearly away from zero: the set is unbounded
        return NAN, NAN
    root = math.sqrt(c2 * c2 * v_rb * v_rb + quad * c2 * v_rr)
    return ratio - (c2 * v_rb + root) / quad, ratio - (c2 * v_rb - root) / quad


def empty_estimate(n: int, level: float, **groups: int) -> Estimate:
    """An all-nan estimate for when the figure is undefined."""
    return Estimate(NAN, NAN, NAN, n, level=level, **groups)
