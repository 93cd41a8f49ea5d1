"""Baselines: the file import (all or nothing, row-numbered errors, idempotent), entry by hand, the summary."""

from __future__ import annotations

import datetime
import statistics
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluation.models import Observation
from evaluation.selectors import baseline_summary_for_programme
from evaluation.services import EvaluationError, baseline_import, baseline_record
from evaluation.services.baseline_csv import MAX_BYTES
from evaluation.tests.conftest import Evaluated, upload
from evaluation.tests.factories import GoalFactory, MetricFactory
from people.tests.factories import UserFactory
from programmes.models import Enrolment, Programme
from programmes.tests.factories import EnrolmentFactory

HEADER = "email,metric,value,period_end\n"


def good_row(e: Evaluated) -> str:
    return f"{e.p.mentee.email},Sales cycle length,42,2026-03-31\n"


def errors_of(response: Any) -> str:
    """The import error box of a rejected upload (the page answers 400 and lists the problems)."""
    assert response.status_code == 400
    body = response.content.decode()
    start = body.find('data-testid="import-errors"')
    assert start != -1, "the page shows the import errors"
    return body[start : body.find("</div>", start)]


# --- good files ---------------------------------------------------------------------------------


def test_a_good_file_imports_every_row_for_participants_and_the_comparison_group(
    coordinator_client: Client, evaluated: Evaluated
) -> None:
    e = evaluated
    text = (
        HEADER
        + f"{e.p.mentee.email},Sales cycle length,42,2026-03-31\n"
        + f"{e.p.mentor.email},sales cycle LENGTH,30.5,2026-03-31\n"
        + f"{e.sellers[0].email},{e.retention.pk},1,2026-03-31\n"
    )
    response = upload(coordinator_client, e.programme, text)
    assert response.status_code == 302
    rows = {(o.person_id, o.metric_id): o for o in Observation.objects.all()}
    assert rows[(e.p.mentee.pk, e.cycle.pk)].value == 42
    assert rows[(e.p.mentee.pk, e.cycle.pk)].group == Observation.Group.PARTICIPANT
    assert rows[(e.p.mentor.pk, e.cycle.pk)].value == 30.5
    assert rows[(e.sellers[0].pk, e.retention.pk)].group == Observation.Group.COMPARISON
    assert rows[(e.sellers[0].pk, e.retention.pk)].source == Observation.Source.IMPORT
    assert rows[(e.sellers[0].pk, e.retention.pk)].recorded_by == e.p.coordinator
    follow = coordinator_client.get(response["Location"])
    assert "3 new baselines, 0 updated, 0 unchanged" in follow.content.decode()


def test_reimporting_the_same_file_changes_nothing(coordinator_client: Client, evaluated: Evaluated) -> None:
    e = evaluated
    text = HEADER + good_row(evaluated) + f"{e.sellers[1].email},Deals closed,7,2026-03-31\n"
    upload(coordinator_client, e.programme, text)
    before = list(Observation.objects.order_by("pk").values_list("pk", "value", "recorded_at"))
    result = baseline_import(actor=e.p.coordinator, programme=e.programme, data=text.encode())
    after = list(Observation.objects.order_by("pk").values_list("pk", "value", "recorded_at"))
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert after == before


def test_reimporting_a_changed_value_updates_it_and_never_duplicates(evaluated: Evaluated) -> None:
    e = evaluated
    baseline_import(actor=e.p.coordinator, programme=e.programme, data=(HEADER + good_row(e)).encode())
    changed = HEADER + f"{e.p.mentee.email},Sales cycle length,40,2026-04-30\n"
    result = baseline_import(actor=e.p.coordinator, programme=e.programme, data=changed.encode())
    assert (result.created, result.updated) == (0, 1)
    only = Observation.objects.get()
    assert (only.value, only.period_end) == (40, datetime.date(2026, 4, 30))


def test_an_excel_file_with_byte_order_mark_semicolons_and_crlf_imports(evaluated: Evaluated) -> None:
    e = evaluated
    text = (
        "\ufeffE-mail;Metric;Value;Period end\r\n" + f"{e.p.mentee.email.upper()};Sales cycle length;42;2026-03-31\r\n"
    )
    result = baseline_import(actor=e.p.coordinator, programme=e.programme, data=text.encode())
    assert result.created == 1
    assert Observation.objects.get().person == e.p.mentee


def test_empty_rows_are_skipped_and_the_group_column_may_confirm_the_group(evaluated: Evaluated) -> None:
    e = evaluated
    text = (
        "email,metric,value,period_end,group\n\n"
        + f"{e.p.mentee.email},Sales cycle length,42,2026-03-31,participant\n"
        + ",,,,\n"
        + f"{e.sellers[0].email},Sales cycle length,44,2026-03-31,comparison\n"
    )
    assert baseline_import(actor=e.p.coordinator, programme=e.programme, data=text.encode()).created == 2


def test_the_downloaded_template_comes_back_unchanged(coordinator_client: Client, evaluated: Evaluated) -> None:
    e = evaluated
    baseline_record(
        actor=e.p.coordinator, metric=e.cycle, person=e.p.mentee, value=1250000.5, period_end=datetime.date(2026, 3, 31)
    )
    response = coordinator_client.get(reverse("evaluation:baseline_template", args=[e.programme.pk]))
    body = response.content.decode("utf-8-sig")
    assert f"{e.p.mentee.email},Sales cycle length,1250000.5,2026-03-31,participant" in body
    assert body.count("\n") == 1 + 3 * 8  # header + 3 metrics × (2 participants + 6 comparison members)
    filled = "\n".join(
        line if line.split(",")[2] else line.replace(",,,", ",1,2026-03-31,", 1) for line in body.splitlines()
    )
    first = baseline_import(actor=e.p.coordinator, programme=e.programme, data=filled.encode())
    assert (first.created, first.unchanged) == (23, 1)
    again = baseline_import(actor=e.p.coordinator, programme=e.programme, data=filled.encode())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 24)


# --- bad rows: each kind gives its row number and writes nothing ----------------------------------


def _bad_rows(e: Evaluated) -> dict[str, tuple[str, str]]:
    other = Programme.objects.get(pk=e.p.other_programme.pk)
    foreign = MetricFactory(goal=GoalFactory(programme=other), name="Engineering velocity")
    # The good row before the bad one is the mentee's sales cycle; the bad rows are about someone else.
    mentee, seller = e.p.mentor.email, e.sellers[0].email
    stranger = UserFactory(email="stranger@example.co.id").email
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    enrolled_since = e.sellers[2]
    EnrolmentFactory(
        programme=e.programme, person=enrolled_since, role=Enrolment.Role.MENTEE, state=Enrolment.State.SCREENING
    )
    return {
        "unknown person": ("nobody@example.co.id,Sales cycle length,3,2026-03-31", "No one in the people directory"),
        "empty e-mail": (",Sales cycle length,3,2026-03-31", "The e-mail is empty"),
        "unknown metric": (f"{mentee},Customer happiness,3,2026-03-31", "has no metric “Customer happiness”"),
        "metric of another programme by name": (f"{mentee},engineering velocity,3,2026-03-31", "another programme"),
        "metric of another programme by number": (f"{mentee},{foreign.pk},3,2026-03-31", "another programme"),
        "bad number": (f"{mentee},Sales cycle length,forty,2026-03-31", "not a number"),
        "thousands separator": (f'{mentee},Sales cycle length,"1,250",2026-03-31', "not a number"),
        "not finite": (f"{mentee},Sales cycle length,nan,2026-03-31", "not a number"),
        "rate above 1": (f"{mentee},12-month retention,85,2026-03-31", "A rate is between 0 and 1"),
        "count not whole": (f"{mentee},Deals closed,2.5,2026-03-31", "A count is a whole number"),
        "bad date": (f"{mentee},Sales cycle length,3,31/03/2026", "YYYY-MM-DD"),
        "impossible date": (f"{mentee},Sales cycle length,3,2026-02-30", "YYYY-MM-DD"),
        "future date": (f"{mentee},Sales cycle length,3,{tomorrow}", "in the future"),
        "duplicate row": (f"{e.p.mentee.email.upper()},sales cycle length,5,2026-03-31", "Row 2 already gives"),
        "neither participant nor comparison": (
            f"{stranger},Sales cycle length,3,2026-03-31",
            "neither accepted into this programme nor in its frozen comparison group",
        ),
        "comparison member enrolled since": (
            f"{enrolled_since.email},Sales cycle length,3,2026-03-31",
            "has since applied to the programme",
        ),
        "too few values": (f"{mentee},Sales cycle length,3", "has 3 values; the header has 4 columns"),
        "too many values": (f"{seller},Sales cycle length,3,2026-03-31,extra", "has 5 values"),
    }


BAD_ROW_KINDS = [
    "unknown person",
    "empty e-mail",
    "unknown metric",
    "metric of another programme by name",
    "metric of another programme by number",
    "bad number",
    "thousands separator",
    "not finite",
    "rate above 1",
    "count not whole",
    "bad date",
    "impossible date",
    "future date",
    "duplicate row",
    "neither participant nor comparison",
    "comparison member enrolled since",
    "too few values",
    "too many values",
]


@pytest.mark.parametrize("kind", BAD_ROW_KINDS)
def test_a_bad_row_is_reported_with_its_row_number_and_nothing_is_written(
    coordinator_client: Client, evaluated: Evaluated, kind: str
) -> None:
    e = evaluated
    line, expected = _bad_rows(e)[kind]
    text = HEADER + good_row(e) + line + "\n" + f"{e.sellers[3].email},Deals closed,4,2026-03-31\n"
    box = errors_of(upload(coordinator_client, e.programme, text))
    assert "Row 3:" in box
    assert expected in box.replace("&#x27;", "'").replace("&quot;", '"')
    assert "Row 2:" not in box, "the good row before it is not blamed"
    assert "Row 4:" not in box, "the good row after it is not blamed"
    assert not Observation.objects.exists()


def test_group_column_must_name_a_group_and_match_the_person(evaluated: Evaluated) -> None:
    e = evaluated
    text = (
        "email,metric,value,period_end,group\n"
        + f"{e.p.mentee.email},Sales cycle length,3,2026-03-31,comparison\n"
        + f"{e.sellers[0].email},Sales cycle length,3,2026-03-31,treated\n"
    )
    with pytest.raises(EvaluationError) as caught:
        baseline_import(actor=e.p.coordinator, programme=e.programme, data=text.encode())
    errors = {(err.row, err.message) for err in caught.value.errors}  # type: ignore[attr-defined]
    assert any(row == 2 and "not the comparison group" in message for row, message in errors)
    assert any(row == 3 and "“participant” or “comparison”" in message for row, message in errors)
    assert not Observation.objects.exists()


def test_every_bad_row_is_listed_not_only_the_first(evaluated: Evaluated) -> None:
    e = evaluated
    text = HEADER + "".join(f"nobody{i}@example.co.id,Sales cycle length,3,2026-03-31\n" for i in range(7))
    with pytest.raises(EvaluationError) as caught:
        baseline_import(actor=e.p.coordinator, programme=e.programme, data=text.encode())
    assert [err.row for err in caught.value.errors] == list(range(2, 9))  # type: ignore[attr-defined]


# --- bad files: a clear message, never a 500, nothing written -------------------------------------

BAD_FILES: dict[str, tuple[bytes, str]] = {
    "empty file": (b"", "The file is empty"),
    "only blank lines": (b"\n\n  \n", "The file is empty"),
    "header only": (HEADER.encode(), "a header but no value rows"),
    "missing column": (b"email,metric,value\nx@example.co.id,Deals closed,3\n", "lacks the column(s): period_end"),
    "unknown column": (b"email,metric,value,period_end,notes\n", "Unknown column(s) notes"),
    "column named twice": (b"email,metric,value,period_end,email\n", "named twice: email"),
    "not UTF-8": ("email,metric,value,period_end\nJosé,Deals,3,2026-03-31\n".encode("latin-1"), "not UTF-8"),
    "UTF-16": ("email,metric,value,period_end\n".encode("utf-16"), "UTF-16"),
    "a workbook": (b"PK\x03\x04" + b"\x00" * 100, "spreadsheet workbook"),
    "binary data": (b"email,metric,value,period_end\n\x00\x01\x02,a,1,2026-01-01\n", "binary data"),
    "broken quoting": (b'email,metric,value,period_end\n"a@b.co,"x"y,1,2026-03-31\n', "cannot be read as CSV"),
    "oversized": (HEADER.encode() + b"x" * MAX_BYTES, "larger than 2 MB"),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_a_bad_file_gets_a_clear_message_and_writes_nothing(
    coordinator_client: Client, evaluated: Evaluated, kind: str
) -> None:
    data, expected = BAD_FILES[kind]
    response = upload(coordinator_client, evaluated.programme, data)
    assert response.status_code == 400
    assert expected in response.content.decode().replace("&#x27;", "'")
    assert not Observation.objects.exists()


def test_the_line_of_the_first_non_utf8_byte_is_named(evaluated: Evaluated) -> None:
    data = (HEADER + "a@example.co.id,Deals closed,3,2026-03-31\n").encode() + "é,x,1,2026-01-01\n".encode("latin-1")
    with pytest.raises(EvaluationError) as caught:
        baseline_import(actor=evaluated.p.coordinator, programme=evaluated.programme, data=data)
    assert caught.value.errors[0].row == 3  # type: ignore[attr-defined]


def test_posting_without_a_file_asks_for_one(coordinator_client: Client, evaluated: Evaluated) -> None:
    response = coordinator_client.post(reverse("evaluation:baseline_import", args=[evaluated.programme.pk]), {})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()


# --- entry by hand ----------------------------------------------------------------------------------


def _add(client: Client, e: Evaluated, email: str, value: str, period_end: str = "2026-03-31") -> Any:
    prefix = f"m{e.cycle.pk}"
    url = reverse("evaluation:baseline_add", args=[e.programme.pk, e.cycle.pk])
    return client.post(url, {f"{prefix}-email": email, f"{prefix}-value": value, f"{prefix}-period_end": period_end})


def test_a_coordinator_enters_a_baseline_by_hand_and_entering_again_corrects_it(
    coordinator_client: Client, evaluated: Evaluated
) -> None:
    e = evaluated
    assert _add(coordinator_client, e, e.sellers[0].email, "12").status_code == 302
    assert _add(coordinator_client, e, e.sellers[0].email.upper(), "14").status_code == 302
    only = Observation.objects.get()
    assert (only.value, only.group, only.source) == (14, "comparison", "manual")


@pytest.mark.parametrize(
    ("email", "value", "message"),
    [
        ("nobody@example.co.id", "3", "No one in the people directory"),
        ("outsider@example.co.id", "3", "neither accepted into this programme"),
        ("mentee@example.co.id", "three", "Write a plain number"),
        ("mentee@example.co.id", "-1e999", "Write a plain number"),
    ],
)
def test_a_wrong_entry_by_hand_says_why_and_writes_nothing(
    coordinator_client: Client, evaluated: Evaluated, email: str, value: str, message: str
) -> None:
    response = _add(coordinator_client, evaluated, email, value)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Observation.objects.exists()


def test_a_baseline_for_a_metric_of_another_programme_is_not_found(
    coordinator_client: Client, evaluated: Evaluated
) -> None:
    foreign = MetricFactory(goal=GoalFactory(programme=evaluated.p.other_programme))
    url = reverse("evaluation:baseline_add", args=[evaluated.programme.pk, foreign.pk])
    assert coordinator_client.post(url, {}).status_code == 404


# --- read-only once the programme leaves implementation ------------------------------------------------


@pytest.mark.parametrize("phase", ["evaluation", "closed", "cancelled"])
def test_baselines_are_read_only_once_the_programme_leaves_implementation(
    coordinator_client: Client, evaluated: Evaluated, phase: str
) -> None:
    e = evaluated
    Programme.objects.filter(pk=e.programme.pk).update(phase=phase)
    e.programme.refresh_from_db()
    response = upload(coordinator_client, e.programme, HEADER + good_row(e))
    assert response.status_code == 302
    page = coordinator_client.get(response["Location"]).content.decode()
    assert "can no longer change" in page
    assert "baselines/import/" not in page, "the import form is hidden"
    assert "baselines/add/" not in page, "the entry forms are hidden"
    assert _add(coordinator_client, e, e.p.mentee.email, "3").status_code == 400
    with pytest.raises(EvaluationError, match="can no longer change"):
        baseline_record(
            actor=e.p.coordinator, metric=e.cycle, person=e.p.mentee, value=3, period_end=datetime.date(2026, 3, 31)
        )
    assert not Observation.objects.exists()


def test_on_hold_counts_as_the_phase_it_left(evaluated: Evaluated) -> None:
    e = evaluated
    Programme.objects.filter(pk=e.programme.pk).update(phase="on_hold", phase_before_hold="needs_assessment")
    e.programme.refresh_from_db()
    baseline_record(
        actor=e.p.coordinator, metric=e.cycle, person=e.p.mentee, value=3, period_end=datetime.date(2026, 3, 31)
    )
    Programme.objects.filter(pk=e.programme.pk).update(phase_before_hold="evaluation")
    e.programme.refresh_from_db()
    with pytest.raises(EvaluationError):
        baseline_record(
            actor=e.p.coordinator, metric=e.cycle, person=e.p.mentee, value=4, period_end=datetime.date(2026, 3, 31)
        )
    assert Observation.objects.get().value == 3


# --- the summary ------------------------------------------------------------------------------------


def _record_many(e: Evaluated, values: dict[str, list[float]]) -> None:
    """Participants' and comparison members' baselines of the sales cycle (makes participants as needed)."""
    participants = [e.p.mentee, e.p.mentor]
    while len(participants) < len(values.get("participant", [])):
        person = UserFactory()
        EnrolmentFactory(programme=e.programme, person=person, role=Enrolment.Role.MENTEE)
        participants.append(person)
    people = {"participant": participants, "comparison": e.sellers}
    lines = [
        f"{people[group][i].email},Sales cycle length,{value!r},2026-03-31"
        for group, series in values.items()
        for i, value in enumerate(series)
    ]
    baseline_import(actor=e.p.coordinator, programme=e.programme, data=(HEADER + "\n".join(lines)).encode())


def test_summary_figures_equal_an_independent_computation(evaluated: Evaluated) -> None:
    e = evaluated
    treated = [41.5, 38.0, 55.25, 47.0, 39.5, 60.0, 44.75]
    control = [1250000.5, 1250010.25, 1249990.0, 1250003.0, 1250001.0, 1249999.5]
    _record_many(e, {"participant": treated, "comparison": control})
    summary = {s.metric.pk: s for s in baseline_summary_for_programme(programme=e.programme)}[e.cycle.pk]
    assert summary.participant.n == 7
    assert summary.participant.mean == pytest.approx(statistics.mean(treated), rel=1e-12)
    assert summary.participant.sd == pytest.approx(statistics.stdev(treated), rel=1e-9)
    assert summary.comparison.n == 6
    assert summary.comparison.mean == pytest.approx(statistics.mean(control), rel=1e-12)
    assert summary.comparison.sd == pytest.approx(statistics.stdev(control), rel=1e-6)


def test_groups_under_five_show_fewer_than_5_and_never_their_figures(
    coordinator_client: Client, evaluated: Evaluated
) -> None:
    e = evaluated
    _record_many(e, {"participant": [11.0, 13.0, 17.0, 19.0], "comparison": [20.0, 22.0, 24.0, 26.0, 28.0]})
    summary = {s.metric.pk: s for s in baseline_summary_for_programme(programme=e.programme)}[e.cycle.pk]
    assert summary.participant.suppressed
    assert (summary.participant.mean, summary.participant.sd) == (None, None)
    assert not summary.comparison.suppressed
    body = coordinator_client.get(reverse("evaluation:baselines", args=[e.programme.pk])).content.decode()
    row = body[body.find(f'data-metric="{e.cycle.pk}"') :]
    row = row[: row.find("</tr>")]
    assert "fewer than 5" in row
    assert "15.00" not in row, "the participants' mean (15) is not shown"
    assert "24.00" in row, "the comparison group's mean is shown"
    assert "3.16" in row, "the comparison group's sd (√10) is shown"


def test_an_hr_analyst_reads_the_summary_but_gets_no_forms(client: Client, evaluated: Evaluated) -> None:
    client.force_login(evaluated.p.hr_analyst)
    body = client.get(reverse("evaluation:baselines", args=[evaluated.programme.pk])).content.decode()
    assert 'data-testid="baseline-summary"' in body
    assert "baselines/import/" not in body
    assert "/people/search/" not in body  # no entry picker


# --- query counts -------------------------------------------------------------------------------


def _grow(e: Evaluated, metrics: int, people: int) -> None:
    for _i in range(metrics):
        MetricFactory(goal=e.goal)
    participants = []
    for _i in range(people):
        person = UserFactory()
        EnrolmentFactory(programme=e.programme, person=person, role=Enrolment.Role.MENTEE)
        participants.append(person)
    names = e.programme.outcome_metrics.values_list("name", flat=True)
    lines = [f"{p.email},{name},{j % 2},2026-03-31" for name in names for j, p in enumerate(participants)]
    baseline_import(actor=e.p.coordinator, programme=e.programme, data=(HEADER + "\n".join(lines)).encode())


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["evaluation:baselines", "evaluation:metrics", "evaluation:comparison"])
def test_evaluation_pages_run_the_same_queries_for_more_metrics_and_people(
    coordinator_client: Client, evaluated: Evaluated, django_assert_max_num_queries: Any, page: str
) -> None:
    url = reverse(page, args=[evaluated.programme.pk])
    _grow(evaluated, metrics=1, people=5)
    small = _count(coordinator_client, url)
    _grow(evaluated, metrics=8, people=40)
    with django_assert_max_num_queries(small):
        assert coordinator_client.get(url).status_code == 200


def test_importing_more_rows_takes_no_more_queries(evaluated: Evaluated, django_assert_max_num_queries: Any) -> None:
    e = evaluated
    small = HEADER + good_row(e)
    with CaptureQueriesContext(connection) as queries:
        baseline_import(actor=e.p.coordinator, programme=e.programme, data=small.encode())
    # 40 people × 2 metrics × 11 columns: under SQLite's 999 parameters per bulk insert, so one INSERT either way.
    people = [UserFactory() for _ in range(40)]
    for person in people:
        EnrolmentFactory(programme=e.programme, person=person, role=Enrolment.Role.MENTEE)
    metrics = ("Sales cycle length", "Deals closed")
    big = HEADER + "".join(f"{p.email},{m},{i},2026-03-31\n" for i, p in enumerate(people) for m in metrics)
    with django_assert_max_num_queries(len(queries)):
        assert baseline_import(actor=e.p.coordinator, programme=e.programme, data=big.encode()).created == 80


# --- concurrency (PostgreSQL row locks) ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_imports_at_once_write_each_baseline_once(
    require_postgres: None, personas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The programme row lock serialises imports: the second sees the first's rows and updates nothing."""
    import threading
    import time

    from django.db import connections

    from evaluation.services import observations as baselines

    validate = baselines.validate_rows

    def validate_slowly(*args: Any) -> Any:
        time.sleep(0.5)  # widen the window between reading existing rows and writing
        return validate(*args)

    monkeypatch.setattr(baselines, "validate_rows", validate_slowly)

    from evaluation.tests.factories import GoalFactory, MetricFactory

    MetricFactory(goal=GoalFactory(programme=personas.programme), name="Sales cycle length")
    text = (
        HEADER
        + f"{personas.mentee.email},Sales cycle length,42,2026-03-31\n"
        + f"{personas.mentor.email},Sales cycle length,40,2026-03-31\n"
    ).encode()
    barrier = threading.Barrier(2)
    results: list[object] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(baseline_import(actor=personas.coordinator, programme=personas.programme, data=text))
        except Exception as exc:
            results.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert all(not isinstance(r, Exception) for r in results), results
    assert sorted((r.created, r.unchanged) for r in results) == [(0, 2), (2, 0)]  # type: ignore[attr-defined]
    assert Observation.objects.count() == 2
