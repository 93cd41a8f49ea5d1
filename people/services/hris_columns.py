"""The columns of an HRIS file: their names, which are required, what each means, and how they group.

The README's "HRIS import" section documents each one; the import page shows COLUMN_HELP.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

GRADE_MIN, GRADE_MAX = 1, 12

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
