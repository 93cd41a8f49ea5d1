"""Reading and checking the rows of an HRIS file in memory, before anything is written.

Every check here is pure Python over the file and a snapshot of the directory (see `Directory`), so a
file of 50,000 rows is checked without a query per row. Problems carry the spreadsheet row (the header is
row 1) and the column, so a person can fix the file in Excel and upload it again.
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zoneinfo
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar, cast

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from people.models import LEVEL_MAX, LEVEL_MIN, Competency, CompetencyRating, OrgUnit, User

from .languages import ISO_639_1

GRADE_MIN, GRADE_MAX = 1, 12
KEEP_PROBLEMS = 1000  # problems kept in memory; the rest are only counted

# Columns of the file: name -> required. The README's "HRIS import" section documents each one.
COLUMNS: dict[str, bool] = {
    "email": True,
    "full_name": True,
    "employee_number": False,
    "job_title": False,
    "grade": False,
    "org_unit_code": False,
    "org_unit_name": False,
    "parent_org_unit_code": False,
    "manager_email": False,
    "location": False,
    "languages": False,
    "hire_date": False,
    "left_date": False,
    "preferred_language": False,
    "time_zone": False,
    "ratings": False,
    "ratings_source": False,
    "ratings_date": False,
}
# What each column means, with an example, for the import page (the README has the same table).
COLUMN_HELP: dict[str, tuple[str | Promise, str]] = {
    "email": (gettext_lazy("Work e-mail; the key that matches a person (any case)."), "dewi.lestari@nusantara.co.id"),
    "full_name": (gettext_lazy("Full name."), "Dewi Lestari"),
    "employee_number": (gettext_lazy("HRIS employee number."), "NN000123"),
    "job_title": (gettext_lazy("Job title."), "Key Account Executive"),
    "grade": (gettext_lazy("Grade, a whole number from 1 to 12."), "6"),
    "org_unit_code": (gettext_lazy("Code of the person's org unit; empty for none."), "SAL-KA"),
    "org_unit_name": (gettext_lazy("Name of that unit; a row that gives it describes the unit."), "Key Accounts"),
    "parent_org_unit_code": (gettext_lazy("Code of the unit above; empty for a top unit."), "SAL"),
    "manager_email": (gettext_lazy("E-mail of the direct manager, in this file or already imported."), "budi@x.co.id"),
    "location": (gettext_lazy("Work location."), "Surabaya"),
    "languages": (gettext_lazy("ISO 639-1 codes separated by semicolons."), "id;en;jv"),
    "hire_date": (gettext_lazy("Date of hire, YYYY-MM-DD."), "2019-03-01"),
    "left_date": (gettext_lazy("Date the person left, YYYY-MM-DD; empty while employed."), ""),
    "preferred_language": (gettext_lazy("en or id; empty keeps the person's own choice."), "id"),
    "time_zone": (gettext_lazy("IANA time zone; empty keeps the person's own choice."), "Asia/Makassar"),
    "ratings": (gettext_lazy("Competency ratings CODE:LEVEL (1–5) separated by semicolons."), "NEG:4;CUS:3"),
    "ratings_source": (gettext_lazy("Who rated: self, manager or assessment."), "manager"),
    "ratings_date": (gettext_lazy("Date of the ratings, YYYY-MM-DD."), "2026-07-15"),
}
# A column that is only read together with others.
COLUMN_NEEDS: dict[str, tuple[str, ...]] = {
    "org_unit_name": ("org_unit_code",),
    "parent_org_unit_code": ("org_unit_code", "org_unit_name"),
    "ratings": ("ratings_source", "ratings_date"),
}
UNIT_COLUMNS = ("org_unit_code", "org_unit_name", "parent_org_unit_code")
# Person fields copied from a column of the same name; an empty cell clears the field.
PERSON_FIELDS = (
    "full_name",
    "employee_number",
    "job_title",
    "grade",
    "location",
    "languages",
    "hire_date",
    "left_date",
)
# Personal preferences: an empty cell keeps what the person chose (or the default for someone new).
PREFERENCE_FIELDS = ("preferred_language", "time_zone")

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_INT_RE = re.compile(r"\d{1,3}", re.ASCII)
_SPLIT_RE = re.compile(r"[;,\s]+")


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


# Cells ----------------------------------------------------------------------------------------------------


@functools.cache
def _time_zones() -> dict[str, str]:
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def _max_length(name: str, model: type[models.Model] = User) -> int:
    length = getattr(model._meta.get_field(name), "max_length", None)
    return int(length) if length else 10_000


FORMULA_PREFIXES = ("=", "+", "-", "@")


def clean_text(value: str, column: str, limit: int) -> str:
    """One line of plain text: no line breaks or control characters, no formula, not too long."""
    for position, char in enumerate(value, start=1):
        if unicodedata.category(char) == "Cc":
            raise ValueError(
                _(
                    "%(column)s holds a line break or another control character (character %(position)s); "
                    "it must be one line of plain text."
                )
                % {"column": column, "position": position}
            )
    if value.startswith(FORMULA_PREFIXES):
        # A spreadsheet that opens this value (or an export of it) would run it as a formula.
        raise ValueError(
            _("%(column)s starts with “%(char)s”, which spreadsheets run as a formula; remove it.")
            % {"column": column, "char": value[0]}
        )
    if len(value) > limit:
        raise ValueError(
            _("%(column)s is %(n)s characters long; at most %(limit)s fit.")
            % {"column": column, "n": len(value), "limit": limit}
        )
    return value


def clean_email(value: str) -> str:
    value = value.lower()
    try:
        validate_email(value)
    except ValidationError:
        raise ValueError(_("“%(value)s” is not a valid e-mail address.") % {"value": value}) from None
    limit = _max_length("email")
    if len(value) > limit:
        raise ValueError(_("This e-mail address is longer than %(limit)s characters.") % {"limit": limit})
    return value


def clean_date(value: str) -> date | None:
    if not value:
        return None
    if _DATE_RE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(_("“%(value)s” is not a date written YYYY-MM-DD (for example 2024-01-31).") % {"value": value})


def clean_grade(value: str) -> int | None:
    if not value:
        return None
    if _INT_RE.fullmatch(value) and GRADE_MIN <= int(value) <= GRADE_MAX:
        return int(value)
    raise ValueError(
        _("Grade “%(value)s” is not a whole number from %(min)s to %(max)s.")
        % {"value": value, "min": GRADE_MIN, "max": GRADE_MAX}
    )


def clean_languages(value: str) -> list[str]:
    codes: list[str] = []
    for code in (c.lower() for c in _SPLIT_RE.split(value) if c):
        if code not in ISO_639_1:
            raise ValueError(
                _("“%(code)s” is not a two-letter ISO 639-1 language code (id, en, jv, su…).") % {"code": code}
            )
        if code not in codes:
            codes.append(code)
    return codes


def clean_preferred_language(value: str) -> str:
    choices = dict(User.Language.choices)
    if value.lower() not in choices:
        raise ValueError(
            _("Preferred language “%(value)s” is not one of: %(choices)s.")
            % {"value": value, "choices": ", ".join(choices)}
        )
    return value.lower()


def clean_time_zone(value: str) -> str:
    name = _time_zones().get(value.lower())
    if name is None:
        raise ValueError(
            _("“%(value)s” is not a time zone name such as Asia/Jakarta or Asia/Makassar.") % {"value": value}
        )
    return name


def clean_ratings(value: str, catalogue: Mapping[str, int], codes: list[str]) -> list[tuple[int, int]]:
    """ "NEG:4;PRS:3" -> [(competency id, 4), ...]; each competency once per row."""
    ratings: dict[int, int] = {}
    for item in (part.strip() for part in value.split(";")):
        if not item:
            continue
        code, sep, level = (piece.strip() for piece in item.partition(":"))
        if not sep or not code:
            raise ValueError(_("“%(item)s” is not CODE:LEVEL (for example NEG:4).") % {"item": item})
        pk = catalogue.get(code.lower())
        if pk is None:
            shown = ", ".join(codes[:30]) + ("…" if len(codes) > 30 else "")
            raise ValueError(
                _("Unknown competency code “%(code)s”; the catalogue has: %(codes)s.")
                % {"code": code, "codes": shown or _("no competencies yet")}
            )
        if not (_INT_RE.fullmatch(level) and LEVEL_MIN <= int(level) <= LEVEL_MAX):
            raise ValueError(
                _("Level “%(level)s” for %(code)s is not a whole number from %(min)s to %(max)s.")
                % {"level": level, "code": code, "min": LEVEL_MIN, "max": LEVEL_MAX}
            )
        if pk in ratings:
            raise ValueError(_("%(code)s is rated twice in this row.") % {"code": code})
        ratings[pk] = int(level)
    return list(ratings.items())


def clean_source(value: str) -> str:
    if value.lower() not in CompetencyRating.Source.values:
        raise ValueError(_("ratings_source “%(value)s” is not one of: self, manager, assessment.") % {"value": value})
    return value.lower()


# Rows -----------------------------------------------------------------------------------------------------

Cleaner = Callable[[str], Any]


def _cell_cleaners(directory: Directory) -> dict[str, Cleaner]:
    text = {name: functools.partial(clean_text, column=name, limit=_max_length(name)) for name in PERSON_FIELDS}
    unit_code_limit = _max_length("code", OrgUnit)
    unit_name_limit = _max_length("name", OrgUnit)
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
