"""Cleaning one cell of an HRIS file: text, e-mail, dates, grade, languages, preferences and ratings.

Each cleaner takes the cell as written and returns its value, or raises ValueError with a message a person
can act on (the row checks in hris_rows attach the row and column).
"""

from __future__ import annotations

import functools
import re
import unicodedata
import zoneinfo
from collections.abc import Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.utils.translation import gettext as _

from people.models import LEVEL_MAX, LEVEL_MIN, CompetencyRating, User

from .hris_columns import GRADE_MAX, GRADE_MIN
from .languages import ISO_639_1

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_INT_RE = re.compile(r"\d{1,3}", re.ASCII)
_SPLIT_RE = re.compile(r"[;,\s]+")


@functools.cache
def _time_zones() -> dict[str, str]:
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def field_max_length(name: str, model: type[models.Model] = User) -> int:
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
    limit = field_max_length("email")
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
