"""Reading an HRIS file: bytes in, the header's columns and the rows of people out, or problems saying why not.

Only the file's shape is checked here (size, encoding, CSV, header, row widths); what the cells say is
hris_rows' and hris_cells' concern.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils.translation import gettext as _

from .hris_columns import COLUMN_NEEDS, COLUMNS
from .hris_rows import Problems

MAX_FILE_BYTES = 20 * 1024 * 1024

Table = tuple[list[str], list[tuple[int, list[str]]]]


def read_table(content: bytes, problems: Problems) -> Table | None:
    """The header (normalised) and the non-blank rows with their spreadsheet row numbers; None if unreadable."""
    if len(content) > MAX_FILE_BYTES:
        problems.add(None, "", file_too_large_message(len(content)))
        return None
    if not content.strip():
        problems.add(None, "", _("The file is empty."))
        return None
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        problems.add(
            line,
            "",
            _(
                "The file is not UTF-8 text (the first character that is not is on line %(line)s). "
                "In Excel choose “CSV UTF-8 (Comma delimited)” when saving."
            )
            % {"line": line},
        )
        return None
    if not text.strip():  # Excel's "CSV UTF-8" of an empty sheet: a byte-order mark and nothing else
        problems.add(1, "", _("The file holds only an invisible byte-order mark: no header row and no people."))
        return None
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        problems.add(line, "", _("Line %(line)s holds a NUL character: this is not a CSV text file.") % {"line": line})
        return None
    records: list[list[str]] = []
    try:
        for record in csv.reader(io.StringIO(text, newline=""), strict=True):
            records.append(record)
    except csv.Error as exc:
        row = len(records) + 1
        problems.add(row, "", _("This row is not valid CSV (%(error)s).") % {"error": exc})
        return None
    columns = check_header(records[0], problems)
    if columns is None:
        return None
    rows = list(_data_rows(records, len(columns), problems))
    if not rows and not problems:
        problems.add(2, "", _("The file has a header but no rows of people."))
    return columns, rows


def file_too_large_message(size: int) -> str:
    return _("The file is %(size).1f MB; the limit is %(limit)d MB. Split it into smaller files.") % {
        "size": size / 1024 / 1024,
        "limit": MAX_FILE_BYTES // 1024 // 1024,
    }


def check_header(header: list[str], problems: Problems) -> list[str] | None:
    """Column names, lower-cased; None (with the problems noted) when columns are missing, unknown or twice."""
    names = [name.strip().lower() for name in header]
    while names and not names[-1]:
        names.pop()  # Excel sometimes leaves empty columns at the end
    before = problems.count
    if len(names) == 1 and ";" in names[0]:
        problems.add(
            1, "", _("The header has one column: the file seems to use semicolons. Save it with commas instead.")
        )
        return None
    for position, name in enumerate(names, start=1):
        if not name:
            problems.add(1, "", _("Column %(n)s has no name in the header.") % {"n": position})
    unknown = [name for name in names if name and name not in COLUMNS]
    if unknown:
        problems.add(
            1,
            ", ".join(unknown),
            _("Unknown columns: %(unknown)s. The columns are: %(columns)s.")
            % {"unknown": ", ".join(unknown), "columns": ", ".join(COLUMNS)},
        )
    missing = [name for name, required in COLUMNS.items() if required and name not in names]
    for name, needs in COLUMN_NEEDS.items():
        if name in names:
            missing += [need for need in needs if need not in names and need not in missing]
    if missing:
        problems.add(1, ", ".join(missing), _("Missing columns: %(missing)s.") % {"missing": ", ".join(missing)})
    twice = sorted({name for name in names if name and names.count(name) > 1})
    if twice:
        problems.add(1, ", ".join(twice), _("Columns named twice: %(twice)s.") % {"twice": ", ".join(twice)})
    return names if problems.count == before else None


def _data_rows(records: list[list[str]], width: int, problems: Problems) -> Iterable[tuple[int, list[str]]]:
    for number, record in enumerate(records[1:], start=2):
        cells = [cell.strip() for cell in record]
        if not any(cells):
            continue  # blank lines keep their row number but hold nobody
        if len(cells) > width and not any(cells[width:]):
            cells = cells[:width]
        if len(cells) != width:
            problems.add(
                number,
                "",
                _("This row has %(n)s values; the header has %(width)s columns.") % {"n": len(cells), "width": width},
            )
            continue
        yield number, cells
