"""`manage.py import_people FILE [--dry-run]`: the HRIS import from the command line.

Prints every problem as "row N, column: message" and exits with status 1 when the file is refused
(nothing is written then); prints what was (or, with --dry-run, would be) created and updated otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from people.services.hris_file import MAX_FILE_BYTES, file_too_large_message
from people.services.hris_import import ImportResult, people_import


class Command(BaseCommand):
    help = "Import people, org units, managers and competency ratings from an HRIS CSV file (see README.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The CSV file (UTF-8, comma-separated, header on row 1).")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and count; write nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            if path.stat().st_size > MAX_FILE_BYTES:  # refuse before reading a huge file into memory
                raise CommandError(file_too_large_message(path.stat().st_size))
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}") from exc
        result = people_import(actor=None, content=content, dry_run=options["dry_run"])
        if not result.ok:
            for problem in result.problems:
                where = f"row {problem.row}" if problem.row else "file"
                self.stderr.write(f"{where}, {problem.column or '-'}: {problem.message}")
            if result.problems_not_shown:
                self.stderr.write(f"… and {result.problems_not_shown} more problems.")
            raise CommandError(f"{result.problem_count} problem(s) in {path}; nothing was imported.")
        self.stdout.write(summary_line(result))


def summary_line(result: ImportResult) -> str:
    s = result.summary
    verb = "Would import" if result.dry_run else "Imported"
    return (
        f"{verb}: people {s.people_created} created, {s.people_updated} updated, {s.people_unchanged} unchanged; "
        f"org units {s.units_created} created, {s.units_updated} updated; "
        f"ratings {s.ratings_created} created, {s.ratings_updated} updated."
    )
