"""add_months, the one month arithmetic of agreements' terms, evaluation plans and retention."""

from __future__ import annotations

from datetime import date

from mentoring.dates import add_months


def test_add_months_keeps_the_day_or_takes_the_months_last() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)


def test_add_months_goes_back_across_a_year() -> None:
    assert add_months(date(2026, 3, 31), -15) == date(2024, 12, 31)
    assert add_months(date(2026, 5, 31), -24) == date(2024, 5, 31)
