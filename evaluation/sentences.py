"""One plain-language sentence per outcome result, aware of which way is better.

"Mentored participants cut their sales cycle length by 18 days more than the comparison group (95% CI 9
to 27; 42 mentored, 57 not)." The sentence only uses figures the result kept, so it never reveals a
suppressed cell. Rates stored as shares (0 to 1) are told in percentage points.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _


def decimals(value: float) -> int:
    """How many decimals a person wants to read: 18 days, 2.4 deals, 0.35 points."""
    size = abs(value)
    return 0 if size >= 10 else 1 if size >= 1 else 2


def fmt(value: float, places: int | None = None) -> str:
    """A number as the reader's locale writes it, with grouping."""
    return str(number_format(value, places if places is not None else decimals(value), force_grouping=True))


def _scale(figures: Mapping[str, Any], unit: str) -> tuple[float, str]:
    if figures.get("kind") == "rate":
        return 100.0, _("percentage points")
    return 1.0, unit


def _interval(low: float | None, high: float | None, level: float, places: int) -> str:
    if low is None or high is None:
        return _("no interval: too few people")
    return _("%(level)s%% CI %(low)s to %(high)s") % {
        "level": fmt(level * 100, 0),
        "low": fmt(low, places),
        "high": fmt(high, places),
    }


def _magnitude(estimate: Mapping[str, Any], factor: float) -> tuple[float, float | None, float | None]:
    """The size of a change and its interval, positive: a fall of 18 (−27 to −9) is 18 (9 to 27)."""
    value, low, high = (estimate.get(k) for k in ("value", "ci_low", "ci_high"))
    assert value is not None
    if value < 0:
        low, high = (None if high is None else -high), (None if low is None else -low)
        value = -value
    scale = lambda v: None if v is None else v * factor  # noqa: E731
    return value * factor, scale(low), scale(high)


def _lower(name: str) -> str:
    """A metric's name inside a sentence: "Sales cycle length" → "sales cycle length", "NPS" stays."""
    return name[:1].lower() + name[1:] if name[:1].isupper() and not name[1:2].isupper() else name


def _excludes_zero(estimate: Mapping[str, Any]) -> bool:
    low, high = estimate.get("ci_low"), estimate.get("ci_high")
    return low is not None and high is not None and (low > 0 or high < 0)


def did_sentence(name: str, unit: str, direction: str, figures: Mapping[str, Any]) -> str:
    """The difference-in-differences told as a sentence (figures["did"] must be present)."""
    did = figures["did"]
    factor, unit = _scale(figures, unit)
    size, low, high = _magnitude(did, factor)
    places = decimals(size)
    better = (did["value"] < 0) == (direction == "lower")
    values = {
        "metric": _lower(name),
        "size": fmt(size, places),
        "unit": unit,
        "ci": _interval(low, high, did.get("level", 0.95), places),
        "treated": did.get("n_treated"),
        "control": did.get("n_comparison"),
    }
    if direction == "lower":
        text = (
            _("Mentored participants cut their %(metric)s by %(size)s %(unit)s more than the comparison group")
            if better
            else _("Mentored participants' %(metric)s grew by %(size)s %(unit)s more than the comparison group's")
        )
    else:
        text = (
            _("Mentored participants raised their %(metric)s by %(size)s %(unit)s more than the comparison group")
            if better
            else _("Mentored participants' %(metric)s fell by %(size)s %(unit)s more than the comparison group's")
        )
    sentence = (text + " " + _("(%(ci)s; %(treated)s mentored, %(control)s not).")) % values
    if math.isclose(did["value"], 0.0) or not _excludes_zero(did):
        sentence += " " + _("The interval includes no difference, so this may be chance.")
    return sentence


def change_sentence(name: str, unit: str, direction: str, figures: Mapping[str, Any]) -> str:
    """The participants' own change since the baseline, when there is no comparison to make."""
    change = figures["groups"]["participant"]["change"]
    factor, unit = _scale(figures, unit)
    size, low, high = _magnitude(change, factor)
    places = decimals(size)
    rose = change["value"] > 0
    values = {
        "metric": _lower(name),
        "size": fmt(size, places),
        "unit": unit,
        "ci": _interval(low, high, change.get("level", 0.95), places),
        "n": change.get("n"),
    }
    text = (
        _(
            "Since the baseline, mentored participants' %(metric)s rose by %(size)s %(unit)s on average "
            "(%(ci)s; %(n)s people)."
        )
        if rose
        else _(
            "Since the baseline, mentored participants' %(metric)s fell by %(size)s %(unit)s on average "
            "(%(ci)s; %(n)s people)."
        )
    )
    better = rose == (direction == "higher")
    verdict = _("That is an improvement.") if better else _("That is a change for the worse.")
    caveat = _("There is no comparison group to tell how much of it is due to mentoring.")
    return f"{text % values} {verdict} {caveat}"


def result_sentence(name: str, unit: str, direction: str, figures: Mapping[str, Any]) -> str:
    """The one sentence a report shows for a result."""
    groups = figures.get("groups") or {}
    participant = groups.get("participant") or {}
    if figures.get("did") and figures["did"].get("value") is not None:
        return did_sentence(name, unit, direction, figures)
    if participant.get("suppressed") or (groups.get("comparison") or {}).get("suppressed"):
        return _("A group has fewer than 5 people with values, so no figures are shown.")
    if participant.get("empty"):
        return _("No values have been recorded for mentored participants in this cycle yet.")
    if participant.get("change", {}).get("value") is not None:
        return change_sentence(name, unit, direction, figures)
    return _("Not enough values to compute a change yet.")
