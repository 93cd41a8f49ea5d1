"""Outcome statistics for programme evaluation: pure numpy/scipy, no Django.

Every estimator takes plain sequences of floats (one entry per person) or
counts and returns an ``Estimate(value, ci_low, ci_high, n)``; intervals are
two-sided at ``level`` (default 0.95). ``t(q, df)`` is the Student t quantile,
``z`` the standard normal quantile at ``(1 + level) / 2``; sd uses ddof=1.

* ``paired_change(pre, post)`` -- mean of d = post - pre,
  ``mean(d) +/- t(df=n-1) * sd(d) / sqrt(n)``; n = pairs. (Student 1908)
* ``paired_dz(pre, post)`` -- d_z = mean(d) / sd(d); normal approximation
  ``d_z +/- z * sqrt(1/n + d_z**2 / (2n))``. (Cohen 1988; Lakens 2013)
* ``did(t_pre, t_post, c_pre, c_post)`` -- difference-in-differences of
  change scores ``mean(d_t) - mean(d_c)``; Welch interval with
  ``se**2 = v_t/n_t + v_c/n_c`` and Welch-Satterthwaite
  ``df = se**4 / ((v_t/n_t)**2/(n_t-1) + (v_c/n_c)**2/(n_c-1))``;
  n = n_t + n_c, also as ``n_treated`` / ``n_comparison``. (Welch 1947)
* ``cohens_d(a, b)`` -- ``(mean_a - mean_b) / s_p`` with pooled
  ``s_p**2 = ((n_a-1)s_a**2 + (n_b-1)s_b**2) / (n_a+n_b-2)``; interval
  ``d +/- z * sqrt((n_a+n_b)/(n_a n_b) + d**2/(2(n_a+n_b)))``.
  (Hedges & Olkin 1985; Borenstein et al. 2009, eq. 4.20)
* ``hedges_g(a, b)`` -- ``g = J d`` with the exact correction
  ``J(m) = Gamma(m/2) / (sqrt(m/2) Gamma((m-1)/2))``, m = n_a+n_b-2
  (about 1 - 3/(4m-1)); ``Var(g) = J**2 Var(d)``. (Hedges 1981)
* ``wilson(k, n)`` -- k/n with the Wilson score interval
  ``(p + z**2/2n +/- z sqrt(p(1-p)/n + z**2/4n**2)) / (1 + z**2/n)``. (Wilson 1927)
* ``newcombe_diff(k1, n1, k2, n2)`` -- p1 - p2 with the hybrid score
  interval from the Wilson bounds (l_i, u_i):
  ``[D - sqrt((p1-l1)**2 + (u2-p2)**2), D + sqrt((u1-p1)**2 + (p2-l2)**2)]``.
  (Newcombe 1998, method 10)
* ``percent_change(baseline, current)`` -- ``100 (mean_c/mean_b - 1)`` on
  paired data; Fieller interval for R = mean_c/mean_b: the R solving
  ``(mean_c - R mean_b)**2 <= t(n-1)**2 Var(mean_c - R mean_b)``. (Fieller 1954)
* ``describe(values)`` -- ``Describe(n, mean, sd)``.
* ``signed_change(value, direction)`` / ``as_improvement(estimate, direction)``
  -- flip the sign when lower is better, so an improvement is positive.
* ``roi(...)`` -- Phillips ROI: annual benefit = change x value per unit x
  people x isolation share x confidence share x periods per year; ROI % =
  (benefit - costs) / costs x 100; BCR = benefit / costs; payback months =
  costs / (benefit / 12). (Phillips & Phillips, ROI Methodology)
* ``is_suppressed(n)`` -- True when n < MIN_CELL (5): such cells are never shown.

Undefined figures are nan, never an exception: n = 0 gives nan everywhere;
an interval needs n >= 2 per sample (for hedges_g, n_a + n_b >= 4); a zero
sd gives a zero-width t interval (no observed spread, as scipy reports it),
but nan for standardised effects (d_z, d, g) because they divide by the sd;
a zero baseline mean gives a nan percent change. Invalid input (mismatched
lengths, non-finite values, k > n, negative or fractional counts, level
outside (0, 1)) raises ValueError saying what is wrong.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping

from scipy.special import gammaln

from .stats_core import (
    DEFAULT_LEVEL,
    NAN,
    Array,
    Describe,
    Direction,
    Estimate,
    Roi,
    Values,
    checked_count,
    checked_level,
    checked_pairs,
    checked_proportion,
    checked_values,
    ci_bounds,
    differences,
    direction_sign,
    empty_estimate,
    fieller_bounds,
    mean_sd,
    pooled_sd,
    t_crit,
    welch_se_df,
    wilson_bounds,
    z_crit,
)

METHOD_VERSION = "1"
MIN_CELL = 5


# --- public estimators ------------------------------------------------------


def paired_change(pre: Values, post: Values, *, level: float = DEFAULT_LEVEL) -> Estimate:
    """Mean paired change ``post - pre`` with a Student t interval; n = pairs.

    n = 0 gives nan; n = 1 gives the change with a nan interval.
    """
    level = checked_level(level)
    diff = differences(pre, post, ("pre", "post"))
    n = diff.size
    mean, sd = mean_sd(diff)
    se = sd / math.sqrt(n) if n > 1 else NAN
    low, high = ci_bounds(mean, se, t_crit(level, n - 1))
    return Estimate(mean, low, high, n, level=level)


def paired_dz(pre: Values, post: Values, *, level: float = DEFAULT_LEVEL) -> Estimate:
    """Standardised paired change d_z = mean(d) / sd(d), normal-approximation CI.

    ``se = sqrt(1/n + d_z**2 / (2n))``. nan when n < 2 or sd(d) = 0.
    """
    level = checked_level(level)
    diff = differences(pre, post, ("pre", "post"))
    n = diff.size
    mean, sd = mean_sd(diff)
    if n < 2 or sd == 0.0:
        return empty_estimate(n, level)
    dz = mean / sd
    low, high = ci_bounds(dz, math.sqrt(1 / n + dz**2 / (2 * n)), z_crit(level))
    return Estimate(dz, low, high, n, level=level)


def did(
    t_pre: Values,
    t_post: Values,
    c_pre: Values,
    c_post: Values,
    *,
    level: float = DEFAULT_LEVEL,
) -> Estimate:
    """Difference-in-differences of change scores with a Welch interval.

    value = mean(t_post - t_pre) - mean(c_post - c_pre); n = people in both
    groups (also ``n_treated``, ``n_comparison``). The value is nan when a
    group is empty; the interval is nan when a group has fewer than 2 people
    and has zero width when both groups' changes have zero spread.
    """
    level = checked_level(level)
    d_t = differences(t_pre, t_post, ("t_pre", "t_post"))
    d_c = differences(c_pre, c_post, ("c_pre", "c_post"))
    (m_t, s_t), (m_c, s_c) = mean_sd(d_t), mean_sd(d_c)
    value = m_t - m_c
    se, df = welch_se_df(s_t, d_t.size, s_c, d_c.size)
    low, high = ci_bounds(value, se, t_crit(level, df))
    groups = {"n_treated": d_t.size, "n_comparison": d_c.size}
    return Estimate(value, low, high, d_t.size + d_c.size, level=level, **groups)


def _smd(a: Array, b: Array) -> float:
    """Cohen's d; nan when the pooled sd is undefined or zero."""
    sp = pooled_sd(a, b)
    if math.isnan(sp) or sp == 0.0:
        return NAN
    return (mean_sd(a)[0] - mean_sd(b)[0]) / sp


def _smd_se(d: float, n_a: int, n_b: int) -> float:
    """Hedges & Olkin large-sample standard error of d."""
    return math.sqrt((n_a + n_b) / (n_a * n_b) + d**2 / (2 * (n_a + n_b)))


def cohens_d(a: Values, b: Values, *, level: float = DEFAULT_LEVEL) -> Estimate:
    """Cohen's d for a - b with pooled sd; normal interval (Hedges & Olkin).

    nan when a group is empty, n_a + n_b < 3, or the pooled sd is 0.
    """
    level = checked_level(level)
    xa, xb = checked_values(a, "a"), checked_values(b, "b")
    groups = {"n_treated": xa.size, "n_comparison": xb.size}
    d = _smd(xa, xb)
    if math.isnan(d):
        return empty_estimate(xa.size + xb.size, level, **groups)
    low, high = ci_bounds(d, _smd_se(d, xa.size, xb.size), z_crit(level))
    return Estimate(d, low, high, xa.size + xb.size, level=level, **groups)


def hedges_correction(df: int) -> float:
    """Exact small-sample factor J(df) = Gamma(df/2) / (sqrt(df/2) Gamma((df-1)/2)).

    nan for df < 2, where the bias of d is unbounded.
    """
    if df < 2:
        return NAN
    return math.exp(gammaln(df / 2) - gammaln((df - 1) / 2) - 0.5 * math.log(df / 2))


def hedges_g(a: Values, b: Values, *, level: float = DEFAULT_LEVEL) -> Estimate:
    """Hedges' g = J d for a - b; se(g) = J se(d). nan when n_a + n_b < 4."""
    level = checked_level(level)
    xa, xb = checked_values(a, "a"), checked_values(b, "b")
    groups = {"n_treated": xa.size, "n_comparison": xb.size}
    n = xa.size + xb.size
    j = hedges_correction(n - 2)
    d = _smd(xa, xb)
    if math.isnan(d) or math.isnan(j):
        return empty_estimate(n, level, **groups)
    se = j * _smd_se(d, xa.size, xb.size)
    low, high = ci_bounds(j * d, se, z_crit(level))
    return Estimate(j * d, low, high, n, level=level, **groups)


def wilson(k: int, n: int, *, level: float = DEFAULT_LEVEL) -> Estimate:
    """Proportion k/n with the Wilson score interval; nan when n = 0."""
    level = checked_level(level)
    k, n = checked_proportion(k, n, ("k", "n"))
    if n == 0:
        return empty_estimate(0, level)
    low, high = wilson_bounds(k, n, z_crit(level))
    return Estimate(k / n, low, high, n, level=level)


def newcombe_diff(k1: int, n1: int, k2: int, n2: int, *, level: float = DEFAULT_LEVEL) -> Estimate:
    """p1 - p2 with Newcombe's hybrid score interval (method 10).

    n = n1 + n2 (``n_treated`` = n1, ``n_comparison`` = n2); nan when either n is 0.
    """
    level = checked_level(level)
    k1, n1 = checked_proportion(k1, n1, ("k1", "n1"))
    k2, n2 = checked_proportion(k2, n2, ("k2", "n2"))
    groups = {"n_treated": n1, "n_comparison": n2}
    if n1 == 0 or n2 == 0:
        return empty_estimate(n1 + n2, level, **groups)
    z = z_crit(level)
    (l1, u1), (l2, u2) = wilson_bounds(k1, n1, z), wilson_bounds(k2, n2, z)
    p1, p2 = k1 / n1, k2 / n2
    low = p1 - p2 - math.hypot(p1 - l1, u2 - p2)
    high = p1 - p2 + math.hypot(u1 - p1, p2 - l2)
    return Estimate(p1 - p2, low, high, n1 + n2, level=level, **groups)


def percent_change(baseline: Values, current: Values, *, level: float = DEFAULT_LEVEL) -> Estimate:
    """Percent change of the mean, ``100 (mean(current)/mean(baseline) - 1)``, paired.

    Fieller interval (t with n-1 df). Value nan when n = 0 or the baseline mean
    is 0; interval nan when n < 2 or when the baseline mean is not clearly away
    from zero at this level (Fieller's set is then unbounded).
    """
    level = checked_level(level)
    b, c = checked_pairs(baseline, current, ("baseline", "current"))
    n = b.size
    mb, mc = mean_sd(b)[0], mean_sd(c)[0]
    if n == 0 or mb == 0.0:
        return empty_estimate(n, level)
    value = 100.0 * (mc / mb - 1.0)
    if n < 2:
        return Estimate(value, NAN, NAN, n, level=level)
    low, high = fieller_bounds(b, c, t_crit(level, n - 1))
    return Estimate(value, 100.0 * (low - 1.0), 100.0 * (high - 1.0), n, level=level)


def describe(values: Values) -> Describe:
    """n, mean and sample sd (ddof=1); mean nan when n = 0, sd nan when n < 2."""
    x = checked_values(values, "values")
    mean, sd = mean_sd(x)
    return Describe(x.size, mean, sd)


# --- direction, ROI, suppression ----------------------------------------------


def signed_change(value: float, direction: Direction) -> float:
    """Return ``value`` so that an improvement is positive.

    ``direction`` says which way is better for the measure: "higher" keeps
    the sign, "lower" (e.g. days in the sales cycle) flips it.
    """
    return value if direction_sign(direction) > 0 else 0.0 - value


def as_improvement(estimate: Estimate, direction: Direction) -> Estimate:
    """An estimate re-signed so improvement is positive (bounds swap on a flip)."""
    if direction_sign(direction) > 0:
        return estimate
    return dataclasses.replace(
        estimate,
        value=0.0 - estimate.value,
        ci_low=0.0 - estimate.ci_high,
        ci_high=0.0 - estimate.ci_low,
    )


def _finite(value: float, name: str, low: float = -math.inf, high: float = math.inf) -> float:
    """Return a finite float within [low, high] or raise ValueError."""
    number = float(value)
    if not math.isfinite(number) or not low <= number <= high:
        raise ValueError(f"{name} must be a finite number in [{low}, {high}], got {value!r}")
    return number


def _periods(periods_per_year: float) -> float:
    """Check the annualising factor is a positive finite number."""
    periods = _finite(periods_per_year, "periods_per_year", 0.0)
    if periods == 0.0:
        raise ValueError("periods_per_year must be positive, got 0")
    return periods


def _total_costs(costs: Mapping[str, float] | Iterable[float]) -> float:
    """Sum fully loaded cost items; each must be finite and non-negative."""
    items = costs.values() if isinstance(costs, Mapping) else costs
    return math.fsum(_finite(item, "each cost item", 0.0) for item in items)


def roi(
    *,
    attributable_change: float,
    value_per_unit: float,
    n_people: int,
    isolation_share: float,
    confidence_share: float,
    costs: Mapping[str, float] | Iterable[float],
    periods_per_year: float = 1.0,
) -> Roi:
    """Phillips ROI of a programme over its first year.

    ``attributable_change`` is the per-person improvement per period (signed so
    improvement is positive, see ``signed_change``) and ``value_per_unit`` the
    money one unit of it is worth; ``periods_per_year`` annualises (12 for
    monthly figures). Benefit = change x value x people x isolation share x
    confidence share x periods per year. ``costs`` are the fully loaded cost
    items (a mapping of name to amount, or amounts). ROI % and BCR are nan when
    costs are 0; payback months are nan when the benefit is not positive.
    """
    benefit = (
        _finite(attributable_change, "attributable_change")
        * _finite(value_per_unit, "value_per_unit")
        * checked_count(n_people, "n_people")
        * _finite(isolation_share, "isolation_share", 0.0, 1.0)
        * _finite(confidence_share, "confidence_share", 0.0, 1.0)
        * _periods(periods_per_year)
    )
    total = _total_costs(costs)
    return Roi(
        benefit=benefit,
        costs=total,
        roi_percent=(benefit - total) / total * 100.0 if total > 0 else NAN,
        benefit_cost_ratio=benefit / total if total > 0 else NAN,
        payback_months=total / (benefit / 12.0) if benefit > 0 else NAN,
    )


def is_suppressed(n: int) -> bool:
    """True when a cell of n people is too small to show (n < MIN_CELL)."""
    return checked_count(n, "n") < MIN_CELL
