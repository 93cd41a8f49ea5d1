"""Template filters of the outcome pages: numbers and estimates as people read them."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from ..sentences import decimals, fmt

register = template.Library()


@register.filter
def num(value: Any, places: Any = None) -> str:
    """A number in the reader's locale with sensible decimals; "–" when undefined."""
    if value is None or value == "":
        return "–"
    number = float(value)
    return fmt(number, int(places) if places not in (None, "") else None)


@register.filter
def estimate(value: dict[str, Any] | None, factor: Any = 1) -> str:
    """An estimate as "18 (9 to 27)"; "–" when undefined. `factor` rescales (100 for percentages)."""
    if not value or value.get("value") is None:
        return "–"
    scale = float(factor or 1)
    point = value["value"] * scale
    places = decimals(point)
    text = fmt(point, places)
    low, high = value.get("ci_low"), value.get("ci_high")
    if low is None or high is None:
        return text
    return _("%(value)s (%(low)s to %(high)s)") % {
        "value": text,
        "low": fmt(low * scale, places),
        "high": fmt(high * scale, places),
    }
