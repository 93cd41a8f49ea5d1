"""Template filters of the outcome pages: numbers and estimates as people read them (people.figures)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from people.figures import estimate_places, number
from people.templatetags.figures import num, percent

register = template.Library()
register.filter("num", num)
register.filter("percent", percent)


@register.filter
def estimate(value: dict[str, Any] | None, factor: Any = 1) -> str:
    """An estimate as "18 (9 to 27)"; "–" when undefined. `factor` rescales (100 for percentages); the
    interval takes the point's decimals, as the sentence, the chart and the export do."""
    if not value or value.get("value") is None:
        return "–"
    scale = float(factor or 1)
    places = estimate_places(value["value"], scale)
    text = number(value["value"] * scale, places)
    low, high = value.get("ci_low"), value.get("ci_high")
    if low is None or high is None:
        return text
    return _("%(value)s (%(low)s to %(high)s)") % {
        "value": text,
        "low": number(low * scale, places),
        "high": number(high * scale, places),
    }
