"""Moving one person to another org unit between two exports gives nothing away (issue 12, the last attack).

The attack: every filter of the outcome report used each person's *current* org unit. An HR analyst
exported the report, moved one person into a unit whose figure was shown, with the people import, and
exported again: that unit's figure before and after differed by exactly that person, so subtracting
n × mean (and n × change) gave their own values. Complementary suppression could not see it: each export
on its own was safe; the difference lies between two moments.

Now a person counts, for a programme, in the org unit frozen when they joined it (their enrolment
accepted, or the comparison group frozen), with the units above it then (evaluation.report_disclosure).

The test drives a programme from an HRIS file to its results through the services (evaluation.tests.flow),
takes every export the report offers under every filter combination (org unit × role × cycle): CSV, XLSX,
the print page (the PDF is this page rendered), a background export job, the cross-programme CSV, and
the API; moves one comparison-group member with the real people import, as the HR analyst, into the unit
whose figure was shown; takes them all again; and subtracts every pair of shown figures (any two filter
combinations, any two sources, before or after). No difference covers 1 to 4 people, and nothing changed.

It then shows the same steps against the old behaviour, on the same data: with the frozen units cleared,
every row falls back to where the directory puts the person now, which is exactly what every filter read
before. Moving the person back recovers their own change since baseline to within the rounding of the
shown figures. (Checked also by reverting evaluation/report_disclosure.py to its version before the
freeze: the first half of the test then fails at `assert after == before`.)
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from evaluation.models import ComparisonMember, EvaluationCycle, OutcomeMetric
from evaluation.services.exports import export_job_build
from evaluation.tests.flow import PEOPLE, UNITS, Flow, email
from people.models import BackgroundJob, OrgUnit, User
from people.services.hris_import import people_import
from programmes.models import Enrolment

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(900)]  # ~300 requests on a shared, loaded machine

CELLS = {"participant": "Mentored", "comparison": "Comparison"}
LABELS = {"Mentored mentees (per protocol)": "participant", "Comparison group": "comparison"}
MOVED = "head.sales"  # a comparison-group member who sits in Sales itself, above its two teams

Filter = tuple[str, str, str]  # (org unit code or "", role, cycle id or "")


@dataclass(frozen=True)
class Shown:
    """One group's figure as an export shows it: n, and (from the CSV and XLSX) the means and the change."""

    n: int
    baseline: float | None = None
    now: float | None = None
    change: float | None = None


# (source, filter, metric id, cycle id, cell) → the figure shown, for every cell that shows one.
Exports = dict[tuple[str, Filter, int, int, str], Shown]


def _hris_file(moves: dict[str, str]) -> bytes:
    """The organisation's HRIS file (evaluation.tests.flow) with some people in another unit."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["email", "full_name", "job_title", "grade", "org_unit_code", "org_unit_name", "parent_org_unit_code",
         "manager_email", "languages", "time_zone"]
    )  # fmt: skip
    for local, name, title, grade, unit, manager in PEOPLE:
        unit = moves.get(local, unit)
        unit_name, parent = UNITS[unit]
        writer.writerow(
            [email(local), name, title, grade, unit, unit_name, parent, email(manager) if manager else "", "id, en",
             "Asia/Jakarta"]
        )  # fmt: skip
    return out.getvalue().encode("utf-8")


def _move(flow: Flow, local: str, unit: str) -> None:
    """HR moves one person with the people import (the whole HRIS file, that one row changed)."""
    result = people_import(actor=flow.hr, content=_hris_file({local: unit}))
    assert not result.problems, result.problems
    assert User.objects.get(email=email(local)).org_unit == OrgUnit.objects.get(code=unit)


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _table_rows(rows: list[dict[str, Any]], keys: dict[tuple[str, str], tuple[int, int]]) -> Iterator[Any]:
    """(metric id, cycle id, cell, figure) of a CSV or XLSX table's shown cells."""
    for row in rows:
        metric, cycle = keys[(str(row["Metric"]), str(row["Cycle"]))]
        for cell, prefix in CELLS.items():
            n = row[f"{prefix} n"]
            n = int(n) if isinstance(n, int) or (isinstance(n, str) and n.isdigit()) else None
            if n:
                change = row["Mentored change"] if cell == "participant" else row["Comparison change"]
                yield (
                    metric,
                    cycle,
                    cell,
                    Shown(
                        n, _number(row[f"{prefix} baseline mean"]), _number(row[f"{prefix} mean now"]), _number(change)
                    ),
                )


def _csv_rows(content: bytes) -> list[dict[str, Any]]:
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8").lstrip("\ufeff"))))
    for row in rows:  # the CSV writes numbers as text
        for key, value in row.items():
            if re.fullmatch(r"-?\d+(\.\d+)?", value or ""):
                row[key] = float(value) if "." in value else int(value)
    return rows


def _xlsx_rows(content: bytes) -> list[dict[str, Any]]:
    header, *rows = load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


ARTICLE = re.compile(
    r'<article class="report-result[^"]*" data-metric="(\d+)" data-cycle="(\d+)">(.*?)</article>', re.S
)
ROW = re.compile(r'<tr><th scope="row">([^<]*)</th>(.*?)</tr>', re.S)
N = re.compile(r'data-testid="n">(\d+)<')


def _page_rows(html: str) -> Iterator[Any]:
    """(metric id, cycle id, cell, figure) of the print page's shown cells (n; the means are the CSV's)."""
    for metric, cycle, body in ARTICLE.findall(html):
        for label, cells in ROW.findall(body):
            if label in LABELS and (n := N.search(cells)):
                yield int(metric), int(cycle), LABELS[label], Shown(int(n.group(1)))


def _exports(client: Client, flow: Flow, settings: Any, *, every: bool = True) -> Exports:
    """Every export the report offers, under every filter combination it offers, as the HR analyst sees them
    (without `every`: the CSV under every org unit × role only)."""
    programme = flow.programme
    cycles = list(EvaluationCycle.objects.filter(programme=programme).exclude(kind="baseline"))
    metrics = list(OutcomeMetric.objects.filter(programme=programme))
    units = ["", *OrgUnit.objects.order_by("code").values_list("code", flat=True)]
    by_code = dict(OrgUnit.objects.values_list("code", "pk"))
    found: Exports = {}

    def params(f: Filter) -> dict[str, Any]:
        return {"org_unit": by_code.get(f[0], ""), "role": f[1], "cycle": f[2]}

    def keys(response: Any) -> dict[tuple[str, str], tuple[int, int]]:
        with translation.override(response.get("Content-Language", "en")):
            return {(m.name, str(c.get_kind_display())): (m.pk, c.pk) for c in cycles for m in metrics}

    def add(source: str, f: Filter, rows: Iterator[Any]) -> None:
        for metric, cycle, cell, shown in rows:
            found[(source, f, metric, cycle, cell)] = shown

    settings.EVALUATION_EXPORT_INLINE_ROWS = 10_000
    for f in [(u, r, str(c.pk) if c else "") for u in units for r in ("", "mentee", "mentor") for c in [None, *cycles]]:
        if f[2] and not every:
            continue
        csv_response = client.get(reverse("evaluation:report_export", args=[programme.pk, "csv"]), params(f))
        add("csv", f, _table_rows(_csv_rows(b"".join(csv_response.streaming_content)), keys(csv_response)))
        if f[2]:  # a cycle only picks which cycles are listed (the CSV shows it); the rest once per unit × role
            continue
        if not every:
            continue
        xlsx = client.get(reverse("evaluation:report_export", args=[programme.pk, "xlsx"]), params(f))
        add("xlsx", f, _table_rows(_xlsx_rows(xlsx.content), keys(xlsx)))
        page = client.get(reverse("evaluation:report_print", args=[programme.pk]), params(f))
        add("print", f, _page_rows(page.content.decode()))
        if f[1:] == ("", ""):  # the cross-programme export, and a background job, per org unit
            every = client.get(reverse("evaluation:reports_export", args=["csv"]), params(f))
            add("all-csv", f, _table_rows(_csv_rows(b"".join(every.streaming_content)), keys(every)))
            settings.EVALUATION_EXPORT_INLINE_ROWS = 0
            response = client.get(reverse("evaluation:report_export", args=[programme.pk, "csv"]), params(f))
            job = BackgroundJob.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
            assert export_job_build(job_id=job.pk) == BackgroundJob.State.DONE
            job.refresh_from_db()
            add("job", f, _table_rows(_csv_rows(job.file.read()), keys(response)))
            settings.EVALUATION_EXPORT_INLINE_ROWS = 10_000
    if not every:
        return found
    for result in client.get("/api/results/", {"programme": programme.pk}).json()["results"]:  # unfiltered only
        for cell in CELLS:
            group = result["figures"]["groups"][cell]
            if not group.get("suppressed") and group.get("n"):
                metric, cycle = (
                    key["id"] if isinstance(key, dict) else key for key in (result["metric"], result["cycle"])
                )
                found[("api", ("", "", ""), metric, cycle, cell)] = Shown(group["n"])
    return found


def _small_differences(*exports: Exports) -> list[tuple[Any, Any, int]]:
    """Every pair of shown figures of the same result and group whose sizes differ by 1 to 4 people: what a
    subtraction would give away (any two filter combinations, any two sources, any of the exports)."""
    pooled: dict[tuple[int, int, str], list[tuple[Any, Shown]]] = defaultdict(list)
    for i, export in enumerate(exports):
        for (source, f, metric, cycle, cell), shown in export.items():
            pooled[(metric, cycle, cell)].append(((i, source, f), shown))
    return [
        (a, b, sa.n - sb.n)
        for figures in pooled.values()
        for a, sa in figures
        for b, sb in figures
        if 0 < sa.n - sb.n < 5
    ]


def _programme() -> Flow:
    """A programme from the HRIS file to its end-cycle results, through the services the pages call."""
    flow = Flow.start()
    flow.design()
    flow.recruit()
    flow.apply()
    flow.approve()
    flow.screen()
    flow.baselines()
    flow.freeze_comparison()
    flow.orient()
    flow.match()
    flow.accept()
    flow.sign_agreements()
    flow.log_sessions()
    flow.end_values()
    flow.results()
    return flow


def test_moving_one_person_between_two_exports_recovers_nobody(client: Client, settings: Any) -> None:
    flow = _programme()
    moved = User.objects.get(email=email(MOVED))
    assert moved in flow.comparison
    assert moved.org_unit is not None
    assert moved.org_unit.code == "SAL"
    # Frozen when the programme took them in: participants at acceptance, the comparison group at its freeze.
    sales = OrgUnit.objects.get(code="SAL")
    member = ComparisonMember.objects.get(group__programme=flow.programme, person=moved)
    assert (member.frozen_org_unit, member.frozen_org_path) == (sales, [sales.pk, sales.parent_id])
    assert not Enrolment.objects.filter(programme=flow.programme, frozen_org_path__isnull=True).exists()
    client.force_login(flow.hr)

    before = _exports(client, flow, settings)
    sources = {key[0] for key in before}
    assert sources == {"csv", "xlsx", "print", "all-csv", "job", "api"}
    # The attacker's pick: the Sales team whose comparison-group figure is shown (the other one is withheld,
    # since with it the head of Sales would be a group of one).
    [team] = {f[0] for (source, f, _m, _c, cell) in before if cell == "comparison" and f[0].startswith("SAL-")}
    _move(flow, MOVED, team)
    after = _exports(client, flow, settings)

    # Every export under every filter shows what it showed before the move: the difference is nobody.
    assert after == before
    # And no two shown figures, before or after, differ by 1 to 4 people: nothing to subtract.
    assert _small_differences(before, after) == []
    shown_n = {shown.n for (_s, _f, _m, _c, cell), shown in before.items() if cell == "comparison"}
    assert shown_n == {len(flow.comparison), 5}, "the filters still show much of the report"

    # The same steps against the old behaviour: clear the frozen units, so every filter reads the
    # directory's current units, as they all did before. The person now sits in the team; move them back.
    Enrolment.objects.filter(programme=flow.programme).update(frozen_org_unit=None, frozen_org_path=None)
    ComparisonMember.objects.filter(group__programme=flow.programme).update(frozen_org_unit=None, frozen_org_path=None)
    old_before = _exports(client, flow, settings, every=False)
    _move(flow, MOVED, "SAL")
    old_after = _exports(client, flow, settings, every=False)
    leaks = [
        (a, b)
        for a, b, n in _small_differences(old_before, old_after)
        if n == 1 and a[0] == 0 and b[0] == 1 and a[1:] == b[1:]  # one filter, before and after the move
    ]
    assert leaks, "the old behaviour gave one person away"
    metric, cycle = flow.metric.pk, flow.end_cycle.pk  # type: ignore[union-attr]
    own_change = flow.end[moved.pk] - flow.baseline[moved.pk]
    for (_i, source, f), _b in leaks:
        one, other = (export[(source, f, metric, cycle, "comparison")] for export in (old_before, old_after))
        assert (f[0], one.n, other.n) == (team, 6, 5)
        recovered = one.n * one.change - other.n * other.change  # type: ignore[operator]
        rounding = (one.n + other.n) * 0.05  # the change is shown to one decimal
        assert abs(recovered - own_change) <= rounding + 1e-9, "their own change, to within the rounding"
    assert {f[:2] for (_i, _source, f), _b in leaks} == {(team, role) for role in ("", "mentee", "mentor")}
