"""Reading an HRIS-style baseline file: bytes in, rows or row-numbered errors out (no database here).

The file is CSV, UTF-8 (with or without a byte-order mark, as Excel's "CSV UTF-8" writes it), comma- or
semicolon-separated, with a header row naming these columns in any order:

    email       the person's e-mail address (as in the people directory)
    metric      the metric's name (as on the metrics page, any case) or its number
    value       a plain number with a dot for decimals, no thousands separators: 1250000.5
    period_end  the last day of the period the value covers, YYYY-MM-DD
    group       optional: "participant" or "comparison"; when given it must match the person

Row numbers are the ones a spreadsheet shows: the header is row 1, the first value row 2. Empty rows are
skipped. Any error anywhere rejects the whole file.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
MAX_ERRORS = 50

REQUIRED = ("email", "metric", "value", "period_end")
OPTIONAL = ("group",)
# Headers people actually write, normalised (lower case, spaces and hyphens as underscores).
ALIASES = {
    "e_mail": "email",
    "person_email": "email",
    "person_e_mail": "email",
    "metric_name": "metric",
    "metric_id": "metric",
    "period": "period_end",
    "period_end_date": "period_end",
}
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Cells our own template neutralised against spreadsheet formulas start with an apostrophe.
_NEUTRALISED = re.compile(r"^'(?=[=+\-@\t\r])")


@dataclass(frozen=True)
class RowError:
    """One problem: the spreadsheet row it is on (None for the whole file) and what to do about it."""

    row: int | None
    message: str


@dataclass(frozen=True)
class RawRow:
    """One value row as written, trimmed; nothing is resolved against the database yet."""

    row: int
    email: str
    metric: str
    value: str
    period_end: str
    group: str


class FileRejected(Exception):
    """The file as a whole cannot be read (empty, too large, not text, no usable header)."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


def _file_error(message: str, row: int | None = None) -> FileRejected:
    return FileRejected([RowError(row, message)])


def decode(data: bytes) -> str:
    """The file's text, or FileRejected saying why it is not a UTF-8 CSV file."""
    if not data.strip():
        raise _file_error(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise _file_error(
            _("The file is larger than %(mb)d MB; split it into smaller files.") % {"mb": MAX_BYTES >> 20}
        )
    if data.startswith(b"PK\x03\x04") or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _file_error(_("This is a spreadsheet workbook, not a CSV file: save it as “CSV UTF-8” and upload that."))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _file_error(_("The file is UTF-16 text: save it as “CSV UTF-8” and upload that."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _file_error(
            _("The file is not UTF-8 text (first bad character on line %(line)d): save it as “CSV UTF-8”.")
            % {"line": line},
            row=line,
        ) from None
    if "\x00" in text:
        raise _file_error(_("The file contains binary data; upload a CSV file."))
    return text


def _header(cells: list[str]) -> list[str]:
    """Column keys of the header, or FileRejected naming what is missing or unknown."""
    keys = [re.sub(r"[\s\-]+", "_", cell.strip().lower()) for cell in cells]
    keys = [ALIASES.get(key, key) for key in keys]
    missing = [name for name in REQUIRED if name not in keys]
    unknown = [cells[i].strip() or _("(empty)") for i, key in enumerate(keys) if key not in REQUIRED + OPTIONAL]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    errors = []
    if missing:
        errors.append(RowError(1, _("The header lacks the column(s): %(names)s.") % {"names": ", ".join(missing)}))
    if unknown:
        errors.append(
            RowError(
                1,
                _("Unknown column(s) %(names)s: the columns are %(known)s.")
                % {"names": ", ".join(unknown), "known": ", ".join(REQUIRED + OPTIONAL)},
            )
        )
    if repeated:
        errors.append(RowError(1, _("Column(s) named twice: %(names)s.") % {"names": ", ".join(repeated)}))
    if errors:
        raise FileRejected(errors)
    return keys


def _cell(value: str) -> str:
    return _NEUTRALISED.sub("", value.strip())


def read_rows(data: bytes) -> list[RawRow]:
    """Every value row of the file, or FileRejected with row-numbered errors about its shape."""
    text = decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[RawRow] = []
    errors: list[RowError] = []
    keys: list[str] = []
    number = 0
    try:
        for number, cells in enumerate(reader, start=1):
            if number == 1:
                keys = _header(cells)
                continue
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(keys):
                errors.append(
                    RowError(
                        number,
                        _("This row has %(got)d values; the header has %(want)d columns.")
                        % {"got": len(cells), "want": len(keys)},
                    )
                )
                continue
            values = dict(zip(keys, (_cell(c) for c in cells), strict=True))
            rows.append(
                RawRow(
                    number,
                    values["email"],
                    values["metric"],
                    values["value"],
                    values["period_end"],
                    values.get("group", ""),
                )
            )
            if len(rows) > MAX_ROWS:
                raise _file_error(_("The file has more than %(max)d rows; split it.") % {"max": MAX_ROWS})
    except csv.Error as exc:
        errors.append(RowError(number + 1, _("This row cannot be read as CSV (%(detail)s).") % {"detail": exc}))
    if number == 0:
        raise _file_error(_("The file is empty."))
    if errors:
        raise FileRejected(errors)
    if not rows:
        raise _file_error(_("The file has a header but no value rows."))
    return rows


def parse_number(text: str) -> float | None:
    """A plain decimal number (dot for decimals, no separators), or None when it is not one."""
    text = text.strip()
    if not _NUMBER.match(text):
        return None
    number = float(text)
    return number if math.isfinite(number) else None


def parse_date(text: str) -> date | None:
    """A YYYY-MM-DD date, or None when it is not one (31 February included)."""
    text = text.strip()
    if not _DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def neutralise(cell: str) -> str:
    """A cell safe to open in a spreadsheet: one that would start a formula gets an apostrophe."""
    return "'" + cell if cell.startswith(("=", "+", "-", "@", "\t", "\r")) else cell
