"""Reading and checking the rows of an HRIS file in memory, before anything is written.

Every check here is pure Python over the file and a snapshot of the directory (see `Directory`), so a
file of 50,000 rows is checked without a query per row. Problems carry the spreadsheet row (the header is
row 1) and the column, so a person can fix the file in Excel and upload it again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar, cast

from django.utils.translation import gettext as _

from people.models import Competency, OrgUnit, User

from .hris_cells import (
    clean_date,
    clean_email,
    clean_grade,
    clean_languages,
    clean_preferred_language,
    clean_ratings,
    clean_source,
    clean_text,
    clean_time_zone,
    field_max_length,
)
from .hris_columns import COLUMNS, PERSON_FIELDS, PREFERENCE_FIELDS, UNIT_COLUMNS

KEEP_PROBLEMS = 1000  # problems kept in memory; the rest are only counted


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file: the spreadsheet row (None: the whole file), the column, what to fix."""

    row: int | None
    column: str
    message: str


class Problems:
    """Collects problems; keeps the first KEEP_PROBLEMS in memory and counts every one."""

    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.count = 0

    def add(self, row: int | None, column: str, message: str) -> None:
        self.count += 1
        if len(self.items) < KEEP_PROBLEMS:
            self.items.append(Problem(row, column, message))

    def __bool__(self) -> bool:
        return self.count > 0

    def sorted(self) -> list[Problem]:
        return sorted(
            self.items, key=lambda p: (p.row or 0, list(COLUMNS).index(p.column) if p.column in COLUMNS else -1)
        )


@dataclass
class Directory:
    """What the directory holds before the import: people by e-mail, units by code, the catalogue."""

    people: dict[str, dict[str, Any]]  # lower-case e-mail -> the person's current values (id included)
    email_by_id: dict[int, str]
    units: dict[str, dict[str, Any]]  # code -> {"id", "name", "parent_id"}
    unit_code_by_id: dict[int, str]
    competencies: dict[str, int]  # lower-case code -> id
    competency_codes: list[str]

    @classmethod
    def load(cls) -> Directory:
        """Four queries, whatever the size of the directory."""
        people = {
            row["email"].lower(): row
            for row in User.objects.order_by().values(
                "id", "email", "manager_id", "org_unit_id", *PERSON_FIELDS, *PREFERENCE_FIELDS
            )
        }
        unit_rows = OrgUnit.objects.order_by().values("id", "code", "name", "parent_id")
        units = {row["code"]: cast(dict[str, Any], row) for row in unit_rows}
        catalogue = list(Competency.objects.order_by("code").values_list("code", "id"))
        return cls(
            people=people,
            email_by_id={row["id"]: email for email, row in people.items()},
            units=units,
            unit_code_by_id={row["id"]: code for code, row in units.items()},
            competencies={code.lower(): pk for code, pk in catalogue},
            competency_codes=[code for code, _pk in catalogue],
        )


@dataclass
class PersonRow:
    """A person as the file describes them; None for org unit and manager means "the column is absent"."""

    row: int
    email: str
    fields: dict[str, Any]
    unit_code: str | None = None
    manager_email: str | None = None
    ratings: list[tuple[int, int]] = field(default_factory=list)  # (competency id, level)
    ratings_source: str = ""
    ratings_date: date | None = None


@dataclass
class UnitRow:
    """An org unit as the first row that names it describes it; parent None means "keep the current parent"."""

    row: int
    code: str
    name: str
    parent_code: str | None


@dataclass
class ParsedFile:
    columns: list[str]
    people: list[PersonRow] = field(default_factory=list)
    units: dict[str, UnitRow] = field(default_factory=dict)
    unit_refs: list[tuple[int, str]] = field(default_factory=list)  # (row, code) of every unit a row names


# Rows -----------------------------------------------------------------------------------------------------

Cleaner = Callable[[str], Any]


def _cell_cleaners(directory: Directory) -> dict[str, Cleaner]:
    text = {name: functools.partial(clean_text, column=name, limit=field_max_length(name)) for name in PERSON_FIELDS}
    unit_code_limit = field_max_length("code", OrgUnit)
    unit_name_limit = field_max_length("name", OrgUnit)
    return {
        **text,
        "email": clean_email,
        "grade": clean_grade,
        "languages": clean_languages,
        "hire_date": clean_date,
        "left_date": clean_date,
        "preferred_language": clean_preferred_language,
        "time_zone": clean_time_zone,
        "manager_email": clean_email,
        "org_unit_code": functools.partial(clean_text, column="org_unit_code", limit=unit_code_limit),
        "parent_org_unit_code": functools.partial(clean_text, column="parent_org_unit_code", limit=unit_code_limit),
        "org_unit_name": functools.partial(clean_text, column="org_unit_name", limit=unit_name_limit),
        "ratings": functools.partial(clean_ratings, catalogue=directory.competencies, codes=directory.competency_codes),
        "ratings_source": clean_source,
        "ratings_date": clean_date,
    }


def parse_rows(
    columns: list[str], rows: Iterable[tuple[int, list[str]]], directory: Directory, problems: Problems
) -> ParsedFile:
    """Clean every cell of every row; cross-row checks come after (check_people, check_units, check_managers)."""
    parsed = ParsedFile(columns=columns)
    cleaners = _cell_cleaners(directory)
    person_columns = [c for c in columns if c not in UNIT_COLUMNS]
    for number, cells in rows:
        raw = dict(zip(columns, cells, strict=True))
        values: dict[str, Any] = {}
        bad: set[str] = set()
        for column, cell in raw.items():
            if not cell:
                values[column] = None if column in ("grade", "hire_date", "left_date", "ratings_date") else cell
                continue
            try:
                values[column] = cleaners[column](cell)
            except ValueError as exc:
                problems.add(number, column, str(exc))
                bad.add(column)
        if not any(raw.get(c) for c in person_columns) and raw.get("org_unit_code"):
            _take_unit(parsed, number, values, bad, problems)  # a row that only describes an org unit
            continue
        person = _person(number, values, bad, problems)
        if person is not None:
            parsed.people.append(person)
            _take_unit(parsed, number, values, bad, problems)
    return parsed


def _person(number: int, values: dict[str, Any], bad: set[str], problems: Problems) -> PersonRow | None:
    for column in ("email", "full_name"):
        if column not in bad and not values.get(column):
            problems.add(number, column, _("%(column)s is required.") % {"column": column})
            bad.add(column)
    if "email" in bad:
        return None
    fields = {k: values[k] for k in PERSON_FIELDS if k in values and k not in bad}
    fields.update({k: values[k] for k in PREFERENCE_FIELDS if values.get(k) and k not in bad})
    if fields.get("languages") == "":
        fields["languages"] = []
    hire, left = fields.get("hire_date"), fields.get("left_date")
    if hire and left and left < hire:
        problems.add(number, "left_date", _("left_date is before hire_date."))
    person = PersonRow(
        row=number,
        email=values["email"],
        fields=fields,
        unit_code=values.get("org_unit_code") if "org_unit_code" not in bad else None,
        manager_email=values.get("manager_email") if "manager_email" not in bad else None,
    )
    if values.get("ratings") and "ratings" not in bad:
        person.ratings = values["ratings"]
        person.ratings_source = values.get("ratings_source") or ""
        person.ratings_date = values.get("ratings_date")
        for column, given in (("ratings_source", person.ratings_source), ("ratings_date", person.ratings_date)):
            if not given and column not in bad:
                problems.add(number, column, _("%(column)s is required when ratings are given.") % {"column": column})
    return person


def _take_unit(parsed: ParsedFile, number: int, values: dict[str, Any], bad: set[str], problems: Problems) -> None:
    """Note the unit a row names and, when the row gives the unit's name, how it describes the unit."""
    code = values.get("org_unit_code")
    if not code or "org_unit_code" in bad:
        if values.get("org_unit_name") or values.get("parent_org_unit_code"):
            problems.add(number, "org_unit_code", _("org_unit_code is required with org_unit_name."))
        return
    parsed.unit_refs.append((number, code))
    name = values.get("org_unit_name")
    parent = values.get("parent_org_unit_code") if "parent_org_unit_code" in values else None
    if not name:
        if parent:
            problems.add(number, "org_unit_name", _("Give org_unit_name with parent_org_unit_code."))
        return
    if "org_unit_name" in bad or "parent_org_unit_code" in bad:
        return
    first = parsed.units.get(code)
    if first is None:
        parsed.units[code] = UnitRow(number, code, name, parent)
    elif first.name != name:
        problems.add(
            number,
            "org_unit_name",
            _("Unit %(code)s is named “%(name)s” here but “%(first)s” on row %(row)s.")
            % {"code": code, "name": name, "first": first.name, "row": first.row},
        )
    elif (first.parent_code or "") != (parent or ""):
        problems.add(
            number,
            "parent_org_unit_code",
            _("Unit %(code)s has parent “%(parent)s” here but “%(first)s” on row %(row)s.")
            % {"code": code, "parent": parent or "", "first": first.parent_code or "", "row": first.row},
        )


# Across rows ----------------------------------------------------------------------------------------------

K = TypeVar("K", bound=Hashable)


def find_cycles(parent_of: Mapping[K, K | None], starts: Iterable[K]) -> list[list[K]]:
    """The cycles reachable from `starts` in a graph where each node has at most one parent; O(nodes)."""
    state: dict[K, bool] = {}  # True while on the walk in progress, False once finished
    cycles: list[list[K]] = []
    for start in starts:
        path: list[K] = []
        node: K | None = start
        while node is not None and node not in state:
            state[node] = True
            path.append(node)
            node = parent_of.get(node)
        if node is not None and state[node]:
            cycles.append(path[path.index(node) :])
        for visited in path:
            state[visited] = False
    return cycles


def check_people(parsed: ParsedFile, problems: Problems) -> dict[str, PersonRow]:
    """Each e-mail once in the file; returns the people of the file by e-mail."""
    by_email: dict[str, PersonRow] = {}
    for person in parsed.people:
        first = by_email.get(person.email)
        if first is not None:
            problems.add(
                person.row,
                "email",
                _("%(email)s is already on row %(row)s; each person appears once.")
                % {"email": person.email, "row": first.row},
            )
        else:
            by_email[person.email] = person
    return by_email


def check_units(parsed: ParsedFile, directory: Directory, problems: Problems) -> None:
    """Every unit named is described in the file or exists; parents too; the tree has no cycle."""
    known = set(parsed.units) | set(directory.units)
    reported: set[str] = set()
    for number, code in parsed.unit_refs:
        if code not in known and code not in reported:
            reported.add(code)
            problems.add(
                number,
                "org_unit_code",
                _("Unknown org unit %(code)s: it is not in the directory and no row gives its org_unit_name.")
                % {"code": code},
            )
    parent_of: dict[str, str | None] = {
        code: directory.unit_code_by_id.get(row["parent_id"]) if row["parent_id"] else None
        for code, row in directory.units.items()
    }
    for unit in parsed.units.values():
        if unit.parent_code is None:
            continue
        if unit.parent_code and unit.parent_code not in known:
            problems.add(
                unit.row,
                "parent_org_unit_code",
                _("Unknown parent unit %(code)s: it is not in the directory and no row describes it.")
                % {"code": unit.parent_code},
            )
            parent_of[unit.code] = None
        else:
            parent_of[unit.code] = unit.parent_code or None
    for cycle in find_cycles(parent_of, parsed.units):
        described = [parsed.units[c] for c in cycle if c in parsed.units]
        if not described:
            continue  # a loop already in the directory that this file does not touch
        first = min(described, key=lambda u: u.row)
        chain = " → ".join([*cycle, cycle[0]])
        problems.add(first.row, "parent_org_unit_code", _("Org unit cycle: %(chain)s.") % {"chain": chain})


def check_managers(by_email: Mapping[str, PersonRow], directory: Directory, problems: Problems) -> None:
    """Every manager is in the file or the directory, and no reporting line loops back on itself."""
    parent_of: dict[str, str | None] = {
        email: directory.email_by_id.get(row["manager_id"]) if row["manager_id"] else None
        for email, row in directory.people.items()
    }
    for person in by_email.values():
        manager = person.manager_email
        if manager is None:
            continue
        if manager and manager not in by_email and manager not in directory.people:
            problems.add(
                person.row,
                "manager_email",
                _("Unknown manager %(email)s: not in this file and not in the directory.") % {"email": manager},
            )
            manager = ""
        parent_of[person.email] = manager or None
    for cycle in find_cycles(parent_of, by_email):
        in_file = [by_email[e] for e in cycle if e in by_email]
        if not in_file:
            continue  # a loop already in the directory that this file does not touch
        first = min(in_file, key=lambda p: p.row)
        chain = " → ".join([*cycle, cycle[0]])
        if len(cycle) == 1:
            message = _("%(email)s cannot be their own manager.") % {"email": cycle[0]}
        else:
            message = _("Manager cycle: %(chain)s.") % {"chain": chain}
        problems.add(first.row, "manager_email", message)
