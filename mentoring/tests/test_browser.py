"""A real browser (Debian's chromium through Playwright) against the live server: log in, read the home
page in English, switch to Bahasa Indonesia with the switcher, and find the choice kept after logging in again.

Screenshots of the home page (desktop and a 390×844 phone) go to $SCREENSHOT_DIR (default /tmp/shots) so
that a person can look at the design.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import Personas, accept_privacy_notice

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/shots"))  # noqa: S108 - a place a person can look
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


class Session:
    """One browser context (its own cookies) that records every console error, CSP violations included."""

    def __init__(self, new_page: Callable[..., Any], viewport: dict[str, int]) -> None:
        self.page = new_page(viewport=viewport)  # console errors collected, axe on every document
        self.context = self.page.context
        self.errors: list[str] = self.page.errors

    def log_in(self, email: str, password: str, button: str = "Log in") -> None:
        self.page.goto("/accounts/login/")
        self.page.locator("input[name=username]").fill(email)
        self.page.locator("input[name=password]").fill(password)
        with self.page.expect_navigation():
            self.page.get_by_role("button", name=button, exact=True).click()
        accept_privacy_notice(self.page)

    def heading(self) -> str:
        return str(self.page.locator("h1").first.inner_text())

    def close(self) -> None:
        self.page.a11y()


@pytest.mark.django_db(transaction=True)
def test_coordinator_switches_to_indonesian_and_it_is_remembered_at_the_next_login(
    new_page: Callable[..., Any], personas: Personas
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    coordinator = personas.coordinator
    desktop = Session(new_page, DESKTOP)
    page = desktop.page

    desktop.log_in(coordinator.email, personas.password)
    assert page.locator("html").get_attribute("lang") == "en"
    assert desktop.heading() == "Good to see you, Sari"
    panel = page.get_by_test_id("panel-coordinator")
    assert panel.get_by_role("heading", name="Programmes you coordinate").is_visible()
    assert panel.get_by_role("link", name=personas.programme.name).is_visible()
    assert page.get_by_role("link", name="Today").get_attribute("aria-current") == "page"
    page.screenshot(path=str(SHOTS / "home-desktop-en.png"), full_page=True)

    # The switcher submits itself on change (static/js/app.js); no button needed.
    with page.expect_navigation():
        page.locator("#language-select").select_option("id")
    assert page.locator("html").get_attribute("lang") == "id"
    assert desktop.heading() == "Senang bertemu Anda, Sari"
    assert page.get_by_role("heading", name="Program yang Anda koordinasikan").is_visible()
    assert page.get_by_role("link", name="Hari ini").is_visible()
    assert page.get_by_role("link", name="Notifikasi").is_visible()
    assert page.locator("#language-select").input_value() == "id"
    page.screenshot(path=str(SHOTS / "home-desktop-id.png"), full_page=True)

    with page.expect_navigation():
        page.get_by_role("button", name="Keluar").click()
    assert page.url.endswith("/accounts/login/")
    assert desktop.heading() == "Masuk"  # the browser's language cookie, for a visitor
    assert desktop.errors == []
    desktop.close()

    # Another browser, no cookies: the login page is English, and once logged in the account's choice wins.
    phone = Session(new_page, PHONE)
    phone.log_in(coordinator.email, personas.password)
    assert phone.page.locator("html").get_attribute("lang") == "id"
    assert phone.heading() == "Senang bertemu Anda, Sari"
    assert phone.page.get_by_text(personas.programme.name).is_visible()
    phone.page.screenshot(path=str(SHOTS / "home-phone-id.png"), full_page=True)

    # On a phone the navigation folds into a menu that holds the switcher too.
    assert not phone.page.get_by_role("link", name="Program", exact=True).is_visible()
    phone.page.get_by_role("button", name="Buka menu").click()
    phone.page.locator("#nav-main.show:not(.collapsing)").wait_for()  # the slide-down has finished
    assert phone.page.get_by_role("link", name="Program", exact=True).is_visible()
    assert phone.page.locator("#language-select-menu").is_visible()
    phone.page.screenshot(path=str(SHOTS / "home-phone-menu-id.png"), full_page=True)
    with phone.page.expect_navigation():
        phone.page.locator("#language-select-menu").select_option("en")
    assert phone.heading() == "Good to see you, Sari"
    phone.page.screenshot(path=str(SHOTS / "home-phone-en.png"), full_page=True)
    assert phone.errors == []
    phone.close()

    coordinator.refresh_from_db()
    assert coordinator.preferred_language == "en"
