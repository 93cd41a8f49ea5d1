"""Property tests for evaluation.stats against independent references.

References are scipy, statsmodels or formulas written out here; nothing in
this file calls the module's private helpers. No Django fixtures: the module
under test is pure.
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import warnings
from collections.abc import Callable, Sequence

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from scipy import special
from scipy import stats as sps
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint
from statsmodels.stats.weightstats import CompareMeans, DescrStatsW

from evaluation import stats

PROPERTY = settings(max_examples=100, deadline=None)

# Measurements have finite resolution (days, scores, money to 2 dp). Keeping
# values on a 0.01 grid keeps any spread far above float rounding, so relative
# tolerances compare the statistics rather than cancellation noise.
MEASURE = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False).map(lambda v: round(v, 2))
LEVELS = st.sampled_from([0.5, 0.8, 0.9, 0.95, 0.99])


def samples(min_size: int = 2, max_size: int = 30) -> st.SearchStrategy[list[float]]:
    """One group's measurements."""
    return st.lists(MEASURE, min_size=min_size, max_size=max_size)


@st.composite
def pairs(draw: st.DrawFn, min_size: int = 2, max_size: int = 30) -> tuple[list[float], list[float]]:
    """Pre and post measurements for the same people."""
    n = draw(st.integers(min_size, max_size))
    return draw(samples(n, n)), draw(samples(n, n))


def tol(*groups: Sequence[float]) -> float:
    """Absolute tolerance scaled to the data's magnitude."""
    return 1e-9 * (1.0 + max((abs(v) for g in groups for v in g), default=0.0))


def quiet(compute: Callable[[], object]) -> object:
    """Run a reference computation that may warn on degenerate data."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return compute()


def interval(est: stats.Estimate) -> tuple[float, float]:
    """The interval of an estimate as a tuple."""
    return est.ci_low, est.ci_high


# --- paired change -----------------------------------------------------------


@PROPERTY
@given(data=pairs(), level=LEVELS)
def test_paired_change_interval_matches_scipy_paired_t(data, level):
    pre, post = data
    est = stats.paired_change(pre, post, level=level)
    ref = quiet(lambda: sps.ttest_rel(post, pre).confidence_interval(level))
    assert est.n == len(pre)
    assert est.value == pytest.approx(np.mean(np.subtract(post, pre)), rel=1e-9, abs=tol(pre, post))
    assert interval(est) == pytest.approx((ref.low, ref.high), rel=1e-7, abs=tol(pre, post))


@PROPERTY
@given(data=pairs(), level=LEVELS)
def test_paired_change_interval_matches_statsmodels_descrstats(data, level):
    pre, post = data
    diff = np.subtract(post, pre)
    assume(np.ptp(diff) > 0)  # statsmodels gives nan for zero spread; scipy covers it
    ref = DescrStatsW(diff).tconfint_mean(alpha=1 - level)
    est = stats.paired_change(pre, post, level=level)
    assert interval(est) == pytest.approx(ref, rel=1e-7, abs=tol(pre, post))


@PROPERTY
@given(data=pairs(min_size=2), level=LEVELS)
def test_paired_dz_follows_the_documented_normal_approximation(data, level):
    pre, post = data
    diff = np.subtract(post, pre)
    assume(np.ptp(diff) > 0)
    dz = diff.mean() / diff.std(ddof=1)
    half = sps.norm.ppf((1 + level) / 2) * math.sqrt(1 / diff.size + dz**2 / (2 * diff.size))
    est = stats.paired_dz(pre, post, level=level)
    assert (est.value, est.ci_low, est.ci_high) == pytest.approx((dz, dz - half, dz + half), rel=1e-7)


# --- difference in differences -----------------------------------------------


@PROPERTY
@given(treated=pairs(), comparison=pairs(), level=LEVELS)
def test_did_interval_matches_statsmodels_welch(treated, comparison, level):
    d_t = np.subtract(treated[1], treated[0])
    d_c = np.subtract(comparison[1], comparison[0])
    est = stats.did(*treated, *comparison, level=level)
    scale = tol(*treated, *comparison)
    assert est.value == pytest.approx(d_t.mean() - d_c.mean(), rel=1e-9, abs=scale)
    if np.ptp(d_t) == 0 and np.ptp(d_c) == 0:
        # statsmodels divides 0 by 0 here; no spread at all gives a zero-width interval.
        assert interval(est) == (est.value, est.value)
        return
    ref = quiet(
        lambda: CompareMeans(DescrStatsW(d_t), DescrStatsW(d_c)).tconfint_diff(alpha=1 - level, usevar="unequal")
    )
    assert interval(est) == pytest.approx(ref, rel=1e-7, abs=scale)


@PROPERTY
@given(treated=pairs(min_size=0), comparison=pairs(min_size=0))
def test_did_counts_people_in_both_groups_and_each_group(treated, comparison):
    est = stats.did(*treated, *comparison)
    assert (est.n_treated, est.n_comparison) == (len(treated[0]), len(comparison[0]))
    assert est.n == len(treated[0]) + len(comparison[0])


# --- standardised mean differences -----------------------------------------------


def reference_d(a: Sequence[float], b: Sequence[float]) -> float:
    """Cohen's d recovered from scipy's pooled-variance t statistic."""
    t = quiet(lambda: sps.ttest_ind(a, b, equal_var=True).statistic)
    return float(t) * math.sqrt(1 / len(a) + 1 / len(b))


@PROPERTY
@given(a=samples(), b=samples(), level=LEVELS)
def test_cohens_d_matches_scipy_pooled_t_and_hedges_olkin_interval(a, b, level):
    assume(np.ptp(a) > 0 or np.ptp(b) > 0)
    d = reference_d(a, b)
    n_a, n_b = len(a), len(b)
    se = math.sqrt((n_a + n_b) / (n_a * n_b) + d**2 / (2 * (n_a + n_b)))
    half = sps.norm.ppf((1 + level) / 2) * se
    est = stats.cohens_d(a, b, level=level)
    assert (est.value, est.ci_low, est.ci_high) == pytest.approx((d, d - half, d + half), rel=1e-7)
    assert (est.n, est.n_treated, est.n_comparison) == (n_a + n_b, n_a, n_b)


@PROPERTY
@given(a=samples(), b=samples(), level=LEVELS)
def test_hedges_g_is_cohens_d_shrunk_by_the_exact_gamma_correction(a, b, level):
    assume(np.ptp(a) > 0 or np.ptp(b) > 0)
    m = len(a) + len(b) - 2
    j = special.gamma(m / 2) / (math.sqrt(m / 2) * special.gamma((m - 1) / 2))
    d = stats.cohens_d(a, b, level=level)
    g = stats.hedges_g(a, b, level=level)
    assert (g.value, g.ci_low, g.ci_high) == pytest.approx((j * d.value, j * d.ci_low, j * d.ci_high), rel=1e-9)


@pytest.mark.parametrize("df", [5, 10, 40, 120])
def test_hedges_correction_is_close_to_the_usual_approximation(df):
    assert stats.hedges_correction(df) == pytest.approx(1 - 3 / (4 * df - 1), rel=5e-3)


# --- proportions ------------------------------------------------------------------

COUNTS = st.integers(0, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n)))


@PROPERTY
@given(kn=COUNTS.filter(lambda kn: kn[1] > 0), level=LEVELS)
def test_wilson_interval_matches_statsmodels(kn, level):
    k, n = kn
    est = stats.wilson(k, n, level=level)
    ref = proportion_confint(k, n, alpha=1 - level, method="wilson")
    assert est.value == k / n
    assert interval(est) == pytest.approx(ref, rel=1e-9, abs=1e-12)
    assert 0.0 <= est.ci_low <= est.value <= est.ci_high <= 1.0


@PROPERTY
@given(
    first=COUNTS.filter(lambda kn: kn[1] > 0),
    second=COUNTS.filter(lambda kn: kn[1] > 0),
    level=LEVELS,
)
def test_newcombe_interval_matches_statsmodels_newcomb(first, second, level):
    est = stats.newcombe_diff(*first, *second, level=level)
    ref = confint_proportions_2indep(*first, *second, method="newcomb", compare="diff", alpha=1 - level)
    assert est.value == pytest.approx(first[0] / first[1] - second[0] / second[1])
    assert interval(est) == pytest.approx(ref, rel=1e-9, abs=1e-12)
    assert (est.n_treated, est.n_comparison) == (first[1], second[1])


# --- percent change -----------------------------------------------------------------


@PROPERTY
@given(data=pairs(), level=LEVELS)
def test_percent_change_bounds_solve_fiellers_equation(data, level):
    baseline, current = np.asarray(data[0]), np.asarray(data[1])
    assume(baseline.mean() != 0)
    est = stats.percent_change(baseline, current, level=level)
    assert est.value == pytest.approx(100 * (current.mean() / baseline.mean() - 1), rel=1e-9)
    crit = sps.t.ppf((1 + level) / 2, baseline.size - 1)
    if math.isnan(est.ci_low):  # unbounded: the baseline mean is not clearly non-zero
        t_base = quiet(lambda: sps.ttest_1samp(baseline, 0).statistic)
        assert not abs(t_base) > crit * (1 + 1e-9)
        return
    ratio = 1 + est.value / 100
    if est.ci_high - est.ci_low <= 1e-9 * (1 + abs(est.value)):
        # A single-point set: only when current is exactly proportional to baseline.
        assert current == pytest.approx(ratio * baseline, rel=1e-6, abs=tol(current))
        return
    for bound in interval(est):
        resid = current - (1 + bound / 100) * baseline
        assume(np.ptp(resid) > 1e-6 * (1 + np.abs(resid).max()))  # well-conditioned root
        t_stat = sps.ttest_1samp(resid, 0).statistic
        assert abs(t_stat) == pytest.approx(crit, rel=1e-5)


def percent_tol(base: float, mean_ci: stats.Estimate) -> float:
    """Absolute tolerance of ``100 (x / base - 1)`` for a bound x = mean ± half-width.

    Both sides compute x from the mean and the half-width, each good to a few ulps of its own size, so x
    is good to a few ulps of ``|mean| + half``, not of x: when the bound lands near ``base`` while the mean
    and the half-width are far larger (base 0.01, current [0.01, 1e6]: the lower bound is exactly 0 %),
    cancellation leaves an error of a few ``100 eps (|mean| + half) / |base|``, about 1e-6 there (the
    earlier fixed abs=1e-7 failed on it). The worst of 200,000 drawn cases was 3.5 eps of that scale;
    1e-12 leaves a margin of a thousand and is still far below any error a wrong formula would make.
    """
    half = abs(mean_ci.ci_high - mean_ci.ci_low) / 2
    return 1e-12 * 100 * (1 + (abs(mean_ci.value) + half) / abs(base))


@PROPERTY
@given(base=MEASURE.filter(lambda v: v != 0), current=samples(), level=LEVELS)
@example(base=0.01, current=[0.01, 1e6], level=0.5)  # the lower bound is 0 %; computed -4.9e-7 and -7.5e-7
@example(base=0.01, current=[0.01, -1e6], level=0.5)
def test_percent_change_on_a_constant_baseline_is_the_scaled_t_interval(base, current, level):
    baseline = [base] * len(current)
    mean_ci = stats.paired_change([0.0] * len(current), current, level=level)
    expected = sorted(100 * (bound / base - 1) for bound in interval(mean_ci))
    est = stats.percent_change(baseline, current, level=level)
    assert interval(est) == pytest.approx(expected, rel=1e-7, abs=percent_tol(base, mean_ci))


# --- edge cases ----------------------------------------------------------------

EDGE_VALUES = st.lists(st.sampled_from([0.0, 0.0, 1.0, 1.0, -2.5, 0.1]), max_size=3)


@PROPERTY
@given(a=EDGE_VALUES, b=EDGE_VALUES, c=EDGE_VALUES, d=EDGE_VALUES)
def test_estimators_never_raise_on_tiny_constant_or_zero_samples(a, b, c, d):
    n = min(len(a), len(b))
    results = [
        stats.paired_change(a[:n], b[:n]),
        stats.paired_dz(a[:n], b[:n]),
        stats.percent_change(a[:n], b[:n]),
        stats.did(a[:n], b[:n], c[: len(d)], d[: len(c)]),
        stats.cohens_d(a, c),
        stats.hedges_g(a, c),
    ]
    for est in results:
        assert isinstance(est, stats.Estimate)
        assert not (math.isnan(est.value) and not math.isnan(est.ci_low))


def test_empty_input_gives_nan_and_n_zero():
    for est in (stats.paired_change([], []), stats.percent_change([], []), stats.wilson(0, 0)):
        assert est.n == 0
        assert math.isnan(est.value)
        assert math.isnan(est.ci_low)
    no_second_group = stats.newcombe_diff(3, 10, 0, 0)
    assert (no_second_group.n, no_second_group.n_comparison) == (10, 0)
    assert math.isnan(no_second_group.value)


def test_a_single_pair_has_a_change_but_no_interval():
    est = stats.paired_change([10.0], [7.0])
    assert est.value == -3.0
    assert math.isnan(est.ci_low)
    assert math.isnan(est.ci_high)
    assert math.isnan(stats.paired_dz([10.0], [7.0]).value)


def test_two_pairs_use_one_degree_of_freedom():
    est = stats.paired_change([0.0, 0.0], [1.0, 3.0])
    half = sps.t.ppf(0.975, 1) * 1.0  # sd of (1, 3) is sqrt(2); se = 1
    assert interval(est) == pytest.approx((2 - half, 2 + half))


def test_identical_changes_give_zero_width_interval_but_undefined_standardised_effect():
    change = stats.paired_change([0.0] * 3, [0.1] * 3)
    assert (change.value, change.ci_low, change.ci_high) == (0.1, 0.1, 0.1)
    did = stats.did([1.0] * 3, [2.0] * 3, [5.0] * 4, [5.0] * 4)
    assert (did.value, did.ci_low, did.ci_high) == (1.0, 1.0, 1.0)
    assert math.isnan(stats.paired_dz([0.0] * 3, [0.1] * 3).value)
    assert math.isnan(stats.cohens_d([0.1] * 3, [0.1] * 4).value)
    assert math.isnan(stats.hedges_g([0.1] * 3, [0.2] * 4).ci_low)


def test_zero_baseline_mean_gives_nan_percent_change_not_an_error():
    est = stats.percent_change([-1.0, 1.0], [3.0, 5.0])
    assert est.n == 2
    assert math.isnan(est.value)
    assert math.isnan(est.ci_high)


def test_hedges_g_needs_two_pooled_degrees_of_freedom():
    assert math.isnan(stats.hedges_g([1.0, 2.0], [3.0]).value)
    assert not math.isnan(stats.cohens_d([1.0, 2.0], [3.0]).value)


def test_describe_uses_sample_sd_and_nan_when_undefined():
    assert stats.describe([2.0, 4.0, 6.0]) == stats.Describe(3, 4.0, 2.0)
    one, none = stats.describe([5.0]), stats.describe([])
    assert (one.n, one.mean) == (1, 5.0)
    assert math.isnan(one.sd)
    assert none.n == 0
    assert math.isnan(none.mean)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: stats.paired_change([1.0, 2.0], [1.0]), "same length"),
        (lambda: stats.did([1.0], [2.0], [1.0, 2.0], [1.0]), "c_pre and c_post"),
        (lambda: stats.paired_change([1.0, math.nan], [1.0, 2.0]), "non-finite"),
        (lambda: stats.cohens_d([math.inf], [1.0]), "non-finite"),
        (lambda: stats.wilson(6, 5), "must not exceed"),
        (lambda: stats.wilson(-1, 5), "negative"),
        (lambda: stats.wilson(1.5, 5), "whole number"),
        (lambda: stats.newcombe_diff(1, 2, 3, 2), "k2"),
        (lambda: stats.paired_change([1.0], [2.0], level=1.0), "level"),
        (lambda: stats.wilson(1, 2, level=0.0), "level"),
        (lambda: stats.signed_change(1.0, "down"), "direction"),
        (lambda: stats.is_suppressed(-1), "negative"),
    ],
)
def test_invalid_input_raises_value_error_saying_what_is_wrong(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- direction, ROI, suppression, contract ----------------------------------------


def test_lower_is_better_turns_a_shorter_cycle_into_a_positive_improvement():
    est = stats.Estimate(value=-18.0, ci_low=-27.0, ci_high=-9.0, n=99)
    better = stats.as_improvement(est, "lower")
    assert (better.value, better.ci_low, better.ci_high, better.n) == (18.0, 9.0, 27.0, 99)
    assert stats.as_improvement(est, "higher") == est
    assert stats.signed_change(-18.0, "lower") == 18.0
    assert stats.signed_change(-18.0, "higher") == -18.0


def test_roi_matches_a_hand_computed_phillips_example():
    # 42 people close 2 more deals a month worth 500 each in margin; participants
    # attribute 60% to mentoring with 80% confidence. Fully loaded costs 150,000.
    # Benefit = 2 x 500 x 42 x 0.6 x 0.8 x 12 = 241,920 a year.
    result = stats.roi(
        attributable_change=2,
        value_per_unit=500,
        n_people=42,
        isolation_share=0.6,
        confidence_share=0.8,
        costs={"mentor time": 80_000, "coordination": 40_000, "training": 20_000, "tools": 10_000},
        periods_per_year=12,
    )
    assert result.benefit == pytest.approx(241_920)
    assert result.costs == 150_000
    assert result.roi_percent == pytest.approx(61.28)  # (241,920 - 150,000) / 150,000
    assert result.benefit_cost_ratio == pytest.approx(1.6128)
    assert result.payback_months == pytest.approx(150_000 / 20_160)  # about 7.4 months


def test_roi_is_nan_where_undefined_and_rejects_impossible_shares():
    free = stats.roi(
        attributable_change=-1,
        value_per_unit=10,
        n_people=5,
        isolation_share=1,
        confidence_share=1,
        costs=[],
    )
    assert free.benefit == -50
    assert math.isnan(free.roi_percent)
    assert math.isnan(free.benefit_cost_ratio)
    assert math.isnan(free.payback_months)
    with pytest.raises(ValueError, match="isolation_share"):
        stats.roi(
            attributable_change=1,
            value_per_unit=1,
            n_people=1,
            isolation_share=1.5,
            confidence_share=1,
            costs=[1.0],
        )
    with pytest.raises(ValueError, match="cost"):
        stats.roi(
            attributable_change=1,
            value_per_unit=1,
            n_people=1,
            isolation_share=1,
            confidence_share=1,
            costs=[-1.0],
        )


@pytest.mark.parametrize(("n", "hidden"), [(0, True), (1, True), (4, True), (5, False), (42, False)])
def test_cells_with_fewer_than_five_people_are_suppressed(n, hidden):
    assert stats.MIN_CELL == 5
    assert stats.is_suppressed(n) is hidden


def test_public_signatures_are_stable_and_results_are_frozen():
    assert stats.METHOD_VERSION == "1"
    expected = {
        stats.paired_change: ["pre", "post", "level"],
        stats.paired_dz: ["pre", "post", "level"],
        stats.did: ["t_pre", "t_post", "c_pre", "c_post", "level"],
        stats.cohens_d: ["a", "b", "level"],
        stats.hedges_g: ["a", "b", "level"],
        stats.wilson: ["k", "n", "level"],
        stats.newcombe_diff: ["k1", "n1", "k2", "n2", "level"],
        stats.percent_change: ["baseline", "current", "level"],
    }
    for func, names in expected.items():
        params = inspect.signature(func).parameters
        assert list(params) == names, func.__name__
        assert params["level"].kind is inspect.Parameter.KEYWORD_ONLY
        assert params["level"].default == 0.95
    with pytest.raises(dataclasses.FrozenInstanceError):
        stats.wilson(1, 2).value = 0.0  # type: ignore[misc]


# --- worked example ---------------------------------------------------------------


def sales_cycle_days() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Days per sales cycle before and after, for 42 mentored and 57 other staff.

    Mentored staff shorten their cycle by 25 days on average, the others by 7,
    each with a spread of roughly 22 days between people.
    """
    t_pre = 60 + np.linspace(-12, 12, 42)
    c_pre = 58 + np.linspace(-12, 12, 57)
    t_change = -25 + np.linspace(-38, 38, 42)[::-1]
    c_change = -7 + np.linspace(-38, 38, 57)
    return t_pre, t_pre + t_change, c_pre, c_pre + c_change


def hr_sentence(est: stats.Estimate) -> str:
    """The sentence HR puts in the programme report."""
    return (
        f"mentored sales staff cut their sales cycle by {est.value:.0f} days more than "
        f"the comparison group ({est.level:.0%} CI {est.ci_low:.0f} to {est.ci_high:.0f}; "
        f"{est.n_treated} mentored, {est.n_comparison} not)"
    )


def test_worked_example_mentored_sales_cycle_cut_versus_comparison_group():
    t_pre, t_post, c_pre, c_post = sales_cycle_days()
    raw = stats.did(t_pre, t_post, c_pre, c_post)
    ref = CompareMeans(DescrStatsW(t_post - t_pre), DescrStatsW(c_post - c_pre))
    assert interval(raw) == pytest.approx(ref.tconfint_diff(usevar="unequal"))
    assert raw.value == pytest.approx(-18.0)
    assert not stats.is_suppressed(raw.n_treated)
    assert not stats.is_suppressed(raw.n_comparison)

    improvement = stats.as_improvement(raw, "lower")
    assert hr_sentence(improvement) == (
        "mentored sales staff cut their sales cycle by 18 days more than the comparison "
        "group (95% CI 9 to 27; 42 mentored, 57 not)"
    )
