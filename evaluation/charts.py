"""Server-side SVG charts of outcome results: no JavaScript, so they print, go into the PDF and pass the CSP.

`result_chart(figures, labels)` draws the means of both groups at baseline and now (a slope chart), and
under it the difference-in-differences with its interval against a zero line. It only draws figures the
result kept, so a suppressed cell can never appear. Colours and dashes are attributes, not style
attributes (the Content Security Policy forbids inline styles); text is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape
from typing import Any

from people.figures import number as figures_number
from people.figures import places_for

WIDTH, SLOPE_HEIGHT, BAR_HEIGHT = 420, 150, 56
LEFT, RIGHT, TOP = 110, 310, 28
PARTICIPANT_COLOUR, COMPARISON_COLOUR, INTERVAL_COLOUR = "#0d6efd", "#6c757d", "#198754"


def number(value: float, places: int | None = None) -> str:
    """A chart label exactly as the sentence and the table write it (people.figures.number)."""
    return figures_number(value, places) if math.isfinite(value) else ""


def _apart(first: float, second: float, gap: float = 12.0) -> tuple[float, float]:
    """Two label heights pushed apart when they would overlap (the upper one up, the lower one down)."""
    if abs(first - second) >= gap:
        return first, second
    middle, half = (first + second) / 2, gap / 2
    return (middle - half, middle + half) if first <= second else (middle + half, middle - half)


def _text(x: float, y: float, body: str, *, anchor: str = "middle", size: int = 11, fill: str = "#212529") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{fill}" '
        f'font-family="DejaVu Sans, Arial, sans-serif">{escape(body)}</text>'
    )


def _scale(low: float, high: float, top: float, bottom: float) -> Any:
    span = high - low or abs(high) or 1.0
    return lambda v: bottom - (v - low) / span * (bottom - top)


def _means(group: Mapping[str, Any]) -> tuple[float, float] | None:
    if group.get("suppressed") or group.get("empty"):
        return None
    before, after = group["baseline"]["mean"], group["current"]["mean"]
    return (before, after) if before is not None and after is not None else None


def _slope(figures: Mapping[str, Any], labels: Mapping[str, str]) -> list[str]:
    groups = figures["groups"]
    lines = [(key, _means(groups[key])) for key in ("participant", "comparison")]
    values = [v for _key, pair in lines if pair for v in pair]
    parts = [
        _text(LEFT, 16, labels["baseline"]),
        _text(RIGHT, 16, labels["now"]),
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{SLOPE_HEIGHT - 8}" stroke="#dee2e6"/>',
        f'<line x1="{RIGHT}" y1="{TOP}" x2="{RIGHT}" y2="{SLOPE_HEIGHT - 8}" stroke="#dee2e6"/>',
    ]
    if not values:
        return [*parts, _text(WIDTH / 2, SLOPE_HEIGHT / 2 + 10, labels["no_figures"], fill="#6c757d")]
    pad = (max(values) - min(values)) * 0.15 or abs(values[0]) * 0.1 or 1.0
    y = _scale(min(values) - pad, max(values) + pad, TOP + 6, SLOPE_HEIGHT - 14)
    drawn = [(key, pair, y(pair[0]), y(pair[1])) for key, pair in lines if pair is not None]
    label_at = {key: (y0, y1) for key, _pair, y0, y1 in drawn}
    if len(drawn) == 2:
        (a, _p, a0, a1), (b, _q, b0, b1) = drawn
        (a0, b0), (a1, b1) = _apart(a0, b0), _apart(a1, b1)
        label_at = {a: (a0, a1), b: (b0, b1)}
    for key, pair, y0, y1 in drawn:
        colour = PARTICIPANT_COLOUR if key == "participant" else COMPARISON_COLOUR
        dash = "" if key == "participant" else ' stroke-dasharray="5 4"'
        l0, l1 = label_at[key]
        parts += [
            f'<line x1="{LEFT}" y1="{y0:.1f}" x2="{RIGHT}" y2="{y1:.1f}" stroke="{colour}" stroke-width="2.5"{dash}/>',
            f'<circle cx="{LEFT}" cy="{y0:.1f}" r="4" fill="{colour}"/>',
            f'<circle cx="{RIGHT}" cy="{y1:.1f}" r="4" fill="{colour}"/>',
            _text(LEFT - 8, l0 + 4, number(pair[0]), anchor="end", fill=colour),
            _text(RIGHT + 8, l1 + 4, f"{number(pair[1])} · {labels[key]}", anchor="start", fill=colour),
        ]
    return parts


def _interval(figures: Mapping[str, Any], labels: Mapping[str, str]) -> list[str]:
    did = figures.get("did") or {}
    factor = 100.0 if figures.get("kind") == "rate" else 1.0  # percentage points, as the sentence says
    value, low, high = (None if v is None else v * factor for v in (did.get(k) for k in ("value", "ci_low", "ci_high")))
    top = SLOPE_HEIGHT + 4
    if value is None:
        return [_text(WIDTH / 2, top + 28, labels["no_did"], fill="#6c757d")]
    ends = [v for v in (value, low, high, 0.0) if v is not None]
    span = max(abs(v) for v in ends) * 1.15 or 1.0
    x = lambda v: WIDTH / 2 + v / span * (WIDTH / 2 - 40)  # noqa: E731 (a local scale)
    mid = top + 30
    places = places_for(value)  # the interval's ends take the point's decimals, as in the table
    parts = [
        _text(WIDTH / 2, top + 12, labels["did"], size=10, fill="#495057"),
        f'<line x1="{x(0):.1f}" y1="{mid - 12}" x2="{x(0):.1f}" y2="{mid + 12}" stroke="#adb5bd"/>',
    ]
    if low is not None and high is not None:
        parts += [
            f'<line x1="{x(low):.1f}" y1="{mid}" x2="{x(high):.1f}" y2="{mid}" '
            f'stroke="{INTERVAL_COLOUR}" stroke-width="3"/>',
            _text(x(low), mid + 16, number(low, places), size=10, fill=INTERVAL_COLOUR),
            _text(x(high), mid + 16, number(high, places), size=10, fill=INTERVAL_COLOUR),
        ]
    parts += [
        f'<circle cx="{x(value):.1f}" cy="{mid}" r="5" fill="{INTERVAL_COLOUR}"/>',
        _text(x(value), mid - 8, number(value, places), size=10, fill=INTERVAL_COLOUR),
    ]
    return parts


def result_chart(figures: Mapping[str, Any], labels: Mapping[str, str], *, title: str = "") -> str:
    """The SVG of one outcome result (see the module docstring); `labels` are the translated words."""
    height = SLOPE_HEIGHT + BAR_HEIGHT
    body = "".join(_slope(figures, labels) + _interval(figures, labels))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'role="img" aria-label="{escape(title)}" class="result-chart"><title>{escape(title)}</title>{body}</svg>'
    )
