"""Refused requests change nothing: every evaluation POST case, replayed for each persona it refuses.

The project's matrix (mentoring/tests/test_permission_matrix.py) runs a case's check only when the
request was allowed; here the same checks run after the 403s and 404s and must find no effect.
"""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import Personas
from evaluation.tests.permission_cases import CASES
from mentoring.tests.matrix import PERSONAS

REFUSED = [
    pytest.param(case, persona, id=f"{case.id}-{persona}")
    for case in CASES
    if case.method == "post"
    for persona in PERSONAS
    if case.expect[persona] >= 400
]


def test_every_post_case_is_refused_to_someone() -> None:
    assert {case.name for case, _persona in (p.values for p in REFUSED)} == {
        case.name for case in CASES if case.method == "post"
    }


@pytest.mark.parametrize(("case", "persona"), REFUSED)
def test_a_refused_post_has_no_effect(client: Client, personas: Personas, case: object, persona: str) -> None:
    assert case.setup is not None  # type: ignore[attr-defined]
    assert case.check is not None  # type: ignore[attr-defined]
    case.setup(personas)  # type: ignore[attr-defined]
    client.force_login(personas.all()[persona])
    response = client.post(case.url(personas), case.data(personas))  # type: ignore[attr-defined]
    assert response.status_code == case.expect[persona]  # type: ignore[attr-defined]
    case.check(response, personas, persona)  # type: ignore[attr-defined]
