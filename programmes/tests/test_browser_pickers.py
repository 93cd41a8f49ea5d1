"""Person pickers in a real browser (Debian's chromium): a coordinator adds a colleague to the coordination
team with the keyboard alone (type part of the name, arrow down to the suggestion, Enter picks it without
sending the form), and on a phone by tapping the suggestion. axe checks every page on the way (conftest
`new_page`), with the suggestions open.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from conftest import Personas
from people.tests.factories import UserFactory
from programmes.models import ProgrammeRole
from programmes.tests.test_browser_keyboard import tab_to

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LISTBOX = "#id_person-options"


@pytest.fixture(autouse=True)
def _warm(live_server: Any) -> None:
    """The live server's first request imports every view (7 s on a loaded machine, near the 8 s page timeout)."""
    urllib.request.urlopen(live_server.url + "/accounts/login/", timeout=60).read()  # noqa: S310 - our own server


def _colleagues() -> None:
    UserFactory(email="ani.susanti@example.co.id", full_name="Ani Susanti")
    UserFactory(email="ani.wijaya@example.co.id", full_name="Ani Wijaya")
    UserFactory(email="anita.left@example.co.id", full_name="Anita Left", is_active=False)


@pytest.mark.django_db(transaction=True)
def test_a_coordinator_picks_a_colleague_for_the_team_with_the_keyboard(
    sign_in: Callable[..., Any], personas: Personas
) -> None:
    _colleagues()
    page = sign_in(personas.coordinator, personas.password)
    page.goto(f"/programmes/{personas.programme.pk}/team/")
    tab_to(page, '(el) => el.name === "person"')
    page.keyboard.type("ani")
    options = page.locator(f'{LISTBOX} [role="option"]')
    options.first.wait_for()
    assert options.count() == 2  # the one who left is never suggested
    assert page.locator("#id_person").get_attribute("aria-expanded") == "true"
    page.a11y()  # the open listbox too

    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    active = page.locator("#id_person").get_attribute("aria-activedescendant")
    assert active
    assert page.locator(f"#{active}").inner_text().startswith("Ani Wijaya")
    page.keyboard.press("Enter")  # picks; does not send the form
    assert page.locator("#id_person").input_value() == "ani.wijaya@example.co.id"
    assert page.locator(LISTBOX).is_hidden()
    assert "/team/" in page.url
    assert not ProgrammeRole.objects.filter(user__email="ani.wijaya@example.co.id").exists()

    tab_to(page, '(el) => el.name === "role"')
    page.keyboard.press("ArrowDown")  # coordinator → the next role
    tab_to(page, '(el) => el.type === "submit" && el.closest("[data-testid=team-add]")')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert ProgrammeRole.objects.filter(user__email="ani.wijaya@example.co.id").exists()
    assert "Ani Wijaya" in page.get_by_test_id("team").inner_text()
    assert page.errors == [], page.errors


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_suggestion_is_tapped_and_a_typed_stranger_is_refused(
    sign_in: Callable[..., Any], personas: Personas
) -> None:
    _colleagues()
    page = sign_in(personas.coordinator, personas.password, viewport={"width": 390, "height": 844}, has_touch=True)
    page.goto(f"/programmes/{personas.programme.pk}/team/")
    page.locator("#id_person").fill("susanti")
    option = page.get_by_role("option", name="Ani Susanti")
    option.tap()
    assert page.locator("#id_person").input_value() == "ani.susanti@example.co.id"

    # Without a suggestion (no JavaScript, or typed blind) the server decides.
    page.locator("#id_person").fill("anita.left@example.co.id")
    with page.expect_navigation():
        page.get_by_test_id("team-add").get_by_role("button", name="Add").click()
    assert "Nobody you can choose here" in page.locator("main").inner_text()
    assert not ProgrammeRole.objects.filter(user__email="anita.left@example.co.id").exists()
    assert page.errors == [], page.errors
