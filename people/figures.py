"""The one way every page, sentence, chart and export writes a figure.

A figure is rounded once, half away from zero, to the precision a person reads (18 days, 2.4 deals, 0.35
points), and every place that shows it (the sentence, the table, the chart, the CSV and XLSX) uses that
same rounding, so they never disagree. Pages write it the reader's way (``85,6`` in Bahasa Indonesia);
exports keep a machine-readable dot (``85.6``) as a number. An estimate's interval takes the precision of
its point value, so "86 (59 to 112)" never mixes precisions.

Rounding goes through the shortest decimal that round-trips the float (``repr``), so 85.55 rounds as the
85.55 a person sees, not as the 85.5499… the binary float holds. Lives in ``people`` (the lowest app) so
``programmes`` and ``evaluation`` can both use it.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.formats import number_format

DASH = "–"


def places_for(value: float) -> int:
    """How many decimals a person wants to read: 18 days, 2.4 deals, 0.35 points."""
    size = abs(value)
    return 0 if size >= 10 else 1 if size >= 1 else 2


def _finite(value: object) -> float | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def rounded(value: float, places: int) -> Decimal:
    """``value`` rounded half away from zero to ``places`` decimals (a zero is never negative)."""
    try:
        exact = Decimal(repr(float(value)))
        result = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # pragma: no cover - only for values far beyond any figure we show
        result = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return abs(result) if result.is_zero() else result


def number(value: object, places: int | None = None) -> str:
    """A figure for a page: rounded (see the module docstring), the reader's separators, "–" if undefined."""
    finite = _finite(value)
    if finite is None:
        return DASH
    digits = places_for(finite) if places is None else int(places)
    return str(number_format(rounded(finite, digits), digits, force_grouping=True))


def machine(value: object, places: int | None = None) -> float | int | None:
    """The same figure for an export: the page's rounding, a plain number with a dot (None when undefined);
    a whole number when shown without decimals, so the CSV says 86 where the page says 86."""
    finite = _finite(value)
    if finite is None:
        return None
    digits = places_for(finite) if places is None else int(places)
    shown = rounded(finite, digits)
    return int(shown) if digits <= 0 else float(shown)


def estimate_places(point: object, factor: float = 1.0) -> int:
    """The decimals of an estimate and its interval: those of its (rescaled) point value."""
    finite = _finite(point)
    return places_for(finite * factor) if finite is not None else 0


def direction_of(value: object, places: int | None = None) -> int:
    """-1, 0 or 1: which way a change goes *as shown* (a change that rounds to 0 did not move)."""
    finite = _finite(value)
    if finite is None:
        return 0
    shown = rounded(finite, places_for(finite) if places is None else places)
    return 0 if shown.is_zero() else (1 if shown > 0 else -1)
