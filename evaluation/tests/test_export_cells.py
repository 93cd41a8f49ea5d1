"""No exported cell can start a formula, whatever text goes in (property tests over CSV and XLSX)."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from evaluation.exports import FORMULA_START, ILLEGAL, csv_lines, safe, safe_text, xlsx_bytes

# Text that tries hard: formula starters first, control characters, quotes, separators, newlines.
DANGEROUS = st.one_of(
    st.text(),
    st.builds(
        lambda prefix, rest: prefix + rest,
        st.sampled_from(["=", "+", "-", "@", "\t", "\r", "\x00=", "\x01+", "\x0b@", " =", "'="]),
        st.text(),
    ),
)
CELLS = st.lists(st.one_of(DANGEROUS, st.floats(allow_nan=False, allow_infinity=False), st.integers(), st.none()))


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@given(DANGEROUS)
def test_safe_text_never_starts_a_formula_and_changes_nothing_else(value: str) -> None:
    cell = safe_text(value)
    assert not cell.startswith(FORMULA_START)
    cleaned = ILLEGAL.sub("", value)  # characters a workbook cannot hold
    assert cell == ("'" + cleaned if cleaned.startswith(FORMULA_START) else cleaned)


@hypothesis_settings(max_examples=60, deadline=None)
@given(st.lists(CELLS, min_size=1, max_size=5))
def test_no_csv_cell_read_back_starts_a_formula(rows: list[list[object]]) -> None:
    text = "".join(csv_lines([[safe(v) for v in row] for row in rows]))
    assert text.startswith("\ufeff")
    for row in csv.reader(io.StringIO(text[1:], newline="")):
        for cell in row:
            # A number (the only cells we do not quote) is read as a number, not as a formula.
            assert _number(cell) or not cell.startswith(FORMULA_START), cell


@hypothesis_settings(max_examples=40, deadline=None)
@given(st.lists(CELLS, min_size=1, max_size=4))
def test_no_xlsx_cell_is_a_formula_or_starts_one(rows: list[list[object]]) -> None:
    book = load_workbook(io.BytesIO(xlsx_bytes([[safe(v) for v in row] for row in rows])))
    for row in book.active.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
            if isinstance(cell.value, str):
                assert not cell.value.startswith(FORMULA_START), cell.value
