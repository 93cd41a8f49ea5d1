"""From one metric's paired values to the figures of an outcome result: pure Python, no ORM.

`compute(inputs)` takes each person's baseline and cycle value, per group, and returns the figures an
OutcomeResult stores (a JSON-ready dict): per group n, mean and sd at baseline and now, the paired change
with its t interval, the percent change and d_z; the difference-in-differences of change scores against
the comparison group with its Welch interval, Cohen's d and Hedges' g of the change scores; for rates
Wilson intervals and the Newcombe difference; and the Phillips ROI when the metric has a value per unit
and the programme has costs. Every figure carries its n. A group of 1 to 4 people is suppressed: its
cell keeps no figures and no n, and nothing computed from it is kept either.

`fingerprint(inputs, key=…)` is a keyed hash (HMAC-SHA-256) of everything `compute` reads, so equal
fingerprints mean equal figures and the task may skip the work. It is keyed because its inputs are each
person's own values: an unkeyed hash of small whole numbers is reversed by trying them all (issue 12).
It never leaves the server; the API publishes `figures_digest`, a hash of the published figures only.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from . import stats

PARTICIPANT = "participant"  # the mentored, per protocol (evaluation.selectors_protocol)
COMPARISON = "comparison"
MENTOR = "mentor"  # mentors whose relationship reached active: described on their own, never compared
# The comparison group isolates the programme's effect, so the whole difference-in-differences counts
# (Phillips' isolation share 1); the figures are measured, not estimated by people (confidence share 1).
ISOLATION_SHARE = 1.0
CONFIDENCE_SHARE = 1.0


@dataclass(frozen=True)
class Pairs:
    """One group's people with both a baseline and a cycle value, in the same order."""

    person_ids: Sequence[int] = ()
    pre: Sequence[float] = ()
    post: Sequence[float] = ()


@dataclass(frozen=True)
class MetricInputs:
    """Everything an outcome result is computed from."""

    kind: str
    direction: str
    unit: str
    value_per_unit: float | None
    participant: Pairs
    comparison: Pairs
    costs: Sequence[float] = field(default_factory=tuple)
    mentors: Pairs = field(default_factory=Pairs)
    # People with values left out of every cell, by reason (see evaluation.selectors_protocol).
    excluded: Mapping[str, int] = field(default_factory=dict)


def _number(value: float | None) -> float | None:
    """A JSON-safe number: nan and infinities become None (undefined)."""
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def estimate_json(estimate: stats.Estimate) -> dict[str, Any]:
    """An Estimate as a JSON-ready dict; undefined values are None."""
    return {
        "value": _number(estimate.value),
        "ci_low": _number(estimate.ci_low),
        "ci_high": _number(estimate.ci_high),
        "n": estimate.n,
        "n_treated": estimate.n_treated,
        "n_comparison": estimate.n_comparison,
        "level": estimate.level,
    }


def _binary(values: Sequence[float]) -> bool:
    return all(v in (0.0, 1.0) for v in values)


def _group(pairs: Pairs, kind: str) -> dict[str, Any]:
    """One group's cell: suppressed below stats.MIN_CELL people (no figures, no n), else every figure."""
    n = len(pairs.pre)
    if n == 0:
        return {"n": 0, "suppressed": False, "empty": True}
    if stats.is_suppressed(n):
        return {"n": None, "suppressed": True, "empty": False}
    before, after = stats.describe(pairs.pre), stats.describe(pairs.post)
    cell: dict[str, Any] = {
        "n": n,
        "suppressed": False,
        "empty": False,
        "baseline": {"n": n, "mean": _number(before.mean), "sd": _number(before.sd)},
        "current": {"n": n, "mean": _number(after.mean), "sd": _number(after.sd)},
        "change": estimate_json(stats.paired_change(pairs.pre, pairs.post)),
        "percent_change": estimate_json(stats.percent_change(pairs.pre, pairs.post)),
        "dz": estimate_json(stats.paired_dz(pairs.pre, pairs.post)),
        "rate_baseline": None,
        "rate_current": None,
    }
    if kind == "rate" and _binary(pairs.pre) and _binary(pairs.post):
        cell["rate_baseline"] = estimate_json(stats.wilson(int(sum(pairs.pre)), n))
        cell["rate_current"] = estimate_json(stats.wilson(int(sum(pairs.post)), n))
    return cell


def _changes(pairs: Pairs) -> list[float]:
    return [b - a for a, b in zip(pairs.pre, pairs.post, strict=True)]


def _roi(inputs: MetricInputs, did: stats.Estimate) -> dict[str, Any] | None:
    """Phillips ROI of the attributable change, when the metric has a money value and there are costs."""
    costs = [float(c) for c in inputs.costs]
    if inputs.value_per_unit is None or not costs or sum(costs) <= 0 or not math.isfinite(did.value):
        return None
    improvement = stats.as_improvement(did, "lower" if inputs.direction == "lower" else "higher")
    figures = stats.roi(
        attributable_change=improvement.value,
        value_per_unit=inputs.value_per_unit,
        n_people=did.n_treated or 0,
        isolation_share=ISOLATION_SHARE,
        confidence_share=CONFIDENCE_SHARE,
        costs=costs,
    )
    return {key: _number(value) for key, value in asdict(figures).items()} | {
        "n": did.n_treated,
        "isolation_share": ISOLATION_SHARE,
        "confidence_share": CONFIDENCE_SHARE,
    }


def programme_roi(benefits: Sequence[float], costs: float) -> dict[str, float | None]:
    """Phillips ROI of the whole programme: the summed annual benefits of all its monetised metrics against
    its fully loaded costs. Each metric's benefit is a part of this one figure; setting each metric alone
    against the whole cost would count the cost once per metric."""
    benefit = math.fsum(benefits)
    return {
        "benefit": benefit,
        "costs": costs,
        "roi_percent": (benefit - costs) / costs * 100.0 if costs > 0 else None,
        "benefit_cost_ratio": benefit / costs if costs > 0 else None,
        "payback_months": costs / (benefit / 12.0) if benefit > 0 else None,
    }


def compute(inputs: MetricInputs) -> dict[str, Any]:
    """The figures of one metric in one cycle (see the module docstring)."""
    treated, control = inputs.participant, inputs.comparison
    groups = {PARTICIPANT: _group(treated, inputs.kind), COMPARISON: _group(control, inputs.kind)}
    comparable = all(not g["suppressed"] and not g["empty"] for g in groups.values())
    figures: dict[str, Any] = {
        "method_version": stats.METHOD_VERSION,
        "kind": inputs.kind,
        "direction": inputs.direction,
        "unit": inputs.unit,
        "groups": groups,
        "did": None,
        "cohens_d": None,
        "hedges_g": None,
        "rate_difference": None,
        "roi": None,
        "suppressed": any(g["suppressed"] for g in groups.values()),
        # Mentors are not part of the comparison: their own cell, and who was left out of every cell.
        "mentors": _group(inputs.mentors, inputs.kind),
        "excluded": {reason: n for reason, n in sorted(inputs.excluded.items()) if n},
    }
    if not comparable:
        return figures
    did = stats.did(treated.pre, treated.post, control.pre, control.post)
    figures["did"] = estimate_json(did)
    figures["cohens_d"] = estimate_json(stats.cohens_d(_changes(treated), _changes(control)))
    figures["hedges_g"] = estimate_json(stats.hedges_g(_changes(treated), _changes(control)))
    if groups[PARTICIPANT]["rate_current"] and groups[COMPARISON]["rate_current"]:
        figures["rate_difference"] = estimate_json(
            stats.newcombe_diff(int(sum(treated.post)), len(treated.post), int(sum(control.post)), len(control.post))
        )
    figures["roi"] = _roi(inputs, did)
    return figures


def fingerprint(inputs: MetricInputs, *, key: bytes) -> str:
    """HMAC-SHA-256 under `key` of every input of `compute` and the method version, order-independent
    within a group (see the module docstring for why it is keyed)."""

    def rows(pairs: Pairs) -> list[tuple[int, float, float]]:
        return sorted(zip(pairs.person_ids, pairs.pre, pairs.post, strict=True))

    payload = {
        "method": stats.METHOD_VERSION,
        "kind": inputs.kind,
        "direction": inputs.direction,
        "unit": inputs.unit,
        "value_per_unit": inputs.value_per_unit,
        "participant": rows(inputs.participant),
        "comparison": rows(inputs.comparison),
        "mentors": rows(inputs.mentors),
        "excluded": sorted((reason, n) for reason, n in inputs.excluded.items() if n),
        "costs": sorted(float(c) for c in inputs.costs),
    }
    return hmac.new(key, json.dumps(payload, sort_keys=True).encode(), hashlib.sha256).hexdigest()


def figures_digest(figures: dict[str, Any]) -> str:
    """SHA-256 of published figures (already suppressed): tells a reader two results agree, and nothing more."""
    return hashlib.sha256(json.dumps(figures, sort_keys=True, default=str).encode()).hexdigest()
