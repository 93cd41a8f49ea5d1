"""The HRIS import: a good file imports everything, a re-import never duplicates, and every kind of bad file
is refused with its row and column while nothing at all is written."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import Personas
from people.models import CompetencyRating, OrgUnit, User
from people.services.hris_columns import COLUMN_NEEDS, COLUMNS
from people.services.hris_file import MAX_FILE_BYTES
from people.services.hris_import import MAX_PROBLEMS_SHOWN, ImportResult, people_import
from people.tests.factories import CompetencyFactory, OrgUnitFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = list(COLUMNS)


def person(email: str, full_name: str, **values: str) -> dict[str, str]:
    return {"email": email, "full_name": full_name, **values}


def good_rows() -> list[dict[str, str]]:
    """A small company: a president director, a division, a department with two people."""
    return [
        person(
            "ayu@nn.example",
            "Ayu Lestari",
            job_title="President Director",
            grade="12",
            org_unit_code="NN",
            org_unit_name="PT Nusantara Niaga",
            parent_org_unit_code="",
            location="Jakarta",
            languages="id;en",
            hire_date="2005-01-03",
            preferred_language="id",
            time_zone="Asia/Jakarta",
        ),
        person(
            "budi@nn.example",
            "Budi Santoso",
            job_title="Sales Director",
            grade="11",
            org_unit_code="SAL",
            org_unit_name="Sales",
            parent_org_unit_code="NN",
            manager_email="ayu@nn.example",
            location="Jakarta",
            ratings="NEG:5;COA:4",
            ratings_source="assessment",
            ratings_date="2026-07-15",
        ),
        person(
            "citra@nn.example",
            "Citra Dewi",
            employee_number="NN000003",
            job_title="Key Account Executive",
            grade="6",
            org_unit_code="SAL-KA",
            org_unit_name="Key Accounts",
            parent_org_unit_code="SAL",
            manager_email="budi@nn.example",
            location="Makassar",
            languages="id;en;jv",
            hire_date="2019-03-01",
            time_zone="Asia/Makassar",
            ratings="NEG:3;CUS:2",
            ratings_source="manager",
            ratings_date="2026-07-15",
        ),
        # Named before the manager's own row: managers are resolved in a second pass, not in file order.
        person(
            "dedi@nn.example",
            "Dedi Kurniawan",
            job_title="Key Account Executive",
            grade="4",
            org_unit_code="SAL-KA",
            manager_email="citra@nn.example",
            hire_date="2023-08-14",
            left_date="2026-02-28",
        ),
    ]


def to_csv(rows: list[dict[str, str]], columns: list[str] | None = None) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns or HEADER, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


@pytest.fixture
def catalogue() -> None:
    for code in ("NEG", "CUS", "COA"):
        CompetencyFactory(code=code)


def directory_state() -> tuple[list[Any], ...]:
    """Every row of people, units and ratings, to prove that a refused file wrote nothing."""
    people = list(User.objects.order_by("pk").values_list())
    units = list(OrgUnit.objects.order_by("pk").values_list())
    ratings = list(CompetencyRating.objects.order_by("pk").values_list())
    return people, units, ratings


@pytest.fixture
def unchanged() -> Iterator[None]:
    """The test's refused import must leave the directory exactly as it was."""
    before = directory_state()
    yield
    assert directory_state() == before, "a refused file wrote something"


def refused(content: bytes, row: int | None, column: str, says: str) -> ImportResult:
    """Import `content`; assert it was refused with a problem at `row`/`column` whose message contains `says`."""
    result = people_import(actor=None, content=content)
    assert not result.ok
    found = [(p.row, p.column, p.message) for p in result.problems]
    assert any(r == row and c == column and says in m for r, c, m in found), found
    return result


# A good file ------------------------------------------------------------------------------------------------


def test_good_file_imports_people_units_tree_managers_and_ratings(catalogue: None) -> None:
    result = people_import(actor=None, content=to_csv(good_rows()))

    assert result.ok, result.problems
    assert (result.summary.people_created, result.summary.units_created, result.summary.ratings_created) == (4, 3, 4)
    citra = User.objects.get(email="citra@nn.example")
    assert citra.manager is not None
    assert citra.manager.email == "budi@nn.example"
    assert citra.manager.manager is not None
    assert citra.manager.manager.email == "ayu@nn.example"
    assert User.objects.get(email="dedi@nn.example").manager == citra
    assert (citra.grade, citra.employee_number, citra.location) == (6, "NN000003", "Makassar")
    assert citra.languages == ["id", "en", "jv"]
    assert (citra.hire_date, citra.time_zone, citra.preferred_language) == (date(2019, 3, 1), "Asia/Makassar", "en")
    assert User.objects.get(email="dedi@nn.example").left_date == date(2026, 2, 28)
    assert citra.org_unit is not None
    assert citra.org_unit.code == "SAL-KA"
    assert citra.org_unit.parent is not None
    assert citra.org_unit.parent.code == "SAL"
    assert citra.org_unit.parent.parent is not None
    assert citra.org_unit.parent.parent.code == "NN"
    assert OrgUnit.objects.get(code="NN").parent is None
    ratings = {(r.competency.code, r.level, r.source, r.rater) for r in citra.ratings.select_related("competency")}
    assert ratings == {("NEG", 3, "manager", citra.manager), ("CUS", 2, "manager", citra.manager)}


def test_imported_people_can_ask_for_a_password_reset_but_cannot_sign_in_yet(catalogue: None, client: Client) -> None:
    people_import(actor=None, content=to_csv(good_rows()))
    citra = User.objects.get(email="citra@nn.example")
    assert citra.has_usable_password()  # so the reset form sends them a link
    login = client.post(reverse("people:login"), {"username": "citra@nn.example", "password": "guess-me-123"})
    assert login.status_code == 200
    assert "_auth_user_id" not in client.session
    response = client.post(reverse("people:password_reset"), {"email": "citra@nn.example"})
    assert response.status_code == 302
    from django.core import mail

    assert [m.to for m in mail.outbox] == [["citra@nn.example"]]


def test_reimport_updates_people_units_and_ratings_and_never_duplicates(catalogue: None) -> None:
    people_import(actor=None, content=to_csv(good_rows()))
    rows = good_rows()
    rows[2] |= {"email": "Citra@NN.example", "job_title": "Senior Key Account Executive", "ratings": "NEG:4;CUS:2"}
    rows[1] |= {"org_unit_name": "Sales & Marketing"}
    rows[3] |= {"manager_email": "budi@nn.example"}

    result = people_import(actor=None, content=to_csv(rows))

    assert result.ok, result.problems
    assert User.objects.count() == 4
    assert OrgUnit.objects.count() == 3
    assert CompetencyRating.objects.count() == 4
    s = result.summary
    assert (s.people_created, s.people_updated, s.people_unchanged) == (0, 2, 2)
    assert (s.units_created, s.units_updated, s.ratings_created, s.ratings_updated) == (0, 1, 0, 1)
    citra = User.objects.get(email="citra@nn.example")
    assert citra.job_title == "Senior Key Account Executive"
    assert citra.ratings.get(competency__code="NEG").level == 4
    assert OrgUnit.objects.get(code="SAL").name == "Sales & Marketing"
    assert User.objects.get(email="dedi@nn.example").manager == User.objects.get(email="budi@nn.example")


def test_reimport_of_the_same_file_changes_nothing(catalogue: None) -> None:
    people_import(actor=None, content=to_csv(good_rows()))
    before = directory_state()
    result = people_import(actor=None, content=to_csv(good_rows()))
    assert result.summary.people_unchanged == 4
    assert result.summary.people_updated == 0
    assert directory_state() == before


def test_ratings_on_a_new_date_are_added_beside_the_old_ones(catalogue: None) -> None:
    people_import(actor=None, content=to_csv(good_rows()))
    rows = good_rows()
    rows[2]["ratings_date"] = "2027-01-15"
    result = people_import(actor=None, content=to_csv(rows))
    assert result.summary.ratings_created == 2
    assert User.objects.get(email="citra@nn.example").ratings.count() == 4


def test_a_column_left_out_leaves_that_field_alone_and_an_empty_preference_keeps_the_choice(catalogue: None) -> None:
    people_import(actor=None, content=to_csv(good_rows()))
    User.objects.filter(email="ayu@nn.example").update(preferred_language="en")
    rows = [person("ayu@nn.example", "Ayu Lestari-Wijaya", preferred_language="")]
    people_import(actor=None, content=to_csv(rows, ["email", "full_name", "preferred_language"]))
    ayu = User.objects.get(email="ayu@nn.example")
    assert ayu.full_name == "Ayu Lestari-Wijaya"
    assert (ayu.preferred_language, ayu.job_title, ayu.org_unit.code) == ("en", "President Director", "NN")


def test_a_row_without_email_may_describe_an_org_unit_nobody_sits_in(catalogue: None) -> None:
    rows = [
        {"org_unit_code": "HC", "org_unit_name": "Human Capital", "parent_org_unit_code": ""},
        person(
            "rina@nn.example",
            "Rina Hartono",
            org_unit_code="HC-PA",
            org_unit_name="People Analytics",
            parent_org_unit_code="HC",
        ),
    ]
    assert people_import(actor=None, content=to_csv(rows)).ok
    assert OrgUnit.objects.get(code="HC-PA").parent == OrgUnit.objects.get(code="HC")
    assert not OrgUnit.objects.get(code="HC").people.exists()


def test_managers_and_units_may_already_be_in_the_directory(catalogue: None) -> None:
    boss = UserFactory(email="Boss@NN.example")
    OrgUnitFactory(code="OPS", name="Operations")
    rows = [person("eko@nn.example", "Eko Prasetyo", manager_email="boss@nn.example", org_unit_code="OPS")]
    assert people_import(actor=None, content=to_csv(rows)).ok
    eko = User.objects.get(email="eko@nn.example")
    assert eko.manager == boss
    assert eko.org_unit.code == "OPS"


def test_a_utf8_file_with_a_byte_order_mark_imports(catalogue: None) -> None:
    content = "\ufeff".encode() + to_csv([person("yusuf@nn.example", "Yusuf Ḥabībī")], ["email", "full_name"])
    assert people_import(actor=None, content=content).ok
    assert User.objects.get(email="yusuf@nn.example").full_name == "Yusuf Ḥabībī"


def test_dry_run_counts_but_writes_nothing(catalogue: None, unchanged: None) -> None:
    result = people_import(actor=None, content=to_csv(good_rows()), dry_run=True)
    assert result.ok
    assert result.dry_run
    assert (result.summary.people_created, result.summary.units_created, result.summary.ratings_created) == (4, 3, 4)


def test_import_runs_a_bounded_number_of_queries_not_one_per_row(
    catalogue: None, django_assert_max_num_queries: Any
) -> None:
    from people import demo

    demo.ensure_catalogue()
    rows = demo.generate_rows(people=600, seed=1, today=date(2026, 11, 1))
    with django_assert_max_num_queries(90):  # a query per row would be 600+
        result = people_import(actor=None, content=demo.to_csv(rows))
    assert result.ok
    assert result.summary.people_created == 600


# Bad files: each is refused with its row and column, and nothing is written ---------------------------------


def test_unknown_manager_is_refused(catalogue: None, unchanged: None) -> None:
    rows = good_rows()
    rows[2]["manager_email"] = "nobody@nn.example"
    refused(to_csv(rows), 4, "manager_email", "Unknown manager nobody@nn.example")


def test_manager_cycle_within_the_file_is_refused(catalogue: None, unchanged: None) -> None:
    rows = good_rows()
    rows[0]["manager_email"] = "dedi@nn.example"  # ayu -> dedi -> citra -> budi -> ayu
    result = refused(to_csv(rows), 2, "manager_email", "Manager cycle")
    assert "ayu@nn.example" in result.problems[0].message
    assert "dedi@nn.example" in result.problems[0].message


def test_manager_cycle_through_people_already_in_the_directory_is_refused(catalogue: None) -> None:
    top = UserFactory(email="top@nn.example")
    middle = UserFactory(email="middle@nn.example", manager=top)
    UserFactory(email="low@nn.example", manager=middle)
    before = directory_state()
    rows = [person("top@nn.example", "Top Person", manager_email="low@nn.example")]
    result = refused(to_csv(rows, ["email", "full_name", "manager_email"]), 2, "manager_email", "Manager cycle")
    assert "middle@nn.example" in result.problems[0].message
    assert directory_state() == before


def test_being_ones_own_manager_is_refused(catalogue: None, unchanged: None) -> None:
    rows = good_rows()
    rows[1]["manager_email"] = "BUDI@nn.example"
    refused(to_csv(rows), 3, "manager_email", "cannot be their own manager")


def test_duplicate_email_in_the_file_is_refused_whatever_the_case(catalogue: None, unchanged: None) -> None:
    rows = [*good_rows(), person("Citra@NN.Example", "Citra Dua")]
    refused(to_csv(rows), 6, "email", "already on row 4")


@pytest.mark.parametrize("value", ["31/01/2024", "2024-02-30", "2024-1-5", "20240105"])
def test_bad_date_is_refused(catalogue: None, unchanged: None, value: str) -> None:
    rows = good_rows()
    rows[2]["hire_date"] = value
    refused(to_csv(rows), 4, "hire_date", "YYYY-MM-DD")


def test_left_date_before_hire_date_is_refused(catalogue: None, unchanged: None) -> None:
    rows = good_rows()
    rows[3]["left_date"] = "2020-01-01"
    refused(to_csv(rows), 5, "left_date", "before hire_date")


def test_unknown_org_unit_is_refused(catalogue: None, unchanged: None) -> None:
    rows = good_rows()
    rows[3]["org_unit_code"] = "SAL-XX"
    refused(to_csv(rows), 5, "org_unit_code", "Unknown org unit SAL-XX")


def test_unknown_parent_unit_is_refused(catalogue: None, unchanged: None) -> None:
    rows = good_rows()
    rows[2]["parent_org_unit_code"] = "MKT"
    refused(to_csv(rows), 4, "parent_org_unit_code", "Unknown parent unit MKT")


def test_org_unit_cycle_is_refused(catalogue: None, unchanged: None) -> None:
    rows = good_rows()
    rows[0]["parent_org_unit_code"] = "SAL-KA"  # NN -> SAL-KA -> SAL -> NN
    refused(to_csv(rows), 2, "parent_org_unit_code", "Org unit cycle")


def test_org_unit_cycle_through_units_already_in_the_directory_is_refused(catalogue: None) -> None:
    top = OrgUnitFactory(code="TOP", name="Top")
    OrgUnitFactory(code="MID", name="Middle", parent=top)
    before = directory_state()
    rows = [person("x@nn.example", "X", org_unit_code="TOP", org_unit_name="Top", parent_org_unit_code="MID")]
    refused(to_csv(rows), 2, "parent_org_unit_code", "TOP → MID → TOP")
    assert directory_state() == before


def test_a_unit_described_two_ways_is_refused(catalogue: None, unchanged: None) -> None:
    rows = good_rows()
    rows[3] |= {"org_unit_name": "Key Account Management"}
    refused(to_csv(rows), 5, "org_unit_name", "on row 4")


def test_missing_columns_are_listed(catalogue: None, unchanged: None) -> None:
    columns = [c for c in HEADER if c not in ("full_name", "ratings_date")]
    result = refused(to_csv(good_rows(), columns), 1, "full_name, ratings_date", "Missing columns")
    assert "full_name" in result.problems[0].message
    assert "ratings_date" in result.problems[0].message


def test_unknown_and_repeated_columns_are_listed(catalogue: None, unchanged: None) -> None:
    content = b"email,full_name,nickname,Email,salary\na@nn.example,A,aa,a@nn.example,1\n"
    result = refused(content, 1, "nickname, salary", "Unknown columns: nickname, salary")
    assert any(p.column == "email" and "twice" in p.message for p in result.problems)


def test_a_semicolon_separated_file_is_explained(catalogue: None, unchanged: None) -> None:
    refused(b"email;full_name\na@nn.example;A\n", 1, "", "semicolons")


def test_a_file_that_is_not_utf8_is_refused_with_its_line(catalogue: None, unchanged: None) -> None:
    content = "email,full_name\na@nn.example,Ana\nj@nn.example,José Ramos\n".encode("latin-1")
    refused(content, 3, "", "not UTF-8")


def test_an_empty_file_is_refused(catalogue: None, unchanged: None) -> None:
    refused(b"", None, "", "empty")
    refused(b"  \n\n", None, "", "empty")


def test_a_file_with_only_a_header_is_refused(catalogue: None, unchanged: None) -> None:
    refused(b"email,full_name\n\n", 2, "", "no rows")


def test_an_oversized_file_is_refused_before_it_is_read(catalogue: None, unchanged: None) -> None:
    content = b"email,full_name\n" + b"a@nn.example,A\n" * (MAX_FILE_BYTES // 15 + 1)
    assert len(content) > MAX_FILE_BYTES
    refused(content, None, "", "the limit is 20 MB")


@pytest.mark.parametrize("grade", ["13", "0", "senior", "7.5"])
def test_bad_grade_is_refused(catalogue: None, unchanged: None, grade: str) -> None:
    rows = good_rows()
    rows[3]["grade"] = grade
    refused(to_csv(rows), 5, "grade", "from 1 to 12")


@pytest.mark.parametrize("ratings", ["NEG:6", "NEG:0", "NEG:high"])
def test_bad_level_is_refused(catalogue: None, unchanged: None, ratings: str) -> None:
    rows = good_rows()
    rows[2]["ratings"] = ratings
    refused(to_csv(rows), 4, "ratings", "from 1 to 5")


def test_unknown_competency_is_refused(catalogue: None, unchanged: None) -> None:
    rows = good_rows()
    rows[2]["ratings"] = "NEG:3;XYZ:2"
    refused(to_csv(rows), 4, "ratings", "Unknown competency code “XYZ”")


def test_ratings_without_source_or_date_are_refused(catalogue: None, unchanged: None) -> None:
    rows = good_rows()
    rows[2] |= {"ratings_source": "", "ratings_date": ""}
    result = refused(to_csv(rows), 4, "ratings_source", "required when ratings are given")
    assert any(p.column == "ratings_date" for p in result.problems)
    rows[2] |= {"ratings_source": "peer", "ratings_date": "2026-07-15"}
    refused(to_csv(rows), 4, "ratings_source", "not one of")


def test_bad_language_code_is_refused(catalogue: None, unchanged: None) -> None:
    rows = good_rows()
    rows[2]["languages"] = "id;english"
    refused(to_csv(rows), 4, "languages", "“english” is not a two-letter ISO 639-1")


def test_bad_preferred_language_is_refused(catalogue: None, unchanged: None) -> None:
    rows = good_rows()
    rows[2]["preferred_language"] = "fr"
    refused(to_csv(rows), 4, "preferred_language", "not one of")


def test_bad_time_zone_is_refused(catalogue: None, unchanged: None) -> None:
    rows = good_rows()
    rows[2]["time_zone"] = "Jakarta"
    refused(to_csv(rows), 4, "time_zone", "not a time zone")


def test_invalid_emails_are_refused(catalogue: None, unchanged: None) -> None:
    rows = good_rows()
    rows[2]["email"] = "citra@"
    rows[3]["manager_email"] = "not an address"
    refused(to_csv(rows), 4, "email", "not a valid e-mail address")
    refused(to_csv(rows), 5, "manager_email", "not a valid e-mail address")


def test_an_email_too_long_for_the_directory_is_refused(catalogue: None, unchanged: None) -> None:
    rows = good_rows()
    rows[3]["email"] = "d" * 250 + "@nn.example"
    refused(to_csv(rows), 5, "email", "longer than 254 characters")


def test_missing_required_values_are_refused(catalogue: None, unchanged: None) -> None:
    rows = good_rows()
    rows[1]["full_name"] = ""
    refused(to_csv(rows), 3, "full_name", "full_name is required")


def test_a_row_with_the_wrong_number_of_values_is_refused(catalogue: None, unchanged: None) -> None:
    refused(b"email,full_name\na@nn.example,A,extra\n", 2, "", "3 values; the header has 2 columns")


def test_broken_csv_quoting_is_refused(catalogue: None, unchanged: None) -> None:
    refused(b'email,full_name\na@nn.example,A\nb@nn.example,"B"x\n', 3, "", "not valid CSV")


def test_a_nul_character_is_refused(catalogue: None, unchanged: None) -> None:
    refused(b"email,full_name\na@nn.example,A\x00\n", 2, "", "NUL")


def test_row_numbers_count_like_a_spreadsheet_including_blank_rows(catalogue: None, unchanged: None) -> None:
    refused(b"email,full_name\n\na@nn.example,A\n\n\nbad,B\n", 6, "email", "not a valid e-mail address")


def test_a_too_long_value_is_refused(catalogue: None, unchanged: None) -> None:
    rows = good_rows()
    rows[2]["job_title"] = "x" * 201
    refused(to_csv(rows), 4, "job_title", "at most 200")


def test_problems_shown_are_capped_and_the_rest_counted(catalogue: None, unchanged: None) -> None:
    rows = [person(f"p{i}@nn.example", f"P {i}", grade="99") for i in range(250)]
    result = people_import(actor=None, content=to_csv(rows, ["email", "full_name", "grade"]))
    assert result.problem_count == 250
    assert len(result.problems) == MAX_PROBLEMS_SHOWN
    assert result.problems_not_shown == 50
    assert [p.row for p in result.problems[:3]] == [2, 3, 4]


# The page ---------------------------------------------------------------------------------------------------


def upload(content: bytes, name: str = "people.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_uploading_a_bad_file_lists_each_problem_and_writes_nothing(
    client: Client, personas: Personas, catalogue: None
) -> None:
    rows = good_rows()
    rows[2]["manager_email"] = "nobody@nn.example"
    rows[3]["grade"] = "senior"
    client.force_login(personas.hr_analyst)
    before = directory_state()

    response = client.post(reverse("people:import"), {"file": upload(to_csv(rows))})

    assert response.status_code == 200
    body = response.content.decode()
    assert "The file has 2 problems" in body
    assert "Nothing was imported" in body
    assert "<td>4</td><td>manager_email</td>" in body
    assert "Unknown manager nobody@nn.example" in body
    assert "<td>5</td><td>grade</td>" in body
    assert directory_state() == before


def test_previewing_a_good_file_writes_nothing_and_importing_it_then_does(
    client: Client, personas: Personas, catalogue: None
) -> None:
    client.force_login(personas.hr_analyst)
    before = directory_state()

    preview = client.post(reverse("people:import"), {"file": upload(to_csv(good_rows())), "preview": "on"})

    assert preview.status_code == 200
    assert "would create 4 people" in preview.content.decode()
    assert directory_state() == before
    token = preview.context["confirm"].initial["token"]
    response = client.post(reverse("people:import"), {"token": token}, follow=True)
    assert "Imported: 4 people created" in response.content.decode()
    assert User.objects.filter(email__endswith="@nn.example").count() == 4

    again = client.post(reverse("people:import"), {"token": token}, follow=True)
    assert "expired or was already imported" in again.content.decode()
    assert User.objects.filter(email__endswith="@nn.example").count() == 4


def test_a_preview_token_from_another_session_imports_nothing(
    client: Client, personas: Personas, catalogue: None
) -> None:
    client.force_login(personas.hr_analyst)
    preview = client.post(reverse("people:import"), {"file": upload(to_csv(good_rows())), "preview": "on"})
    token = preview.context["confirm"].initial["token"]
    other = Client()
    other.force_login(personas.admin)
    response = other.post(reverse("people:import"), {"token": token}, follow=True)
    assert "expired or was already imported" in response.content.decode()
    assert not User.objects.filter(email__endswith="@nn.example").exists()


def test_admin_imports_a_good_file_straight_away_without_preview(
    client: Client, personas: Personas, catalogue: None
) -> None:
    client.force_login(personas.admin)
    response = client.post(reverse("people:import"), {"file": upload(to_csv(good_rows()))})
    assert response.status_code == 302
    assert User.objects.get(email="dedi@nn.example").manager.email == "citra@nn.example"


def test_the_page_refuses_an_oversized_upload_with_a_message(client: Client, personas: Personas) -> None:
    client.force_login(personas.hr_analyst)
    before = directory_state()
    response = client.post(reverse("people:import"), {"file": upload(b"x" * (MAX_FILE_BYTES + 1))})
    assert response.status_code == 200
    assert "the limit is 20 MB" in response.content.decode()
    assert directory_state() == before


@pytest.mark.parametrize(
    "content", [b"", b"\xff\xfe\x00e\x00m", b"\x89PNG\r\n\x1a\n\x00\x00", b"email\n" + b"a" * 200_000]
)
def test_the_page_never_fails_on_a_strange_file(client: Client, personas: Personas, content: bytes) -> None:
    client.force_login(personas.hr_analyst)
    before = directory_state()
    response = client.post(reverse("people:import"), {"file": upload(content)})
    assert response.status_code == 200
    assert "Nothing was imported" in response.content.decode()
    assert directory_state() == before


def test_the_page_lists_the_columns_of_the_file(client: Client, personas: Personas) -> None:
    client.force_login(personas.hr_analyst)
    body = client.get(reverse("people:import")).content.decode()
    assert "<code>manager_email</code>" in body
    assert "<code>ratings_source</code>" in body


@pytest.mark.parametrize("persona", ["mentor", "mentee", "coordinator", "outsider"])
def test_people_who_are_not_hr_or_admin_get_403_and_write_nothing(
    client: Client, personas: Personas, catalogue: None, persona: str
) -> None:
    client.force_login(getattr(personas, persona))
    before = directory_state()
    assert client.get(reverse("people:import")).status_code == 403
    response = client.post(reverse("people:import"), {"file": upload(to_csv(good_rows()))})
    assert response.status_code == 403
    assert directory_state() == before


# The command ------------------------------------------------------------------------------------------------


def write(tmp_path: Path, content: bytes) -> str:
    path = tmp_path / "people.csv"
    path.write_bytes(content)
    return str(path)


def test_command_prints_each_problem_and_exits_non_zero(tmp_path: Path, catalogue: None, unchanged: None) -> None:
    rows = good_rows()
    rows[2]["manager_email"] = "nobody@nn.example"
    err = io.StringIO()

    with pytest.raises(CommandError, match="nothing was imported") as refusal:
        call_command("import_people", write(tmp_path, to_csv(rows)), stderr=err)

    assert refusal.value.returncode == 1  # manage.py exits with this status
    assert "row 4, manager_email: Unknown manager nobody@nn.example" in err.getvalue()


def test_command_dry_run_reports_counts_and_writes_nothing(tmp_path: Path, catalogue: None, unchanged: None) -> None:
    out = io.StringIO()
    call_command("import_people", write(tmp_path, to_csv(good_rows())), "--dry-run", stdout=out)
    assert "Would import: people 4 created" in out.getvalue()


def test_command_imports_a_good_file(tmp_path: Path, catalogue: None) -> None:
    out = io.StringIO()
    call_command("import_people", write(tmp_path, to_csv(good_rows())), stdout=out)
    assert "Imported: people 4 created, 0 updated" in out.getvalue()
    assert User.objects.filter(email__endswith="@nn.example").count() == 4


def test_command_explains_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_people", str(tmp_path / "nope.csv"))


# Any file at all: a list of problems or a summary, never an exception --------------------------------------

CELL = st.text(alphabet=st.sampled_from(list('aZ09@.-:;, "\n\t/éý_')), max_size=12) | st.sampled_from(
    ["NEG:3", "NEG:9", "2026-07-15", "id;en", "Asia/Jakarta", "a@nn.example", "b@nn.example", "manager", "SAL", "12"]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=600))
def test_any_bytes_give_problems_or_a_summary_never_an_exception(catalogue: None, content: bytes) -> None:
    result = people_import(actor=None, content=content, dry_run=True)
    assert result.ok or result.problem_count >= len(result.problems) > 0


EMAILS = st.sampled_from([*(f"p{n}@NN.example" for n in range(12)), "bad@"])
UNITS = st.sampled_from(["NN", "SAL", "SAL-KA", ""])
# Mostly good values, with one bad one each, so that some tables import and the rest fail in every way.
VALUES = {
    "email": EMAILS,
    "manager_email": EMAILS | st.just(""),
    "org_unit_code": UNITS,
    "parent_org_unit_code": UNITS,
    "full_name": st.sampled_from(["Ana", "Budi Santoso", "Citra", ""]),
    "org_unit_name": st.sampled_from(["Sales", "Key Accounts", ""]),
    "grade": st.sampled_from(["1", "12", "", "13"]),
    "hire_date": st.sampled_from(["2020-01-01", "", "2026-02-30"]),
    "left_date": st.sampled_from(["2026-07-15", "", "2019-12-31"]),
    "languages": st.sampled_from(["id;en", "", "xx"]),
    "preferred_language": st.sampled_from(["id", "en", "", "fr"]),
    "time_zone": st.sampled_from(["Asia/Jakarta", "asia/makassar", "", "Mars/Base"]),
    "ratings": st.sampled_from(["NEG:3;CUS:2", "", "NEG:9"]),
    "ratings_source": st.sampled_from(["manager", "self", "assessment", "peer"]),
    "ratings_date": st.sampled_from(["2026-07-15", "2026-07-16", ""]),
}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    optional=st.lists(st.sampled_from(HEADER[2:]), max_size=10, unique=True),
    widths_match=st.booleans(),
    data=st.data(),
)
def test_any_table_gives_problems_or_a_summary_never_an_exception(
    catalogue: None, optional: list[str], widths_match: bool, data: st.DataObject
) -> None:
    columns = ["email", "full_name", *optional]
    if data.draw(st.booleans()):  # half the time, every column the chosen ones need
        columns += [need for name in optional for need in COLUMN_NEEDS.get(name, ()) if need not in columns]
        columns = list(dict.fromkeys(columns))
    cells = [VALUES.get(column, CELL) for column in columns]
    row = st.tuples(*cells).map(list) if widths_match else st.lists(CELL, max_size=len(columns) + 2)
    rows = data.draw(st.lists(row, min_size=1, max_size=5))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    with transaction.atomic():
        result = people_import(actor=None, content=buffer.getvalue().encode())
        transaction.set_rollback(True)  # keep examples independent
    event(f"imported: {result.ok}")
    assert result.ok or result.problems
