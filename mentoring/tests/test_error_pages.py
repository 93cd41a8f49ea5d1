"""The 403, 404 and 500 pages, as production serves them (DEBUG off): right status, same look, no leaks."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from conftest import Personas

TEST_URLS = "mentoring.tests.urls_for_tests"
BRAND_BAR = 'class="navbar navbar-expand-lg app-navbar"'
FOOTER = 'class="app-footer"'


@pytest.fixture(autouse=True)
def _production_mode(settings: object) -> None:
    settings.DEBUG = False  # type: ignore[attr-defined]
    settings.ROOT_URLCONF = TEST_URLS  # type: ignore[attr-defined]


def _assert_site_look(body: str) -> None:
    assert BRAND_BAR in body
    assert FOOTER in body
    assert "css/app.css" in body
    assert 'href="/"' in body  # the way back home


def test_forbidden_page_has_the_site_navigation_and_status_403(client: Client, personas: Personas) -> None:
    client.force_login(personas.mentee)
    response = client.get("/_test/403/")
    assert response.status_code == 403
    body = response.content.decode()
    _assert_site_look(body)
    assert "You cannot do that here" in body
    # The signed-in navigation is there too: the person is not stranded.
    assert reverse("programmes:notifications") in body
    assert "Log out" in body


def test_not_found_page_has_the_site_navigation_and_status_404(client: Client, personas: Personas) -> None:
    client.force_login(personas.mentee)
    response = client.get("/_test/404/")
    assert response.status_code == 404
    body = response.content.decode()
    _assert_site_look(body)
    assert "We could not find that page" in body
    assert "Log out" in body


def test_an_unknown_address_gets_the_same_not_found_page(client: Client, personas: Personas) -> None:
    client.force_login(personas.coordinator)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    body = response.content.decode()
    _assert_site_look(body)
    assert "We could not find that page" in body
    assert "URLconf" not in body  # no debug page listing the project's URLs


@pytest.mark.django_db
def test_not_found_page_for_an_anonymous_visitor_offers_no_personal_navigation(client: Client) -> None:
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    body = response.content.decode()
    _assert_site_look(body)
    assert "Log out" not in body


def test_server_error_page_has_the_site_look_and_status_500(client: Client, personas: Personas) -> None:
    client.force_login(personas.coordinator)
    client.raise_request_exception = False
    response = client.get("/_test/500/")
    assert response.status_code == 500
    body = response.content.decode()
    _assert_site_look(body)
    assert "Something went wrong on our side" in body
    assert "boom" not in body  # nothing of the exception reaches the person
    assert "Traceback" not in body


@override_settings(LANGUAGE_CODE="id")
def test_error_pages_speak_the_persons_language(client: Client, personas: Personas) -> None:
    personas.mentee.preferred_language = "id"
    personas.mentee.save(update_fields=["preferred_language"])
    client.force_login(personas.mentee)
    client.raise_request_exception = False
    forbidden = client.get("/_test/403/").content.decode()
    not_found = client.get("/_test/404/").content.decode()
    broken = client.get("/_test/500/").content.decode()
    assert 'lang="id"' in forbidden
    assert "You cannot do that here" not in forbidden
    assert "We could not find that page" not in not_found
    assert "Something went wrong on our side" not in broken
