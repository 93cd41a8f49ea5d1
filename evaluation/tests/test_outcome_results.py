"""Outcome results: computed from the raw rows, immutable, recomputed only when their inputs change, suppressed
below 5 people; the figures equal an independent computation with numpy and scipy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from evaluation.models import CostItem, EvaluationCycle, Observation, OutcomeResult
from evaluation.services.observations import results_mark_stale
from evaluation.services.results import outcome_results_compute
from evaluation.tests.outcome_helpers import outcomes, record

pytestmark = pytest.mark.django_db


def _arrays(o, group_people):  # type: ignore[no-untyped-def]
    pre = np.array([o.values[(p.pk, "pre")] for p in group_people])
    post = np.array([o.values[(p.pk, "post")] for p in group_people])
    return pre, post


def test_a_result_equals_an_independent_welch_difference_in_differences() -> None:
    o = outcomes(mentored=42, comparison=57)
    assert outcome_results_compute(programme=o.programme) == 1
    result = OutcomeResult.objects.get(metric=o.metric, cycle=o.cycle)
    f = result.figures
    t_pre, t_post = _arrays(o, o.mentored)
    c_pre, c_post = _arrays(o, o.comparison)
    d_t, d_c = t_post - t_pre, c_post - c_pre
    # Welch's t-test of the change scores is the difference-in-differences; its interval by hand.
    welch = sps.ttest_ind(d_t, d_c, equal_var=False)
    ci = welch.confidence_interval(0.95)
    assert f["did"]["value"] == pytest.approx(d_t.mean() - d_c.mean(), rel=1e-12)
    assert (f["did"]["ci_low"], f["did"]["ci_high"]) == (
        pytest.approx(ci.low, rel=1e-9),
        pytest.approx(ci.high, rel=1e-9),
    )
    assert (f["did"]["n_treated"], f["did"]["n_comparison"]) == (42, 57)
    paired = sps.ttest_rel(t_post, t_pre).confidence_interval(0.95)
    change = f["groups"]["participant"]["change"]
    assert change["value"] == pytest.approx(d_t.mean())
    assert (change["ci_low"], change["ci_high"]) == (pytest.approx(paired.low), pytest.approx(paired.high))
    assert f["groups"]["participant"]["baseline"]["sd"] == pytest.approx(t_pre.std(ddof=1))
    assert f["groups"]["comparison"]["current"]["mean"] == pytest.approx(c_post.mean())
    assert result.method_version == f["method_version"]
    assert len(result.fingerprint) == 64


def test_running_again_without_new_data_writes_no_new_snapshot() -> None:
    o = outcomes()
    outcome_results_compute(programme=o.programme)
    first = OutcomeResult.objects.get()
    assert outcome_results_compute(programme=o.programme) == 0
    assert list(OutcomeResult.objects.all()) == [first]


def test_new_data_marks_the_result_stale_and_the_next_run_supersedes_it() -> None:
    o = outcomes()
    outcome_results_compute(programme=o.programme)
    old = OutcomeResult.objects.get()
    Observation.objects.filter(cycle=o.cycle, person=o.mentored[0]).update(value=1.0)
    assert results_mark_stale(cycle=o.cycle) == 1
    assert OutcomeResult.objects.get().stale
    assert outcome_results_compute(programme=o.programme) == 1
    old.refresh_from_db()
    current = OutcomeResult.objects.get(superseded_at__isnull=True)
    assert old.superseded_at is not None
    assert old.figures != current.figures
    assert not current.stale
    assert old.fingerprint != current.fingerprint


def test_a_result_cannot_be_changed_after_it_was_written() -> None:
    o = outcomes()
    outcome_results_compute(programme=o.programme)
    result = OutcomeResult.objects.get()
    result.figures = {"did": "made up"}
    with pytest.raises(ValueError, match="immutable"):
        result.save()
    with pytest.raises(ValueError, match="immutable"):
        result.save(update_fields=["figures"])
    result.stale = True
    result.save(update_fields=["stale"])  # bookkeeping only


def test_a_group_of_four_is_suppressed_with_everything_computed_from_it() -> None:
    o = outcomes(mentored=4, comparison=9)
    outcome_results_compute(programme=o.programme)
    f = OutcomeResult.objects.get().figures
    assert f["suppressed"] is True
    assert f["groups"]["participant"] == {"n": None, "suppressed": True, "empty": False}
    assert f["did"] is None
    assert f["hedges_g"] is None
    assert f["roi"] is None
    assert f["groups"]["comparison"]["n"] == 9


def test_closing_results_make_a_closed_cycle_analysed() -> None:
    o = outcomes()
    outcome_results_compute(programme=o.programme)
    o.cycle.refresh_from_db()
    assert o.cycle.state == EvaluationCycle.State.ANALYSED
    assert o.cycle.analysed_at is not None


def test_rates_get_wilson_intervals_and_the_newcombe_difference() -> None:
    o = outcomes(mentored=30, comparison=40, kind="rate", direction="higher")
    outcome_results_compute(programme=o.programme)
    f = OutcomeResult.objects.get().figures
    k1 = int(sum(o.values[(p.pk, "post")] for p in o.mentored))
    rate = f["groups"]["participant"]["rate_current"]
    low, high = _wilson_reference(k1, 30)
    assert rate["value"] == pytest.approx(k1 / 30)
    assert (rate["ci_low"], rate["ci_high"]) == (pytest.approx(low), pytest.approx(high))
    assert f["rate_difference"]["n_treated"] == 30


def _wilson_reference(k: int, n: int) -> tuple[float, float]:
    from statsmodels.stats.proportion import proportion_confint

    low, high = proportion_confint(k, n, alpha=0.05, method="wilson")
    return float(low), float(high)


def test_roi_uses_the_programmes_costs_when_the_metric_has_a_value_per_unit() -> None:
    o = outcomes(mentored=20, comparison=20)
    o.metric.value_per_unit = 1000
    o.metric.save()
    CostItem.objects.create(programme=o.programme, description="Coordinator time", amount=50_000)
    outcome_results_compute(programme=o.programme)
    f = OutcomeResult.objects.get().figures
    improvement = -f["did"]["value"]  # lower is better: a fall is the benefit
    assert f["roi"]["benefit"] == pytest.approx(improvement * 1000 * 20)
    assert f["roi"]["roi_percent"] == pytest.approx((improvement * 1000 * 20 - 50_000) / 50_000 * 100)


def test_a_person_whose_group_changed_since_the_baseline_is_left_out() -> None:
    o = outcomes(mentored=6, comparison=6)
    moved = o.mentored[0]
    Observation.objects.filter(person=moved, cycle=o.cycle).update(group="comparison")
    outcome_results_compute(programme=o.programme)
    f = OutcomeResult.objects.get().figures
    assert f["groups"]["participant"]["n"] == 5
    assert f["groups"]["comparison"]["n"] == 6


def test_values_without_a_baseline_do_not_count() -> None:
    o = outcomes(mentored=6, comparison=6)
    from people.tests.factories import UserFactory

    newcomer = UserFactory()
    record(o.metric, newcomer, "participant", 10.0, o.cycle)
    outcome_results_compute(programme=o.programme)
    assert OutcomeResult.objects.get().figures["groups"]["participant"]["n"] == 6
    assert not math.isnan(OutcomeResult.objects.get().figures["did"]["value"])
