"""HRIS files from the wild: Excel's empty "CSV UTF-8" (a byte-order mark only), line breaks and control
characters inside a name, and values a spreadsheet would run as formulas. Each is refused with its row and
column, nothing is written, and nothing crashes."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from conftest import Personas
from people.tests.test_hris_import import HEADER, catalogue, good_rows, refused, unchanged

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalogue")]
nothing_written = pytest.mark.usefixtures("unchanged")
__all__ = ["catalogue", "unchanged"]  # fixtures these tests use

BOM = b"\xef\xbb\xbf"


def to_csv(rows: list[dict[str, str]]) -> bytes:
    """Every value quoted, CRLF between records: how Excel writes a cell holding a line break."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


@nothing_written
@pytest.mark.parametrize("content", [BOM, BOM + b"\r\n", BOM + b"  \n\n"])
def test_a_file_holding_only_a_byte_order_mark_is_refused_in_words(content: bytes) -> None:
    refused(content, 1, "", "only an invisible byte-order mark")


def test_the_byte_order_mark_file_gets_a_page_not_a_500(client: Client, personas: Personas) -> None:
    client.force_login(personas.hr_analyst)
    upload = SimpleUploadedFile("empty.csv", BOM, content_type="text/csv")
    response = client.post(reverse("people:import"), {"file": upload})
    assert response.status_code == 200
    assert "byte-order mark" in response.content.decode()


@nothing_written
@pytest.mark.parametrize("name", ["Ayu\rLestari", "Ayu\nLestari", "Ayu\r\nLestari", "Ayu\x07Lestari", "Ayu\tLestari"])
def test_a_line_break_or_control_character_in_a_name_is_refused_at_its_cell(name: str) -> None:
    rows = good_rows()
    rows[0]["full_name"] = name
    refused(to_csv(rows), 2, "full_name", "line break or another control character (character 4)")


@nothing_written
def test_a_control_character_in_a_job_title_is_refused_too() -> None:
    rows = good_rows()
    rows[1]["job_title"] = "Head\x1bof Sales"
    refused(to_csv(rows), 3, "job_title", "control character")


@nothing_written
@pytest.mark.parametrize("value", ['=HYPERLINK("http://x.example")', "+62 811", "-1+1", "@SUM(A1)"])
def test_a_name_a_spreadsheet_would_run_as_a_formula_is_refused_at_its_cell(value: str) -> None:
    rows = good_rows()
    rows[0]["full_name"] = value
    refused(to_csv(rows), 2, "full_name", f"starts with “{value[0]}”, which spreadsheets run as a formula")


@nothing_written
def test_a_formula_in_an_org_unit_name_is_refused() -> None:
    rows = good_rows()
    rows[0]["org_unit_name"] = "=cmd|' /C calc'!A0"
    refused(to_csv(rows), 2, "org_unit_name", "formula")
