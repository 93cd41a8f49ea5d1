"""One plain-language sentence per outcome result, aware of which way is better.

"Mentored participants cut their sales cycle length by 18 days more than the comparison group (95% CI 9
to 27; 42 mentored, 57 not)." The sentence only uses figures the result kept, so it never reveals a
suppressed cell. Rates stored as shares (0 to 1) are told in percentage points.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from people.figures import direction_of, number, places_for, rounded

# The sentences, the tables, the charts and the exports all write figures through people.figures.
decimals = places_for


def fmt(value: float, places: int | None = None) -> str:
    """A number as the reader's locale writes it, rounded half away from zero (people.figures.number)."""
    return number(value, places)


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


def rounded_is_zero(value: float, places: int) -> bool:
    """True when a figure shows as 0 at its precision."""
    return rounded(value, places).is_zero()


def _lower(name: str) -> str:
    """A metric's name inside a sentence: "Sales cycle length" → "sales cycle length", "NPS" stays."""
    return name[:1].lower() + name[1:] if name[:1].isupper() and not name[1:2].isupper() else name


def _excludes_zero(estimate: Mapping[str, Any]) -> bool:
    low, high = estimate.get("ci_low"), estimate.get("ci_high")
    return low is not None and high is not None and (low > 0 or high < 0)


def _did_text(direction: str, did_sign: int, moved: int | None) -> tuple[str, bool]:
    """The sentence's words, true to which way the mentored group's own value went, and whether they
    already say which side it favours. `moved` is -1, 0 or 1 as shown, None when the groups are unknown."""
    if moved is None or moved == did_sign:
        # The mentored group moved the way of the difference: "cut … more", "grew … more".
        if direction == "lower":
            if did_sign < 0:
                return _(
                    "Mentored participants cut their %(metric)s by %(size)s %(unit)s more than the comparison group"
                ), True
            return _(
                "Mentored participants' %(metric)s grew by %(size)s %(unit)s more than the comparison group's"
            ), True
        if did_sign > 0:
            return _(
                "Mentored participants raised their %(metric)s by %(size)s %(unit)s more than the comparison group"
            ), True
        return _("Mentored participants' %(metric)s fell by %(size)s %(unit)s more than the comparison group's"), True
    if moved == 0:
        if did_sign > 0:
            return _(
                "Mentored participants' %(metric)s held steady while the comparison group's fell by %(size)s %(unit)s"
            ), False
        return _(
            "Mentored participants' %(metric)s held steady while the comparison group's rose by %(size)s %(unit)s"
        ), False
    if moved < 0:  # both fell, the mentored less
        return _("Mentored participants' %(metric)s fell by %(size)s %(unit)s less than the comparison group's"), False
    return _("Mentored participants' %(metric)s rose by %(size)s %(unit)s less than the comparison group's"), False


def did_sentence(name: str, unit: str, direction: str, figures: Mapping[str, Any]) -> str:
    """The difference-in-differences told as a sentence (figures["did"] must be present)."""
    did = figures["did"]
    factor, unit = _scale(figures, unit)
    size, low, high = _magnitude(did, factor)
    places = decimals(size)
    did_sign = -1 if did["value"] < 0 else 1
    change = ((figures.get("groups") or {}).get("participant") or {}).get("change") or {}
    moved = None if change.get("value") is None else direction_of(change["value"] * factor)
    text, says_side = _did_text(direction, did_sign, moved)
    values = {
        "metric": _lower(name),
        "size": fmt(size, places),
        "unit": unit,
        "ci": _interval(low, high, did.get("level", 0.95), places),
        "treated": did.get("n_treated"),
        "control": did.get("n_comparison"),
    }
    sentence = (text + " " + _("(%(ci)s; %(treated)s mentored, %(control)s not).")) % values
    if not says_side:
        better = (did_sign < 0) == (direction == "lower")
        sentence += " " + (
            _("That favours the mentored participants.") if better else _("That favours the comparison group.")
        )
    if rounded_is_zero(size, places) or not _excludes_zero(did):
        sentence += " " + _("The interval includes no difference, so this may be chance.")
    return sentence


def change_sentence(name: str, unit: str, direction: str, figures: Mapping[str, Any]) -> str:
    """The participants' own change since the baseline, when there is no comparison to make."""
    change = figures["groups"]["participant"]["change"]
    factor, unit = _scale(figures, unit)
    size, low, high = _magnitude(change, factor)
    places = decimals(size)
    moved = direction_of(change["value"] * factor, places)
    rose = moved > 0
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
    caveat = _("There is no comparison group to tell how much of it is due to mentoring.")
    if moved == 0:
        steady = _(
            "Since the baseline, mentored participants' %(metric)s has not changed on average (%(ci)s; %(n)s people)."
        )
        return f"{steady % values} {caveat}"
    better = rose == (direction == "higher")
    verdict = _("That is an improvement.") if better else _("That is a change for the worse.")
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
