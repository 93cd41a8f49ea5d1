"""Permission cases for the evaluation pages: coordinators write, HR analysts read, participants 403, others 404.

Every POST case's check asserts the effect for the personas allowed to write and no effect for everyone
else; test_permission_effects.py also runs those checks after the refused (403/404) requests.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.urls import reverse

from evaluation.models import ComparisonGroup, Observation, OutcomeMetric
from mentoring.tests.matrix import FORBIDDEN, NOT_FOUND, OK, REDIRECT, Case, everyone
from people.models import OrgUnit
from people.tests.factories import UserFactory
from programmes.models import BusinessGoal

WRITERS = ("coordinator", "admin")
READERS = ("coordinator", "hr_analyst", "admin")
METRIC = "Sales cycle length"

# Readers see the page; participants are in scope but not allowed; everyone else is out of scope.
READ = everyone(NOT_FOUND, mentee=FORBIDDEN, mentor=FORBIDDEN, coordinator=OK, hr_analyst=OK, admin=OK)
WRITE_PAGE = everyone(NOT_FOUND, mentee=FORBIDDEN, mentor=FORBIDDEN, hr_analyst=FORBIDDEN, coordinator=OK, admin=OK)
WRITE = everyone(
    NOT_FOUND, mentee=FORBIDDEN, mentor=FORBIDDEN, hr_analyst=FORBIDDEN, coordinator=REDIRECT, admin=REDIRECT
)


def _setup(p: Any) -> None:
    """A business goal with one metric, and six people in Sales who could form a comparison group."""
    goal = BusinessGoal.objects.create(programme=p.programme, statement="Close deals faster")
    OutcomeMetric.objects.create(goal=goal, name=METRIC, unit="days", direction="lower", kind="continuous")
    sales = OrgUnit.objects.get(code="SALES")
    for i in range(6):
        UserFactory(email=f"seller{i}@example.co.id", org_unit=sales, grade=4)


def _metric(p: Any) -> OutcomeMetric:
    return OutcomeMetric.objects.get(programme=p.programme, name=METRIC)


def _programme_url(name: str) -> Any:
    return lambda p: reverse(f"evaluation:{name}", args=[p.programme.pk])


def _metric_url(name: str) -> Any:
    return lambda p: reverse(f"evaluation:{name}", args=[p.programme.pk, _metric(p).pk])


# --- checks -------------------------------------------------------------------------------------


def _suggests_participants_only(response: HttpResponse, p: Any, persona: str) -> None:
    if response.status_code != 200:
        return
    from evaluation.selectors import eligible_people_for_programme

    body = response.content.decode()
    eligible = list(eligible_people_for_programme(programme=p.programme).values_list("email", flat=True))
    assert eligible, "the set-up has participants"
    assert f'data-value="{eligible[0]}"' in body
    assert "outsider@example.co.id" not in body  # in the directory, not in this programme
    assert "seller0@" not in body  # in Sales, but no comparison group is frozen


def _shows_metric(response: HttpResponse, p: Any, persona: str) -> None:
    if persona not in READERS:
        return  # anonymous: the matrix checks the login redirect
    body = response.content.decode()
    assert METRIC in body
    assert ('data-testid="metric-create"' in body) == (persona in WRITERS), "only writers get the add button"


def _shows_metric_form(response: HttpResponse, p: Any, persona: str) -> None:
    if persona not in READERS:
        return  # anonymous: the matrix checks the login redirect
    assert 'name="name"' in response.content.decode()


def _metric_created(response: HttpResponse, p: Any, persona: str) -> None:
    exists = OutcomeMetric.objects.filter(programme=p.programme, name="Win rate").exists()
    assert exists == (persona in WRITERS)


def _metric_changed(response: HttpResponse, p: Any, persona: str) -> None:
    assert (_metric(p).unit == "working days") == (persona in WRITERS)


def _shows_summary(response: HttpResponse, p: Any, persona: str) -> None:
    if persona not in READERS:
        return  # anonymous: the matrix checks the login redirect
    body = response.content.decode()
    assert 'data-testid="baseline-summary"' in body
    assert METRIC in body
    assert ("baselines/import/" in body) == (persona in WRITERS), "only writers get the import form"


def _baseline_imported(response: HttpResponse, p: Any, persona: str) -> None:
    obs = Observation.objects.filter(metric__programme=p.programme, person=p.mentee).first()
    assert (obs is not None and obs.value == 41.5) == (persona in WRITERS)


def _baseline_added(response: HttpResponse, p: Any, persona: str) -> None:
    obs = Observation.objects.filter(metric__programme=p.programme, person=p.mentor).first()
    assert (obs is not None and obs.value == 30) == (persona in WRITERS)


def _template_is_csv(response: HttpResponse, p: Any, persona: str) -> None:
    if persona not in READERS:
        return  # anonymous: the matrix checks the login redirect
    assert response["Content-Type"].startswith("text/csv")
    body = response.content.decode("utf-8-sig")
    assert body.startswith("email,metric,value,period_end,group")
    assert p.mentee.email in body
    assert p.outsider.email not in body


def _shows_comparison(response: HttpResponse, p: Any, persona: str) -> None:
    if persona not in READERS:
        return  # anonymous: the matrix checks the login redirect
    body = response.content.decode()
    assert "Comparison group" in body
    assert ('data-testid="comparison-freeze"' in body) == (persona in WRITERS)


def _group_frozen(response: HttpResponse, p: Any, persona: str) -> None:
    group = ComparisonGroup.objects.filter(programme=p.programme).first()
    frozen = group is not None and group.is_frozen and group.members.count() == 6
    assert frozen == (persona in WRITERS)


# --- data -----------------------------------------------------------------------------------------


def _metric_data(p: Any) -> dict[str, Any]:
    return {
        "goal": BusinessGoal.objects.get(programme=p.programme).pk,
        "name": "Win rate",
        "unit": "share",
        "level": 4,
        "direction": "higher",
        "kind": "rate",
        "target_basis": "absolute",
    }


def _edit_data(p: Any) -> dict[str, Any]:
    return {**_metric_data(p), "name": METRIC, "unit": "working days", "direction": "lower", "kind": "continuous"}


def _import_data(p: Any) -> dict[str, Any]:
    text = f"email,metric,value,period_end\n{p.mentee.email},{METRIC},41.5,2026-03-31\n"
    return {"file": SimpleUploadedFile("baselines.csv", text.encode(), content_type="text/csv")}


def _add_data(p: Any) -> dict[str, Any]:
    prefix = f"m{_metric(p).pk}"
    return {f"{prefix}-email": p.mentor.email, f"{prefix}-value": "30", f"{prefix}-period_end": "2026-03-31"}


def _freeze_data(p: Any) -> dict[str, Any]:
    return {
        "org_units": [OrgUnit.objects.get(code="SALES").pk],
        "include_sub_units": "on",
        "exclude_enrolled": "on",
        "random_seed": "7",
        "action": "freeze",
    }


CASES = [
    Case(name="evaluation:metrics", url=_programme_url("metrics"), expect=READ, setup=_setup, check=_shows_metric),
    Case(
        name="evaluation:metric_create",
        url=_programme_url("metric_create"),
        expect=WRITE_PAGE,
        setup=_setup,
        check=_shows_metric_form,
    ),
    Case(
        name="evaluation:metric_create",
        url=_programme_url("metric_create"),
        method="post",
        data=_metric_data,
        expect=WRITE,
        setup=_setup,
        check=_metric_created,
    ),
    Case(
        name="evaluation:metric_edit",
        url=_metric_url("metric_edit"),
        expect=WRITE_PAGE,
        setup=_setup,
        check=_shows_metric_form,
    ),
    Case(
        name="evaluation:metric_edit",
        url=_metric_url("metric_edit"),
        method="post",
        data=_edit_data,
        expect=WRITE,
        setup=_setup,
        check=_metric_changed,
    ),
    Case(name="evaluation:baselines", url=_programme_url("baselines"), expect=READ, setup=_setup, check=_shows_summary),
    Case(
        name="evaluation:baseline_import",
        url=_programme_url("baseline_import"),
        method="post",
        data=_import_data,
        expect=WRITE,
        setup=_setup,
        check=_baseline_imported,
    ),
    Case(
        name="evaluation:baseline_add",
        url=_metric_url("baseline_add"),
        method="post",
        data=_add_data,
        expect=WRITE,
        setup=_setup,
        check=_baseline_added,
    ),
    Case(
        name="evaluation:eligible_people_search",
        url=lambda p: reverse("evaluation:eligible_people_search", args=[p.programme.pk]) + "?q=example.co.id",
        expect=WRITE_PAGE,  # names of the programme's participants: coordinators only
        setup=_setup,
        check=_suggests_participants_only,
    ),
    Case(
        name="evaluation:baseline_template",
        url=_programme_url("baseline_template"),
        expect=WRITE_PAGE,  # single people's values: never for HR analysts
        setup=_setup,
        check=_template_is_csv,
    ),
    Case(
        name="evaluation:comparison",
        url=_programme_url("comparison"),
        expect=READ,
        setup=_setup,
        check=_shows_comparison,
    ),
    Case(
        name="evaluation:comparison_freeze",
        url=_programme_url("comparison_freeze"),
        method="post",
        data=_freeze_data,
        expect=WRITE,
        setup=_setup,
        check=_group_frozen,
    ),
]
