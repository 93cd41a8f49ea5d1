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


CASES = [
    Case(name="home", url=lambda p: reverse("home"), expect=everyone(OK), check=_home_shows_only_own_programmes),
    Case(
        name="health",
        url=lambda p: reverse("health"),
        expect=dict.fromkeys(everyone(OK), OK),
        check=_health_is_json,
    ),
    Case(
        name="admin:index",
        url=lambda p: reverse("admin:index"),
        expect=everyone(REDIRECT, admin=OK, anonymous=LOGIN),
    ),
]
