"""The shell of the product: deny by default, the home page per role, health."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from conftest import Personas
from people.models import PrivacyNoticeAcceptance


@pytest.mark.django_db
def test_anonymous_visitor_is_sent_to_log_in(client: Client) -> None:
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("people:login"))


def test_coordinator_home_lists_the_programme_they_coordinate(client: Client, personas: Personas) -> None:
    client.force_login(personas.coordinator)
    response = client.get(reverse("home"))
    assert personas.programme.name in response.content.decode()
    assert personas.other_programme.name not in response.content.decode()


def test_person_without_roles_is_told_what_happens_next(client: Client, personas: Personas) -> None:
    from people.tests.factories import UserFactory

    client.force_login(UserFactory())
    body = client.get(reverse("home")).content.decode()
    assert "not in a mentoring programme yet" in body


def test_login_with_email_in_any_case(client: Client, personas: Personas) -> None:
    # Accepted the privacy notice at an earlier sign-in, so this one goes straight home.
    PrivacyNoticeAcceptance.objects.create(user=personas.coordinator, version=settings.PRIVACY_NOTICE_VERSION)
    response = client.post(
        reverse("people:login"), {"username": "Coordinator@Example.co.id", "password": personas.password}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


@pytest.mark.django_db
def test_health_reports_database_and_broker(client: Client) -> None:
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"
