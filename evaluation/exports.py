"""The report as a table: one row per metric and cycle, written as streamed CSV or write-only XLSX.

No cell can start a formula: every text cell that would begin with = + - @ a tab or a carriage return gets
an apostrophe in front (after characters a workbook cannot hold are removed, so that removing them cannot
uncover a formula). Numbers are written as numbers, rounded exactly as the report page shows them
(people.figures: half away from zero, an interval with its point's decimals) but with a dot. Suppressed
cells say so and carry no figures. ROI is the programme's, once per cycle; each metric's benefit is a part.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from people.figures import estimate_places, machine

from .report_rows import ProgrammeReport, ResultRow

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters an XLSX cell cannot hold (openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE): C0 controls but tab, LF, CR.
ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
Cell = str | float | int | None


def safe_text(value: str) -> str:
    """Text that no spreadsheet reads as a formula (see the module docstring)."""
    value = ILLEGAL.sub("", value)
    return "'" + value if value.startswith(FORMULA_START) else value


def safe(value: object) -> Cell:
    """A cell: numbers stay numbers, None stays empty, everything else is safe text."""
    if value is None or isinstance(value, bool):
        return "" if value is None else (_("yes") if value else _("no"))
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return safe_text(str(value))


def header() -> list[str]:
    """The column names, translated."""
    return [
        _("Programme"), _("Business goal"), _("Metric"), _("Unit"), _("Better when"), _("Cycle"), _("Opens"),
        _("Closes"), _("Mentored n"), _("Mentored baseline mean"), _("Mentored baseline sd"), _("Mentored mean now"),
        _("Mentored sd now"), _("Mentored change"), _("Change CI low"), _("Change CI high"), _("Percent change"),
        _("Percent CI low"), _("Percent CI high"), _("Comparison n"), _("Comparison baseline mean"),
        _("Comparison mean now"), _("Comparison change"), _("Difference in differences"), _("DiD CI low"),
        _("DiD CI high"), _("Hedges' g"), _("g CI low"), _("g CI high"), _("Mentored rate now"),
        _("Comparison rate now"), _("Rate difference"), _("Rate difference CI low"), _("Rate difference CI high"),
        _("Benefit"), _("Programme ROI %"), _("Programme benefit-cost ratio"), _("Programme payback months"),
        _("Suppressed"), _("In words"), _("Computed"),
        _("Method version"), _("Out of date"),
    ]  # fmt: skip


def _est(estimate: dict[str, Any] | None, *keys: str, factor: float = 1.0) -> list[Any]:
    """An estimate's cells, all with the decimals its point value is shown with (rates: as shares of the
    percentage the page shows, so two more decimals)."""
    values = [(estimate or {}).get(key) for key in keys]
    places = estimate_places(values[0], factor) + (2 if factor == 100 else 0)
    return [machine(value, places) for value in values]


def _group(cell: dict[str, Any]) -> dict[str, Any]:
    return cell if not cell.get("suppressed") and not cell.get("empty") else {}


def _roi_cells(row: ResultRow, report: ProgrammeReport | None) -> list[Any]:
    benefit = (row.roi or {}).get("benefit")
    programme = report.roi_for(row.cycle.pk) if report and benefit is not None else None
    figures = programme.figures if programme else {}
    return [
        machine(benefit, 0),
        machine(figures.get("roi_percent"), 0),
        machine(figures.get("benefit_cost_ratio"), 2),
        machine(figures.get("payback_months"), 1),
    ]


def result_cells(row: ResultRow, report: ProgrammeReport | None = None) -> list[Any]:
    """One result as the table's raw values (before `safe`), rounded as the page shows them."""
    f = row.figures
    p, c = _group(row.participant), _group(row.comparison)
    suppressed, withheld = _("fewer than 5"), _("not shown for this filter")
    n_of = lambda raw: withheld if raw.get("withheld") else suppressed if raw.get("suppressed") else raw.get("n")  # noqa: E731
    rate = lambda cell: _est(cell.get("rate_current"), "value", factor=100)[0]  # noqa: E731
    mean = lambda cell, key: machine((cell.get(key) or {}).get("mean"))  # noqa: E731
    sd = lambda cell, key: machine((cell.get(key) or {}).get("sd"), 2)  # noqa: E731
    return [
        row.programme.name, row.goal.statement, row.metric.name, row.metric.unit, row.metric.get_direction_display(),
        str(row.cycle.get_kind_display()), row.cycle.opens_on.isoformat(), row.cycle.closes_on.isoformat(),
        n_of(row.participant), mean(p, "baseline"), sd(p, "baseline"), mean(p, "current"), sd(p, "current"),
        *_est(p.get("change"), "value", "ci_low", "ci_high"),
        *_est(p.get("percent_change"), "value", "ci_low", "ci_high"),
        n_of(row.comparison), mean(c, "baseline"), mean(c, "current"),
        *_est(c.get("change"), "value"), *_est(f.get("did"), "value", "ci_low", "ci_high", factor=row.did_factor),
        *_est(f.get("hedges_g"), "value", "ci_low", "ci_high"), rate(p), rate(c),
        *_est(f.get("rate_difference"), "value", "ci_low", "ci_high", factor=100),
        *_roi_cells(row, report),
        bool(f.get("suppressed")), row.sentence, row.computed_at, f.get("method_version"),
        row.stale if not row.live else None,
    ]  # fmt: skip


def table(reports: Iterable[ProgrammeReport]) -> Iterator[list[Cell]]:
    """The header, then one safe row per result."""
    yield [safe(name) for name in header()]
    for report in reports:
        for row in report.rows():
            yield [safe(value) for value in result_cells(row, report)]


class _Echo:
    """A file-like object whose write() returns what it was given (for csv.writer in a stream)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
    """The rows as CSV text, one line at a time, after a UTF-8 byte-order mark (Excel needs it)."""
    import csv

    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow(row)


def xlsx_bytes(rows: Iterable[Sequence[Cell]], *, title: str = "Results") -> bytes:
    """The rows as a one-sheet XLSX workbook, written in openpyxl's write-only (streaming) mode."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=safe_text(title)[:31] or "Results")
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row_count(reports: Iterable[ProgrammeReport]) -> int:
    """How many data rows the table has (to decide between a direct download and a background job)."""
    return sum(1 for report in reports for _row in report.rows())
