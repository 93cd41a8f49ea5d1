"""One way to write a figure: the sentence, the table, the chart and the exports of the outcome report show
the same rounded figures (half away from zero), pages in the reader's locale, exports with a dot; sentences
follow the direction each group moved; the return on investment is the programme's, once."""

from __future__ import annotations

import csv
import datetime
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from conftest import Personas
from evaluation.charts import result_chart
from evaluation.exports import header, result_cells
from evaluation.models import CostItem, EvaluationCycle, OutcomeMetric, OutcomeResult
from evaluation.reports import ResultRow, outcome_report
from evaluation.sentences import result_sentence
from evaluation.services.results import outcome_results_compute
from evaluation.templatetags.evaluation_tags import estimate
from evaluation.tests.outcome_helpers import outcomes
from people.figures import direction_of, machine, number, rounded
from programmes.models import BusinessGoal, Programme


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (85.55, None, "86"),
        (59.33, None, "59"),
        (111.77, None, "112"),
        (-8.998, None, "-9.0"),
        (2.675, 2, "2.68"),  # the binary float is 2.67499…; a person rounds the 2.675 they read
        (0.125, None, "0.13"),
        (-0.125, None, "-0.13"),  # away from zero on both sides
        (-0.004, None, "0.00"),  # never "-0.00"
        (12345.5, None, "12,346"),
        (None, None, "–"),
        (float("nan"), None, "–"),
    ],
)
def test_figures_round_half_away_from_zero_to_the_shown_precision(value: Any, places: Any, shown: str) -> None:
    assert number(value, places) == shown


def test_pages_write_the_readers_decimal_separator_and_exports_a_dot() -> None:
    with translation.override("id"):
        assert number(1234.55, 1) == "1.234,6"
        assert number(-8.998) == "-9,0"
    assert machine(1234.55, 1) == pytest.approx(1234.6)
    assert machine(85.55) == 86
    assert isinstance(machine(85.55), int)
    assert rounded(-0.05, 1) == Decimal("-0.1")
    assert (direction_of(0.004), direction_of(-3.2), direction_of(0.6)) == (0, -1, 1)


def _row(figures: dict[str, Any], *, kind: str = "continuous") -> ResultRow:
    """A result held in memory (nothing written): the report's parts render from it."""
    programme = Programme(name="Pilot")
    goal = BusinessGoal(programme=programme, statement="Sell more")
    metric = OutcomeMetric(goal=goal, programme=programme, name="Revenue", unit="IDR", direction="higher", kind=kind)
    cycle = EvaluationCycle(
        pk=1, programme=programme, kind="end", opens_on=datetime.date(2026, 1, 1), closes_on=datetime.date(2026, 2, 1)
    )
    return ResultRow(programme, goal, metric, cycle, figures, live=True)


def _group(pre: float, post: float, n: int = 40) -> dict[str, Any]:
    change = {"value": post - pre, "ci_low": post - pre - 1, "ci_high": post - pre + 1, "n": n, "level": 0.95}
    return {
        "n": n,
        "suppressed": False,
        "empty": False,
        "baseline": {"n": n, "mean": pre, "sd": 3.0},
        "current": {"n": n, "mean": post, "sd": 3.0},
        "change": change,
    }


def _figures(did: tuple[float, float, float], p: tuple[float, float], c: tuple[float, float]) -> dict[str, Any]:
    value, low, high = did
    estimate_ = {"value": value, "ci_low": low, "ci_high": high, "n_treated": 40, "n_comparison": 50, "level": 0.95}
    groups = {"participant": _group(*p), "comparison": _group(*c, n=50)}
    return {"kind": "continuous", "did": estimate_, "groups": groups, "suppressed": False, "roi": None}


def _svg_texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_the_sentence_table_chart_and_csv_of_one_result_show_the_same_rounded_figures() -> None:
    row = _row(_figures((85.55, 59.33, 111.77), (100.0, 190.0), (100.0, 104.45)))
    assert "raised their revenue by 86 IDR more than the comparison group (95% CI 59 to 112;" in row.sentence
    assert estimate(row.did) == "86 (59 to 112)"
    texts = _svg_texts(str(row.chart))
    assert {"86", "59", "112"} <= set(texts)
    cells = dict(zip(header(), result_cells(row), strict=True))
    assert (cells["Difference in differences"], cells["DiD CI low"], cells["DiD CI high"]) == (86, 59, 112)


def test_a_fall_of_nine_days_is_told_as_nine_not_eight_point_nine() -> None:
    figures = _figures((-8.998, -12.0, -6.0), (30.0, 20.0), (30.0, 29.0))
    sentence = result_sentence("Sales cycle", "days", "lower", figures)
    assert "cut their sales cycle by 9.0 days more" in sentence
    assert "95% CI 6.0 to 12.0" in sentence
    chart = _svg_texts(result_chart(figures, dict.fromkeys(("baseline", "now", "participant", "comparison", "did",
                                                            "no_did", "no_figures"), "x")))  # fmt: skip
    assert "-9.0" in chart


def test_when_both_groups_fell_the_sentence_says_so_and_who_it_favours() -> None:
    # Retention (higher is better) fell for everyone, by 3 points for the mentored and 8 for the others.
    fell = _figures((5.0, 2.0, 8.0), (90.0, 87.0), (90.0, 82.0))
    sentence = result_sentence("Retention", "%", "higher", fell)
    assert "raised" not in sentence
    assert "Mentored participants' retention fell by 5.0 % less than the comparison group's" in sentence
    assert "That favours the mentored participants." in sentence
    # Days in the sales cycle (lower is better) rose for both, more for the mentored: worse, and said so.
    rose = _figures((4.0, 1.0, 7.0), (30.0, 40.0), (30.0, 36.0))
    assert "grew by 4.0 days more than the comparison group's" in result_sentence("Sales cycle", "days", "lower", rose)
    both_rose_less = _figures((-4.0, -7.0, -1.0), (30.0, 32.0), (30.0, 36.0))
    text = result_sentence("Sales cycle", "days", "lower", both_rose_less)
    assert "rose by 4.0 days less than the comparison group's" in text
    assert "That favours the mentored participants." in text
    steady = _figures((6.0, 2.0, 10.0), (50.0, 50.001), (50.0, 44.0))
    assert "held steady while the comparison group's fell by 6.0" in result_sentence("Revenue", "IDR", "higher", steady)


def _report_parts(body: str) -> dict[str, str]:
    sentence = re.search(r'data-testid="sentence">([^<]*)<', body)
    did = re.search(r'data-testid="did">([^<]*)<', body)
    assert sentence
    assert did
    return {"sentence": sentence.group(1), "did": did.group(1)}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "id"])
def test_the_outcome_reports_sentence_table_chart_and_csv_agree(
    client: Client, personas: Personas, language: str
) -> None:
    o = outcomes(programme=personas.programme, mentored=42, comparison=57)
    outcome_results_compute(programme=o.programme)
    did = OutcomeResult.objects.get().figures["did"]
    personas.hr_analyst.preferred_language = language
    personas.hr_analyst.save()
    client.force_login(personas.hr_analyst)
    parts = _report_parts(client.get(reverse("evaluation:report", args=[o.programme.pk])).content.decode())
    svg_texts = _svg_texts(client.get(reverse("evaluation:report", args=[o.programme.pk])).content.decode())
    response = client.get(reverse("evaluation:report_export", args=[o.programme.pk, "csv"]))
    text = b"".join(response.streaming_content).decode()[1:]  # type: ignore[attr-defined]
    _head, row = list(csv.reader(io.StringIO(text)))[:2]
    places = 0 if abs(did["value"]) >= 10 else 1
    keys = ("value", "ci_low", "ci_high")
    with translation.override(language):
        size = number(-did["value"])  # the sentence tells a fall as a positive size
        shown = [number(did[k], places) for k in keys]
        columns = [header().index(name) for name in (_("Difference in differences"), _("DiD CI low"), _("DiD CI high"))]
    assert places == 1 or language == "en" or "," not in size
    assert size in parts["sentence"]
    assert parts["did"] == f"{shown[0]} ({shown[1]} {'hingga' if language == 'id' else 'to'} {shown[2]})"
    assert set(shown) <= set(svg_texts)
    exported = [row[i] for i in columns]
    assert exported == [str(machine(did[k], places)) for k in keys]
    separator = "," if language == "id" else "."
    assert [e.replace(".", separator) for e in exported] == shown


@pytest.mark.django_db
def test_the_return_on_investment_is_the_programmes_with_each_metrics_benefit_a_part_of_it(
    client: Client, personas: Personas
) -> None:
    first = outcomes(programme=personas.programme, mentored=20, comparison=20)
    second = outcomes(programme=personas.programme, mentored=20, comparison=20, seed=11)
    for o, value in ((first, 1000), (second, 400)):
        o.metric.value_per_unit = value
        o.metric.save()
    CostItem.objects.create(programme=personas.programme, description="Coordinator time", amount=50_000)
    CostItem.objects.create(programme=personas.programme, description="Venue", amount=10_000)
    outcome_results_compute(programme=personas.programme)
    benefits = [r.figures["roi"]["benefit"] for r in OutcomeResult.objects.order_by("metric__name")]
    total = sum(benefits)
    (report,) = outcome_report(programmes=[personas.programme])
    (roi,) = report.roi
    assert roi.figures["costs"] == 60_000
    assert roi.figures["roi_percent"] == pytest.approx((total - 60_000) / 60_000 * 100)
    assert sorted(p.benefit for p in roi.parts) == pytest.approx(sorted(benefits))
    assert sum(p.share or 0 for p in roi.parts) == pytest.approx(1.0)
    client.force_login(personas.hr_analyst)
    body = client.get(reverse("evaluation:report", args=[personas.programme.pk])).content.decode()
    assert body.count('data-testid="roi"') == 1  # one ROI for the programme, not one per metric
    assert f"The programme returned {number(roi.figures['roi_percent'], 0)}%" in body
    assert f"fully loaded costs of {number(60_000, 0)}" in body
