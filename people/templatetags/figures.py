"""`{% load figures %}`: every page writes figures through people.figures (rounded half away from zero,
the reader's decimal separator)."""

from __future__ import annotations

from typing import Any

from django import template

from people.figures import number

register = template.Library()


@register.filter
def num(value: Any, places: Any = None) -> str:
    """A figure in the reader's locale with sensible decimals (or `places`); "–" when undefined."""
    return number(value, int(places) if places not in (None, "") else None)


@register.filter
def percent(share: Any, places: Any = 0) -> str:
    """A share (0 to 1) as a percentage: 0.257 → "26%"; "–" when undefined."""
    if share is None or share == "":
        return "–"
    return f"{number(float(share) * 100, int(places or 0))}%"
