"""Permission cases for the project-level URLs (home, health, the admin gate)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import reverse

from mentoring.tests.matrix import LOGIN, OK, REDIRECT, Case, everyone


def _home_shows_only_own_programmes(response: HttpResponse, p: Any, persona: str) -> None:
    body = response.content.decode()
    if persona in ("coordinator", "mentor", "mentee"):
        assert p.programme.name in body
    assert p.other_programme.name not in body or persona in ("outsider",)


def _health_is_json(response: HttpResponse, p: Any, persona: str) -> None:
    assert response.json()["database"] == "ok"


def _signed_in_health_is_json(response: HttpResponse, p: Any, persona: str) -> None:
    if persona == "anonymous":
        return  # the matrix checks the login redirect
    assert response.json() == {"database": "ok", "signed_in": True}


def _mentee_waits_for_approval(p: Any) -> None:
    from programmes.models import Enrolment

    Enrolment.objects.filter(programme=p.programme, person=p.mentee).update(
        manager_approval=Enrolment.ManagerApproval.PENDING
    )


def _only_the_manager_sees_the_approval(response: HttpResponse, p: Any, persona: str) -> None:
    if persona == "anonymous":
        return  # the matrix checks the login redirect
    body = response.content.decode()
    assert 'data-testid="manager-page"' in body
    # The mentor is the mentee's manager in the personas; nobody else sees the request.
    assert (p.mentee.get_full_name() in body) == (persona == "mentor"), persona


def _own_evaluation_items_only(response: HttpResponse, p: Any, persona: str) -> None:
    if persona == "anonymous":
        return
    body = response.content.decode()
    assert 'data-testid="evaluation-todos"' in body
    assert p.other_programme.name not in body or persona in ("hr_analyst", "admin")


CASES = [
    Case(name="home", url=lambda p: reverse("home"), expect=everyone(OK), check=_home_shows_only_own_programmes),
    Case(
        name="health",
        url=lambda p: reverse("health"),
        expect=dict.fromkeys(everyone(OK), OK),
        check=_health_is_json,
    ),
    Case(
        name="health_signed_in",
        url=lambda p: reverse("health_signed_in"),
        expect=everyone(OK),
        check=_signed_in_health_is_json,
    ),
    Case(
        name="programmes:manager_home",
        url=lambda p: reverse("programmes:manager_home"),
        expect=everyone(OK),
        setup=_mentee_waits_for_approval,
        check=_only_the_manager_sees_the_approval,
    ),
    Case(
        name="evaluation:home_panel",
        url=lambda p: reverse("evaluation:home_panel"),
        expect=everyone(OK),
        check=_own_evaluation_items_only,
    ),
    Case(
        name="admin:index",
        url=lambda p: reverse("admin:index"),
        expect=everyone(REDIRECT, admin=OK, anonymous=LOGIN),
    ),
]
