"""Every URL of the project × every persona: the expected status, and the effect where allowed.

The cases live beside each app or feature (`<app>/tests/permission_cases*.py`,
`programmes/<feature>/tests/permission_cases*.py`); this module collects them, runs each for every
persona, and fails when a URL pattern of the project has no case at all.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from conftest import Personas
from mentoring.tests.matrix import PERSONAS, Case

APPS = ("mentoring", "people", "programmes", "evaluation", "privacy")

# URL namespaces guarded by a framework rather than by our views; one case (admin:index) proves the gate.
FRAMEWORK_NAMESPACES = {"admin"}


def collect_cases() -> list[Case]:
    """Every Case from every permission_cases*.py module in a tests package of an app (or of its subpackages)."""
    cases: list[Case] = []
    for app in APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            parts = module.name.split(".")
            if len(parts) > 2 and parts[-2] == "tests" and parts[-1].startswith("permission_cases"):
                cases.extend(importlib.import_module(module.name).CASES)
    return cases


def url_names(patterns: list[URLPattern | URLResolver] | None = None, namespace: str = "") -> Iterator[str]:
    """The full name ("ns:name") of every URL pattern; unnamed ones come out as "<unnamed:regex>"."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_names(pattern.url_patterns, inner)
        elif pattern.name:
            yield f"{namespace}{pattern.name}"
        else:
            yield f"<unnamed:{namespace}{pattern.pattern}>"


CASES = collect_cases()


def test_every_url_of_the_project_has_a_permission_case() -> None:
    covered = {case.name for case in CASES}
    missing = sorted(
        name
        for name in set(url_names())
        if name not in covered and name.removeprefix("<unnamed:").split(":")[0] not in FRAMEWORK_NAMESPACES
    )
    assert not missing, f"URLs without a permission case (add them to <app>/tests/permission_cases*.py): {missing}"


def test_no_case_names_a_url_that_does_not_exist() -> None:
    names = set(url_names())
    stale = sorted({case.name for case in CASES} - names)
    assert not stale, f"permission cases for URLs that no longer exist: {stale}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_permission_matrix(client: Client, personas: Personas, case: Case, persona: str) -> None:
    if case.setup:
        case.setup(personas)
    user = personas.all()[persona]
    if user is not None:
        client.force_login(user)
    url = case.url(personas)
    data = case.data(personas) if case.data else {}
    send = getattr(client, case.method)
    response = send(url, data, headers=case.headers) if case.method != "get" else send(url, headers=case.headers)
    expected = case.expect[persona]
    assert response.status_code == expected, f"{case.id} as {persona}: expected {expected}, got {response.status_code}"
    if expected == 302 and persona == "anonymous" and case.method == "get":
        assert "login" in response["Location"], "anonymous visitors go to a login page"
    if case.check and response.status_code < 400:
        case.check(response, personas, persona)
