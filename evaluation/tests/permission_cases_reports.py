"""Permission cases for evaluation cycles, values, questionnaires, costs, reports, exports and the API.

Programme pages: coordinators (and site admins) write, HR analysts read aggregates, participants 403,
everyone else 404. The cross-programme report is for anyone with a staff role somewhere (403 otherwise).
Questionnaires and export files belong to one person: anyone else, a site admin included, gets 404. HR
analysts never see a single person's value or any session note (the checks look for them).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from evaluation.models import CostItem, EvaluationCycle, InstrumentResponse, Observation, OutcomeMetric
from evaluation.reports import ReportFilters
from evaluation.services.cycles import cycle_open
from evaluation.services.exports import export_job_create
from evaluation.services.instruments import instruments_ensure_defaults
from evaluation.services.results import outcome_results_compute
from mentoring.tests.matrix import FORBIDDEN, NOT_FOUND, OK, REDIRECT, Case, everyone
from people.models import BackgroundJob
from people.services.jobs import job_file_save
from programmes.models import BusinessGoal, Enrolment, MentoringSession, Relationship, RelationshipMember

WRITERS = ("coordinator", "admin")
READERS = ("coordinator", "hr_analyst", "admin")
METRIC = "Sales cycle length"
SECRET_NOTE = "private-session-note-7f3a"

READ = everyone(NOT_FOUND, mentee=FORBIDDEN, mentor=FORBIDDEN, coordinator=OK, hr_analyst=OK, admin=OK)
WRITE_PAGE = everyone(NOT_FOUND, mentee=FORBIDDEN, mentor=FORBIDDEN, hr_analyst=FORBIDDEN, coordinator=OK, admin=OK)
WRITE = everyone(
    NOT_FOUND, mentee=FORBIDDEN, mentor=FORBIDDEN, hr_analyst=FORBIDDEN, coordinator=REDIRECT, admin=REDIRECT
)
CROSS = everyone(FORBIDDEN, coordinator=OK, hr_analyst=OK, admin=OK)
OWNER_ONLY = everyone(NOT_FOUND, coordinator=OK)  # objects of the coordinator's own
MENTEE_ONLY = everyone(NOT_FOUND, mentee=OK)
API_READ = dict(everyone(OK), anonymous=401)
API_DETAIL = dict(everyone(NOT_FOUND, coordinator=OK, hr_analyst=OK, admin=OK), anonymous=401)


def _cycle(p: Any, state: str = EvaluationCycle.State.CLOSED, kind: str = "end") -> EvaluationCycle:
    found = EvaluationCycle.objects.filter(programme=p.programme, kind=kind).first()
    if found:
        return found
    today = timezone.localdate()
    return EvaluationCycle.objects.create(
        programme=p.programme, kind=kind, state=state, opens_on=today - datetime.timedelta(5), closes_on=today
    )


def _metric(p: Any) -> OutcomeMetric:
    return OutcomeMetric.objects.get(programme=p.programme, name=METRIC)


def _setup(p: Any, state: str = EvaluationCycle.State.OPEN) -> None:
    """A metric with baselines and values of the mentee (a group of one: always suppressed), a cycle, a cost."""
    goal = BusinessGoal.objects.create(programme=p.programme, statement="Close deals faster")
    metric = OutcomeMetric.objects.create(goal=goal, name=METRIC, unit="days", direction="lower", kind="continuous")
    cycle = _cycle(p, state)
    for kind, c, value in (("baseline", None, 44.0), ("cycle", cycle, 37.25)):
        Observation.objects.create(
            metric=metric, person=p.mentee, group="participant", period_kind=kind, cycle=c,
            period_end=datetime.date(2026, 3, 31), value=value, source="manual",
        )  # fmt: skip
    CostItem.objects.create(programme=p.programme, description="Coordinator time", amount=1000)
    _session_note(p)


def _session_note(p: Any) -> None:
    """The personas' pair, active (so the mentee counts as mentored), with a session whose notes no HR page shows."""
    rel = Relationship.objects.create(programme=p.programme, state=Relationship.State.ACTIVE)
    for person in (p.mentor, p.mentee):
        enrolment = Enrolment.objects.get(programme=p.programme, person=person)
        RelationshipMember.objects.create(
            relationship=rel, enrolment=enrolment, role=enrolment.role, response=RelationshipMember.Response.ACCEPTED
        )
    MentoringSession.objects.create(
        relationship=rel, programme=p.programme, held_at=timezone.now(), shared_notes=SECRET_NOTE, status="held"
    )


def _closed_setup(p: Any) -> None:
    _setup(p, EvaluationCycle.State.CLOSED)
    outcome_results_compute(programme=p.programme)


def _planned_setup(p: Any) -> None:
    _setup(p)
    EvaluationCycle.objects.create(
        programme=p.programme, kind="midpoint", opens_on=timezone.localdate(), closes_on=timezone.localdate()
    )


def _analysed_setup(p: Any) -> None:
    _setup(p, EvaluationCycle.State.ANALYSED)


def _questionnaire_setup(p: Any) -> None:
    instruments = instruments_ensure_defaults(programme=p.programme)
    today = timezone.localdate()
    cycle = EvaluationCycle.objects.create(programme=p.programme, kind="pulse", opens_on=today, closes_on=today)
    cycle.instruments.add(instruments["reaction"])
    cycle_open(actor=None, cycle=cycle)


def _response(p: Any) -> InstrumentResponse:
    return InstrumentResponse.objects.get(respondent=p.mentee, instrument__key="reaction")


def _job_setup(p: Any) -> None:
    """The coordinator's export of the programme's report, built (the file written as the worker would)."""
    job = export_job_create(
        actor=p.coordinator, fmt="csv", programme=p.programme, filters=ReportFilters(), rows_total=1
    )
    job_file_save(job, ContentFile(b"\xef\xbb\xbfProgramme\n"), file_name="outcomes.csv")
    BackgroundJob.objects.filter(pk=job.pk).update(state="done")


def _job(p: Any) -> BackgroundJob:
    return BackgroundJob.objects.get(requested_by=p.coordinator, kind="report_export")


def _to_the_progress(response: HttpResponse, p: Any, persona: str) -> None:
    if persona == "anonymous":
        return  # to the login page
    assert response["Location"] == reverse("people:job_progress", args=[_job(p).pk])


def _finished_fragment(response: HttpResponse, p: Any, persona: str) -> None:
    if persona == "anonymous":
        return  # to the login page
    assert 'data-state="done"' in response.content.decode()


def _export_page(response: HttpResponse, p: Any, persona: str) -> None:
    if persona == "anonymous":
        return  # to the login page
    body = response.content.decode()
    assert 'data-testid="job-progress"' in body
    assert 'data-testid="export-download"' in body


def _p(name: str, *extra: Any) -> Any:
    return lambda p: reverse(f"evaluation:{name}", args=[p.programme.pk, *(e(p) for e in extra)])


def _cycle_id(p: Any) -> int:
    return _cycle(p).pk


# --- checks -------------------------------------------------------------------------------------------


def _no_individual_data(response: HttpResponse, p: Any, persona: str) -> None:
    """What HR analysts (and everyone) may read on aggregate pages: no single value, no note, no e-mail."""
    if persona == "anonymous":
        return
    body = response.content.decode("utf-8-sig", errors="replace")
    assert SECRET_NOTE not in body
    assert "37.25" not in body, "a single person's value leaked"
    assert "37,25" not in body, "a single person's value leaked"
    if persona == "hr_analyst":
        assert p.mentee.email not in body
        assert p.mentee.full_name not in body


def _shows_plan(response: HttpResponse, p: Any, persona: str) -> None:
    _no_individual_data(response, p, persona)
    if persona in READERS:
        assert 'data-testid="cycle-table"' in response.content.decode()


def _cycles_made(response: HttpResponse, p: Any, persona: str) -> None:
    # The set-up's end cycle is kept; the default plan adds the other five.
    assert (EvaluationCycle.objects.filter(programme=p.programme).count() == 6) == (persona in WRITERS)


def _pulse_added(response: HttpResponse, p: Any, persona: str) -> None:
    assert EvaluationCycle.objects.filter(programme=p.programme, kind="pulse").exists() == (persona in WRITERS)


def _state_is(state_if_written: str, kind: str = "end") -> Any:
    def check(response: HttpResponse, p: Any, persona: str) -> None:
        cycle = EvaluationCycle.objects.get(programme=p.programme, kind=kind)
        assert (cycle.state == state_if_written) == (persona in WRITERS)

    return check


def _value_recorded(value: float) -> Any:
    def check(response: HttpResponse, p: Any, persona: str) -> None:
        found = Observation.objects.filter(cycle__programme=p.programme, person=p.mentor, value=value).exists()
        assert found == (persona in WRITERS)

    return check


def _values_template(response: HttpResponse, p: Any, persona: str) -> None:
    if persona in WRITERS:
        body = response.content.decode("utf-8-sig")
        assert body.startswith("email,metric,value,period_end,group")
        assert "37.25" in body


def _cost_added(response: HttpResponse, p: Any, persona: str) -> None:
    assert CostItem.objects.filter(programme=p.programme, description="Travel").exists() == (persona in WRITERS)


def _cost_removed(response: HttpResponse, p: Any, persona: str) -> None:
    assert CostItem.objects.filter(programme=p.programme).exists() == (persona not in WRITERS)


def _report_suppressed(response: HttpResponse, p: Any, persona: str) -> None:
    _no_individual_data(response, p, persona)
    if persona in READERS:
        body = response.content.decode()
        assert METRIC in body
        assert 'data-testid="suppressed"' in body


def _is_pdf(response: HttpResponse, p: Any, persona: str) -> None:
    if persona in READERS:
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")


def _is_csv(response: HttpResponse, p: Any, persona: str) -> None:
    if persona in READERS:
        body = b"".join(response.streaming_content).decode("utf-8")  # type: ignore[attr-defined]
        assert body.startswith("\ufeffProgramme,")
        assert METRIC in body
        assert "fewer than 5" in body
        assert "37.25" not in body
        assert p.mentee.email not in body


def _is_xlsx(response: HttpResponse, p: Any, persona: str) -> None:
    if persona in READERS:
        assert response.content.startswith(b"PK")


def _download(response: HttpResponse, p: Any, persona: str) -> None:
    if persona == "coordinator":
        assert b"".join(response.streaming_content).startswith(b"\xef\xbb\xbfProgramme")  # type: ignore[attr-defined]


def _answered(response: HttpResponse, p: Any, persona: str) -> None:
    assert (_response(p).answered_at is not None) == (persona == "mentee")


def _answers(p: Any) -> dict[str, str]:
    return {f"q{pk}": "4" for pk in _response(p).instrument.items.values_list("pk", flat=True)}


def _api_scoped(response: HttpResponse, p: Any, persona: str) -> None:
    """Lists show what the caller may read: org-wide HR and admins everything, coordinators theirs, others nothing."""
    if persona == "anonymous":
        return
    programmes = {row.get("programme", row.get("id")) for row in response.json()["results"]}
    assert (p.programme.pk in programmes) == (persona in READERS)
    assert (p.other_programme.pk in programmes) == (persona in ("hr_analyst", "admin"))
    _api_no_individuals(response, p, persona)


def _other_setup(p: Any) -> None:
    """Results in both programmes, so that scoping shows in every list."""
    _closed_setup(p)
    goal = BusinessGoal.objects.create(programme=p.other_programme, statement="Ship faster")
    metric = OutcomeMetric.objects.create(
        goal=goal, name="Lead time", unit="days", direction="lower", kind="continuous"
    )
    today = timezone.localdate()
    cycle = EvaluationCycle.objects.create(
        programme=p.other_programme, kind="end", state="closed", opens_on=today, closes_on=today
    )
    # The outsider is mentored there (an active relationship), so that programme has a result of its own.
    rel = Relationship.objects.create(programme=p.other_programme, state=Relationship.State.ACTIVE)
    enrolment = Enrolment.objects.get(programme=p.other_programme, person=p.outsider)
    RelationshipMember.objects.create(
        relationship=rel, enrolment=enrolment, role=enrolment.role, response=RelationshipMember.Response.ACCEPTED
    )
    for kind, c in (("baseline", None), ("cycle", cycle)):
        Observation.objects.create(
            metric=metric, person=p.outsider, group="participant", period_kind=kind, cycle=c,
            period_end=datetime.date(2026, 3, 31), value=12.0, source="manual",
        )  # fmt: skip
    outcome_results_compute(programme=p.other_programme)


def _api(name: str, *args: Any) -> Any:
    return lambda p: reverse(f"api:{name}", args=[a(p) for a in args])


def _result_id(p: Any) -> int:
    from evaluation.models import OutcomeResult

    return OutcomeResult.objects.get(programme=p.programme).pk


def _api_result(response: HttpResponse, p: Any, persona: str) -> None:
    if persona in READERS:
        data = response.json()
        assert data["suppressed"] is True
        assert data["figures"]["groups"]["participant"] == {"n": None, "suppressed": True, "empty": False}
        _api_no_individuals(response, p, persona)


def _api_process(response: HttpResponse, p: Any, persona: str) -> None:
    if persona in READERS:
        keys = {row["key"] for row in response.json()}
        assert {"time_to_match", "match_rate", "orientation_completion", "early_closure_rate"} <= keys


def _api_no_individuals(response: HttpResponse, p: Any, persona: str) -> None:
    if persona != "anonymous":
        text = response.content.decode()
        assert "37.25" not in text
        assert p.mentee.email not in text
        assert SECRET_NOTE not in text


# --- cases ----------------------------------------------------------------------------------------------

_obs_file = "email,metric,value,period_end\n{email},{metric},39.5,2026-03-31\n"

CASES = [
    Case(name="evaluation:cycles", url=_p("cycles"), expect=READ, setup=_setup, check=_shows_plan),
    Case(
        name="evaluation:cycle_generate",
        url=_p("cycle_generate"),
        method="post",
        data=lambda p: {"starts_on": "2026-07-01"},
        expect=WRITE,
        setup=_setup,
        check=_cycles_made,
    ),
    Case(
        name="evaluation:cycle_add",
        url=_p("cycle_add"),
        method="post",
        data=lambda p: {"kind": "pulse", "opens_on": "2026-08-01", "closes_on": "2026-08-10"},
        expect=WRITE,
        setup=_setup,
        check=_pulse_added,
    ),
    Case(name="evaluation:cycle_edit", url=_p("cycle_edit", _cycle_id), expect=WRITE_PAGE, setup=_setup),
    Case(
        name="evaluation:cycle_open",
        url=lambda p: reverse(
            "evaluation:cycle_open",
            args=[p.programme.pk, EvaluationCycle.objects.get(programme=p.programme, kind="midpoint").pk],
        ),
        method="post",
        data=lambda p: {},
        expect=WRITE,
        setup=_planned_setup,
        check=_state_is("open", kind="midpoint"),
    ),
    Case(
        name="evaluation:cycle_close",
        url=_p("cycle_close", _cycle_id),
        method="post",
        data=lambda p: {},
        expect=WRITE,
        setup=_setup,
        check=_state_is("closed"),
    ),
    Case(
        name="evaluation:cycle_report",
        url=_p("cycle_report", _cycle_id),
        method="post",
        data=lambda p: {},
        expect=WRITE,
        setup=_analysed_setup,
        check=_state_is("reported"),
    ),
    Case(
        name="evaluation:cycle_observations",
        url=_p("cycle_observations", _cycle_id),
        expect=READ,
        setup=_setup,
        check=_no_individual_data,
    ),
    Case(
        name="evaluation:cycle_observation_import",
        url=_p("cycle_observation_import", _cycle_id),
        method="post",
        data=lambda p: {
            "file": SimpleUploadedFile(
                "values.csv", _obs_file.format(email=p.mentor.email, metric=METRIC).encode(), content_type="text/csv"
            )
        },
        expect=WRITE,
        setup=_setup,
        check=_value_recorded(39.5),
    ),
    Case(
        name="evaluation:cycle_observation_template",
        url=_p("cycle_observation_template", _cycle_id),
        expect=WRITE_PAGE,
        setup=_setup,
        check=_values_template,
    ),
    Case(
        name="evaluation:cycle_observation_add",
        url=lambda p: reverse("evaluation:cycle_observation_add", args=[p.programme.pk, _cycle(p).pk, _metric(p).pk]),
        method="post",
        data=lambda p: {
            f"m{_metric(p).pk}-email": p.mentor.email,
            f"m{_metric(p).pk}-value": "31",
            f"m{_metric(p).pk}-period_end": "2026-03-31",
        },
        expect=WRITE,
        setup=_setup,
        check=_value_recorded(31.0),
    ),
    Case(name="evaluation:instruments", url=_p("instruments"), expect=READ, setup=_questionnaire_setup),
    Case(
        name="evaluation:instrument_edit",
        url=lambda p: reverse("evaluation:instrument_edit", args=[p.programme.pk, _response(p).instrument_id]),
        expect=WRITE_PAGE,
        setup=_questionnaire_setup,
    ),
    Case(name="evaluation:costs", url=_p("costs"), expect=READ, setup=_setup),
    Case(
        name="evaluation:cost_add",
        url=_p("cost_add"),
        method="post",
        data=lambda p: {"category": "events", "description": "Travel", "amount": "250"},
        expect=WRITE,
        setup=_setup,
        check=_cost_added,
    ),
    Case(
        name="evaluation:cost_remove",
        url=lambda p: reverse(
            "evaluation:cost_remove", args=[p.programme.pk, CostItem.objects.get(programme=p.programme).pk]
        ),
        method="post",
        data=lambda p: {},
        expect=WRITE,
        setup=_setup,
        check=_cost_removed,
    ),
    Case(name="evaluation:report", url=_p("report"), expect=READ, setup=_closed_setup, check=_report_suppressed),
    Case(
        name="evaluation:report_print",
        url=_p("report_print"),
        expect=READ,
        setup=_closed_setup,
        check=_report_suppressed,
    ),
    Case(name="evaluation:report_pdf", url=_p("report_pdf"), expect=READ, setup=_closed_setup, check=_is_pdf),
    Case(
        name="evaluation:report_export",
        url=lambda p: reverse("evaluation:report_export", args=[p.programme.pk, "csv"]),
        expect=READ,
        setup=_closed_setup,
        check=_is_csv,
    ),
    Case(
        name="evaluation:report_export",
        url=lambda p: reverse("evaluation:report_export", args=[p.programme.pk, "xlsx"]),
        expect=READ,
        setup=_closed_setup,
        check=_is_xlsx,
    ),
    Case(name="evaluation:outcome_cards", url=_p("outcome_cards"), expect=READ, setup=_closed_setup),
    Case(
        name="evaluation:reports",
        url=lambda p: reverse("evaluation:reports"),
        expect=CROSS,
        setup=_closed_setup,
        check=_report_suppressed,
    ),
    Case(
        name="evaluation:reports_print",
        url=lambda p: reverse("evaluation:reports_print"),
        expect=CROSS,
        setup=_closed_setup,
        check=_report_suppressed,
    ),
    Case(
        name="evaluation:reports_pdf",
        url=lambda p: reverse("evaluation:reports_pdf"),
        expect=CROSS,
        setup=_closed_setup,
        check=_is_pdf,
    ),
    Case(
        name="evaluation:reports_export",
        url=lambda p: reverse("evaluation:reports_export", args=["csv"]),
        expect=CROSS,
        setup=_closed_setup,
        check=_is_csv,
    ),
    Case(
        name="evaluation:export_job",
        url=lambda p: reverse("evaluation:export_job", args=[_job(p).pk]),
        expect=OWNER_ONLY,
        setup=_job_setup,
        check=_export_page,
    ),
    Case(  # kept for pages open since before the progress moved: sends htmx to the fragment every job has
        name="evaluation:export_job_status",
        url=lambda p: reverse("evaluation:export_job_status", args=[_job(p).pk]),
        expect=everyone(NOT_FOUND, coordinator=REDIRECT),
        setup=_job_setup,
        check=_to_the_progress,
    ),
    Case(  # the fragment every background job has, for an export: its requester's only
        name="people:job_progress",
        url=lambda p: reverse("people:job_progress", args=[_job(p).pk]),
        expect=OWNER_ONLY,
        setup=_job_setup,
        check=_finished_fragment,
    ),
    Case(
        name="evaluation:export_job_download",
        url=lambda p: reverse("evaluation:export_job_download", args=[_job(p).pk]),
        expect=OWNER_ONLY,
        setup=_job_setup,
        check=_download,
    ),
    Case(
        name="evaluation:my_cycle",
        url=lambda p: reverse("evaluation:my_cycle", args=[_response(p).cycle_id]),
        expect=everyone(NOT_FOUND, mentee=OK, mentor=OK),  # both were asked; each sees only their own
        setup=_questionnaire_setup,
    ),
    Case(
        name="evaluation:respond",
        url=lambda p: reverse("evaluation:respond", args=[_response(p).pk]),
        expect=MENTEE_ONLY,
        setup=_questionnaire_setup,
    ),
    Case(
        name="evaluation:respond",
        url=lambda p: reverse("evaluation:respond", args=[_response(p).pk]),
        method="post",
        data=_answers,
        expect=everyone(NOT_FOUND, mentee=REDIRECT),
        setup=_questionnaire_setup,
        check=_answered,
    ),
    # The API: token or session; anonymous callers get 401.
    Case(name="api:api-root", url=_api("api-root"), expect=API_READ),
    # The schema is for API users (HR analysts, site admins, token holders); others 403.
    Case(
        name="api:schema", url=_api("schema"), expect=dict(everyone(FORBIDDEN, hr_analyst=OK, admin=OK), anonymous=401)
    ),
    Case(name="api:programme-list", url=_api("programme-list"), expect=API_READ, setup=_other_setup, check=_api_scoped),
    Case(
        name="api:programme-detail",
        url=_api("programme-detail", lambda p: p.programme.pk),
        expect=API_DETAIL,
        setup=_closed_setup,
    ),
    Case(
        name="api:programme-process-metrics",
        url=_api("programme-process-metrics", lambda p: p.programme.pk),
        expect=API_DETAIL,
        setup=_closed_setup,
        check=_api_process,
    ),
    Case(name="api:metric-list", url=_api("metric-list"), expect=API_READ, setup=_other_setup, check=_api_scoped),
    Case(name="api:metric-detail", url=_api("metric-detail", lambda p: _metric(p).pk), expect=API_DETAIL, setup=_setup),
    Case(name="api:result-list", url=_api("result-list"), expect=API_READ, setup=_other_setup, check=_api_scoped),
    Case(
        name="api:result-detail",
        url=_api("result-detail", _result_id),
        expect=API_DETAIL,
        setup=_closed_setup,
        check=_api_result,
    ),
]
