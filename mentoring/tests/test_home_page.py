"""The shell's navigation and the home page: each person sees what their roles allow and what needs them."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from conftest import Personas
from programmes.models import Enrolment, Programme


def _home(client: Client, user: object) -> str:
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def _nav(body: str) -> str:
    return body.split('id="nav-main"', 1)[1].split("</nav>", 1)[0]


@pytest.mark.parametrize(
    ("persona", "sees_import", "sees_admin"),
    [
        ("mentee", False, False),
        ("mentor", False, False),
        ("coordinator", False, False),
        ("outsider", False, False),
        ("hr_analyst", True, False),
        ("admin", True, True),
    ],
)
def test_navigation_offers_only_what_the_persons_roles_allow(
    client: Client, personas: Personas, persona: str, sees_import: bool, sees_admin: bool
) -> None:
    nav = _nav(_home(client, getattr(personas, persona)))
    assert reverse("programmes:list") in nav
    assert reverse("programmes:notifications") in nav
    assert (reverse("people:import") in nav) is sees_import
    assert (reverse("admin:index") in nav) is sees_admin


def test_navigation_marks_the_current_page_for_screen_readers(client: Client, personas: Personas) -> None:
    nav = _nav(_home(client, personas.mentee))
    current = re.findall(r'<a class="nav-link active" aria-current="page" href="([^"]+)"', nav)
    assert current == [reverse("home")]
    nav = _nav(client.get(reverse("programmes:list")).content.decode())
    assert re.findall(r'aria-current="page" href="([^"]+)"', nav) == [reverse("programmes:list")]


def test_phone_menu_is_a_labelled_toggle_and_the_language_switcher_is_reachable_in_it(
    client: Client, personas: Personas
) -> None:
    body = _home(client, personas.mentee)
    assert 'aria-controls="nav-main"' in body
    assert 'aria-label="Open the menu"' in body
    # One switcher in the bar (wide screens), one inside the collapsible menu (phones), with distinct ids.
    assert body.count('data-testid="language-switcher"') == 2
    assert 'id="language-select"' in body
    assert 'id="language-select-menu"' in body
    assert 'class="visually-hidden-focusable skip-link" href="#main"' in body


def test_coordinator_home_says_what_blocks_the_next_phase_with_links_to_fix_it(
    client: Client, personas: Personas
) -> None:
    assert personas.programme.phase == Programme.Phase.NEEDS_ASSESSMENT
    body = _home(client, personas.coordinator)
    panel = body.split('data-testid="panel-coordinator"', 1)[1].split("</section>", 1)[0]
    assert personas.programme.name in panel
    assert "Before it can move to Planning:" in panel
    assert "Record a readiness decision" in panel
    assert "Name at least one business goal." in panel
    assert f'href="/programmes/{personas.programme.pk}/' in panel
    assert personas.other_programme.name not in body


def test_coordinator_home_shows_the_next_phase_is_clear_when_nothing_blocks_it(
    client: Client, personas: Personas
) -> None:
    Programme.objects.filter(pk=personas.programme.pk).update(phase=Programme.Phase.PLANNING)
    body = _home(client, personas.coordinator)
    assert "Nothing stops it moving to Design." in body


def test_closed_programme_has_no_next_step(client: Client, personas: Personas) -> None:
    Programme.objects.filter(pk=personas.programme.pk).update(phase=Programme.Phase.CLOSED)
    body = _home(client, personas.coordinator)
    assert "Before it can move" not in body
    assert "Nothing stops it moving" not in body


@pytest.mark.parametrize(
    ("state", "next_step"),
    [
        (Enrolment.State.APPLIED, "Your application is with the coordinator."),
        (Enrolment.State.ACCEPTED, "complete the orientation for your role"),
        (Enrolment.State.AVAILABLE, "You are ready to be matched."),
        (Enrolment.State.MATCHED, "You are matched."),
        (Enrolment.State.COMPLETED, "You completed this programme."),
    ],
)
def test_participant_home_says_what_comes_next_for_their_application(
    client: Client, personas: Personas, state: str, next_step: str
) -> None:
    Enrolment.objects.filter(person=personas.mentee).update(state=state)
    body = _home(client, personas.mentee)
    panel = body.split('data-testid="panel-participant"', 1)[1].split("</section>", 1)[0]
    assert personas.programme.name in panel
    assert next_step in panel
    assert 'data-testid="panel-coordinator"' not in body


def test_hr_analyst_home_points_to_reports_and_the_import(client: Client, personas: Personas) -> None:
    body = _home(client, personas.hr_analyst)
    panel = body.split('data-testid="panel-hr"', 1)[1].split("</section>", 1)[0]
    # The reports themselves come from the evaluation app's own URL (htmx, with a link without JavaScript).
    assert reverse("evaluation:home_panel") + "?part=reports" in panel
    assert reverse("people:import") in panel
    assert 'data-testid="panel-participant"' not in body


def test_person_without_a_role_gets_an_empty_state_with_a_next_step(client: Client, personas: Personas) -> None:
    from people.tests.factories import UserFactory

    body = _home(client, UserFactory())
    panel = body.split('data-testid="panel-empty"', 1)[1].split("</section>", 1)[0]
    assert "You are not in a mentoring programme yet." in panel
    assert reverse("people:preferences") in panel


def test_every_page_has_the_brand_bar_and_footer(client: Client, personas: Personas) -> None:
    client.force_login(personas.mentee)
    for url in [reverse("home"), reverse("programmes:list"), reverse("people:preferences")]:
        body = client.get(url).content.decode()
        assert 'class="navbar navbar-expand-lg app-navbar"' in body, url
        assert 'class="app-footer"' in body, url
        assert "img/logo.svg" in body, url
