"""The outcomes API: token authentication, scope, suppression, bad parameters, throttling, the schema, and a
schemathesis run against the live schema that finds no server error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error

from conftest import Personas
from evaluation.models import OutcomeResult
from evaluation.services.results import outcome_results_compute
from evaluation.tests.outcome_helpers import outcomes
from people.tests.factories import UserFactory
from programmes.models import ProgrammeRole

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    cache.clear()  # throttle counters live in the cache


def _token_client(user: Any) -> Client:
    token, _created = Token.objects.get_or_create(user=user)
    return Client(headers={"Authorization": f"Token {token.key}"})


def test_a_token_reads_results_and_without_one_the_api_answers_401(personas: Personas) -> None:
    o = outcomes(programme=personas.programme, mentored=20, comparison=25)
    outcome_results_compute(programme=o.programme)
    assert Client().get("/api/results/").status_code == 401
    assert Client(headers={"Authorization": "Token nonsense"}).get("/api/results/").status_code == 401
    data = _token_client(personas.hr_analyst).get(f"/api/results/?programme={o.programme.pk}").json()
    [result] = data["results"]
    did = result["figures"]["did"]
    assert did["n_treated"] == 20
    assert did["n_comparison"] == 25
    assert result["sentence"].startswith("Mentored participants cut their")
    assert result["cycle"]["kind"] == "end"


def test_programme_scoped_analysts_and_coordinators_see_only_their_programmes(personas: Personas) -> None:
    scoped = UserFactory()
    ProgrammeRole.objects.create(programme=personas.other_programme, user=scoped, role="hr_analyst")
    names = {p["name"] for p in _token_client(scoped).get("/api/programmes/").json()["results"]}
    assert names == {personas.other_programme.name}
    coordinator = {p["name"] for p in _token_client(personas.coordinator).get("/api/programmes/").json()["results"]}
    assert coordinator == {personas.programme.name}
    assert _token_client(personas.mentee).get("/api/programmes/").json()["results"] == []
    assert _token_client(personas.mentee).get(f"/api/programmes/{personas.programme.pk}/").status_code == 404


def test_small_groups_are_suppressed_in_the_api(personas: Personas) -> None:
    o = outcomes(programme=personas.programme, mentored=3, comparison=30)
    outcome_results_compute(programme=o.programme)
    body = _token_client(personas.hr_analyst).get("/api/results/").content.decode()
    result = OutcomeResult.objects.get()
    assert result.suppressed
    [figures] = [r["figures"] for r in json.loads(body)["results"]]
    assert figures["groups"]["participant"] == {"n": None, "suppressed": True, "empty": False}
    assert figures["did"] is None
    # No single value of the three mentored people appears anywhere in the answer.
    for person in o.mentored:
        assert f"{o.values[(person.pk, 'post')]}" not in body


def test_bad_filters_get_a_400_with_a_message_and_huge_ids_a_404(personas: Personas) -> None:
    client = _token_client(personas.hr_analyst)
    response = client.get("/api/results/?metric=abc")
    assert response.status_code == 400
    assert "whole number" in response.json()["metric"]
    assert client.get("/api/results/?cycle=-3").status_code == 400
    assert client.get("/api/programmes/99999999999999999999999/").status_code == 404
    assert client.get("/api/results/?limit=abc&offset=-5").status_code == 200


def test_the_api_is_throttled_per_user(personas: Personas, settings: Any) -> None:
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"user": "3/minute"}}
    from rest_framework.settings import api_settings

    api_settings.reload()
    from evaluation.api import OutcomesThrottle

    OutcomesThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    try:
        client = _token_client(personas.hr_analyst)
        statuses = [client.get("/api/programmes/").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
    finally:
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK}
        api_settings.reload()
        OutcomesThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES


def test_the_schema_needs_authentication_and_lists_every_endpoint(personas: Personas) -> None:
    assert Client().get("/api/schema/").status_code == 401
    text = _token_client(personas.hr_analyst).get("/api/schema/").content.decode()
    for path in ("/api/programmes/", "/api/programmes/{id}/process-metrics/", "/api/metrics/", "/api/results/"):
        assert path in text


@pytest.fixture
def wsgi_app() -> Iterator[Any]:
    """The project's WSGI application, without closing the test's database connection after each request.

    (Django's test client does the same: on PostgreSQL the connection holds the test's transaction.)
    """
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_schemathesis_finds_no_server_error_in_the_api(personas: Personas, wsgi_app: Any) -> None:
    o = outcomes(programme=personas.programme, mentored=8, comparison=9)
    outcome_results_compute(programme=o.programme)
    token = Token.objects.create(user=personas.hr_analyst)
    headers = {"Authorization": f"Token {token.key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app, headers=headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 7
    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            cache.clear()  # stay under the throttle: this test is about server errors
            response = case.call(headers=headers)
            assert response.status_code < 500, (case.path, case.query, response.text[:500])
            case.validate_response(response, checks=[not_a_server_error], headers=headers)

        run()
