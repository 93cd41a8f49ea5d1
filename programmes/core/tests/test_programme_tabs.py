"""One navigation model: every page of a programme carries the same section tabs for a given person, with
the page's own section marked; what the tabs offer depends on the person's role in that programme."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from conftest import Personas
from programmes.tests.support_helpers import persona_pair

pytestmark = pytest.mark.django_db


def _tabs(client: Client, url: str) -> tuple[list[str], str]:
    page = client.get(url)
    assert page.status_code == 200, url
    html = page.content.decode()
    nav = html[html.index('data-testid="programme-tabs"') :]
    nav = nav[: nav.index("</nav>")]
    sections = re.findall(r'data-section="([a-z]+)"', nav)
    active = re.findall(r'active" aria-current="page" href="[^"]*" data-section="([a-z]+)"', nav)
    return sections, active[0] if active else ""


def test_a_coordinator_sees_the_same_tabs_on_every_programme_page(client: Client, personas: Personas) -> None:
    persona_pair(personas)
    client.force_login(personas.coordinator)
    pk = personas.programme.pk
    expected = ["overview", "design", "enrolment", "preparation", "running", "evaluation"]
    for name, section in (
        ("programmes:detail", "overview"),
        ("programmes:goals", "design"),
        ("programmes:enrolment_list", "enrolment"),
        ("programmes:matching_settings", "enrolment"),
        ("programmes:preparation", "preparation"),
        ("programmes:dashboard", "running"),
        ("evaluation:metrics", "evaluation"),
    ):
        assert _tabs(client, reverse(name, args=[pk])) == (expected, section), name


def test_a_mentee_sees_overview_orientation_and_resources(client: Client, personas: Personas) -> None:
    persona_pair(personas)
    client.force_login(personas.mentee)
    pk = personas.programme.pk
    for name, section in (
        ("programmes:detail", "overview"),
        ("programmes:orientation", "orientation"),
        ("programmes:resources", "resources"),
    ):
        assert _tabs(client, reverse(name, args=[pk])) == (["overview", "orientation", "resources"], section), name


def test_an_hr_analyst_sees_the_overview_and_the_outcome_report(client: Client, personas: Personas) -> None:
    client.force_login(personas.hr_analyst)
    pk = personas.programme.pk
    assert _tabs(client, reverse("evaluation:metrics", args=[pk])) == (["overview", "evaluation"], "evaluation")
