"""The HR outcome report: figures, sentences, filters, suppression, exports (CSV, XLSX; background jobs in
test_export_jobs.py), the PDF and its fallback, charts, and a query count that does not grow with the data."""

from __future__ import annotations

import builtins
import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from conftest import Personas
from evaluation.charts import result_chart
from evaluation.models import OutcomeResult
from evaluation.reports import ReportFilters, outcome_report
from evaluation.sentences import decimals, fmt, result_sentence
from evaluation.services.results import outcome_results_compute
from evaluation.tests.outcome_helpers import Outcomes, outcomes
from people.figures import machine
from people.models import OrgUnit, User

pytestmark = pytest.mark.django_db


def _built(personas: Personas, mentored: int = 42, comparison: int = 57, **kwargs: Any) -> Outcomes:
    o = outcomes(programme=personas.programme, mentored=mentored, comparison=comparison, **kwargs)
    outcome_results_compute(programme=o.programme)
    return o


def _report(client: Client, o: Outcomes, **query: str) -> str:
    return client.get(reverse("evaluation:report", args=[o.programme.pk]), query).content.decode()


def test_the_report_tells_the_difference_in_differences_in_words_with_its_interval(
    client: Client, personas: Personas
) -> None:
    o = _built(personas)
    client.force_login(personas.hr_analyst)
    body = _report(client, o)
    result = OutcomeResult.objects.get()
    did = result.figures["did"]
    assert "Mentored participants cut their" in body
    places = decimals(-did["value"])
    assert f"{fmt(-did['value'], places)} days more than the comparison group" in body
    assert f"95% CI {fmt(-did['ci_high'], places)} to {fmt(-did['ci_low'], places)}; 42 mentored, 57 not" in body
    assert "<svg" in body
    assert "Close deals faster" in body  # the business goal heads its metrics
    for person in o.mentored[:5]:
        assert person.email not in body


def test_sentences_follow_the_direction_of_better() -> None:
    def figures(value: float, low: float, high: float) -> dict[str, Any]:
        did = {"value": value, "ci_low": low, "ci_high": high, "n_treated": 40, "n_comparison": 50, "level": 0.95}
        return {"did": did, "groups": {}, "kind": "continuous"}

    assert result_sentence("Revenue", "IDR", "higher", figures(12, 4, 20)).startswith(
        "Mentored participants raised their revenue by 12 IDR more than the comparison group (95% CI 4 to 20; 40"
    )
    assert "fell by 12" in result_sentence("Revenue", "IDR", "higher", figures(-12, -20, -4))
    assert "grew by 3.5 days more" in result_sentence("Sales cycle", "days", "lower", figures(3.5, 1.0, 6.0))
    assert "may be chance" in result_sentence("Sales cycle", "days", "lower", figures(-2, -5, 1))
    rate = figures(0.08, 0.01, 0.15) | {"kind": "rate"}
    assert "by 8.0 percentage points" in result_sentence("Retention", "share", "higher", rate)


def test_a_filter_to_too_few_people_suppresses_everything_computed_live(client: Client, personas: Personas) -> None:
    o = _built(personas, mentored=30, comparison=30)
    unit = OrgUnit.objects.create(code="KA", name="Key accounts")
    User.objects.filter(pk__in=[p.pk for p in o.mentored[:3]]).update(org_unit=unit)
    User.objects.filter(pk__in=[p.pk for p in o.comparison[:12]]).update(org_unit=unit)
    [report] = outcome_report(programmes=[o.programme], filters=ReportFilters(org_unit_id=unit.pk))
    [row] = list(report.rows())
    assert row.live
    assert row.participant == {"n": None, "suppressed": True, "empty": False}
    assert row.comparison["n"] == 12
    assert row.did is None
    client.force_login(personas.coordinator)
    body = _report(client, o, org_unit=str(unit.pk))
    assert 'data-testid="suppressed"' in body
    assert "Computed now for these filters" in body


def test_the_role_filter_keeps_the_comparison_group_and_the_matching_participants(personas: Personas) -> None:
    o = _built(personas, mentored=10, comparison=10)
    [report] = outcome_report(programmes=[o.programme], filters=ReportFilters(role="mentor"))
    [row] = list(report.rows())
    assert row.participant["empty"] is True
    assert row.comparison["n"] == 10
    [report] = outcome_report(programmes=[o.programme], filters=ReportFilters(role="mentee"))
    assert next(report.rows()).figures["did"] == OutcomeResult.objects.get().figures["did"]


def test_a_bad_filter_is_shown_and_ignored(client: Client, personas: Personas) -> None:
    o = _built(personas, mentored=10, comparison=10)
    client.force_login(personas.coordinator)
    response = client.get(reverse("evaluation:report", args=[o.programme.pk]), {"org_unit": "999999", "role": "boss"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Select a valid choice" in body
    assert "Mentored participants cut their" in body


def test_the_report_runs_the_same_queries_for_ten_times_the_data(
    client: Client, personas: Personas, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = _built(personas, mentored=6, comparison=6)
    client.force_login(personas.hr_analyst)
    url = reverse("evaluation:report", args=[small.programme.pk])
    with CaptureQueriesContext(connection) as plain:
        client.get(url)
    unit = OrgUnit.objects.create(code="ALL", name="All")
    User.objects.update(org_unit=unit)
    with CaptureQueriesContext(connection) as filtered:
        client.get(url, {"org_unit": unit.pk, "role": "mentee"})
    outcomes(programme=personas.programme, mentored=120, comparison=150, seed=8)
    outcomes(programme=personas.programme, mentored=60, comparison=80, seed=9, kind="rate", direction="higher")
    outcome_results_compute(programme=personas.programme)
    User.objects.update(org_unit=unit)
    with django_assert_max_num_queries(len(plain)):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(len(filtered)):
        assert client.get(url, {"org_unit": unit.pk, "role": "mentee"}).status_code == 200


def _csv_rows(response: Any) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_csv_export_streams_the_figures_with_a_bom_and_suppresses_small_groups(
    client: Client, personas: Personas
) -> None:
    big = _built(personas, mentored=20, comparison=20)
    small = outcomes(programme=personas.programme, mentored=3, comparison=20, seed=3)
    outcome_results_compute(programme=personas.programme)
    client.force_login(personas.hr_analyst)
    response = client.get(reverse("evaluation:report_export", args=[personas.programme.pk, "csv"]))
    assert response.streaming
    header, *rows = _csv_rows(response)
    by_metric = {row[header.index("Metric")]: dict(zip(header, row, strict=True)) for row in rows}
    full, suppressed = by_metric[big.metric.name], by_metric[small.metric.name]
    did = OutcomeResult.objects.get(metric=big.metric).figures["did"]
    assert float(full["Difference in differences"]) == machine(did["value"])  # rounded as the page shows it
    assert full["Mentored n"] == "20"
    assert suppressed["Mentored n"] == "fewer than 5"
    assert suppressed["Mentored mean now"] == ""
    assert suppressed["Difference in differences"] == ""


def test_the_xlsx_export_holds_the_same_figures(client: Client, personas: Personas) -> None:
    o = _built(personas, mentored=20, comparison=20)
    client.force_login(personas.coordinator)
    response = client.get(reverse("evaluation:report_export", args=[o.programme.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    header, row = list(sheet.iter_rows(values_only=True))[:2]
    values = dict(zip(header, row, strict=True))
    assert values["Difference in differences"] == machine(OutcomeResult.objects.get().figures["did"]["value"])
    assert values["Metric"] == o.metric.name


def test_an_unknown_export_format_is_not_found(client: Client, personas: Personas) -> None:
    client.force_login(personas.coordinator)
    assert client.get(reverse("evaluation:report_export", args=[personas.programme.pk, "pdf"])).status_code == 404


def test_the_pdf_is_a_pdf_and_without_pango_the_page_says_why(
    client: Client, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    o = _built(personas, mentored=10, comparison=10)
    client.force_login(personas.coordinator)
    url = reverse("evaluation:report_pdf", args=[o.programme.pk])
    response = client.get(url)
    assert response.content.startswith(b"%PDF")
    real_import = builtins.__import__

    def no_weasyprint(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("weasyprint"):
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    response = client.get(url)
    assert response.status_code == 503
    assert "The PDF cannot be made on this server" in response.content.decode()


def test_charts_are_svg_without_inline_styles_or_scripts_and_escape_text() -> None:
    figures = {
        "groups": {
            "participant": {"suppressed": False, "empty": False, "baseline": {"mean": 45.0}, "current": {"mean": 37.0}},
            "comparison": {"suppressed": True, "empty": False},
        },
        "did": None,
    }
    labels = dict.fromkeys(("baseline", "now", "participant", "comparison", "did", "no_did", "no_figures"), "<b>x")
    svg = result_chart(figures, labels, title='"><script>alert(1)</script>')
    assert svg.startswith("<svg")
    assert "style=" not in svg
    assert "<script" not in svg
    assert "&lt;b&gt;x" in svg
    assert "37" in svg  # the mentored group's mean is drawn; the suppressed group is not
    assert svg.count("<line") == 3
