"""In a real browser (Debian's chromium): a mentee logs a session on a phone in a few taps, the mentor
confirms it, and the coordinator's dashboard draws its charts. Console errors (a CSP violation from an
inline script or style, a Chart.js failure) fail the test. Screenshots go to $SCREENSHOT_DIR (/tmp/shots)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from conftest import Personas, accept_privacy_notice
from programmes.models import Enrolment, MentoringSession, PrivateNote
from programmes.tests.support_helpers import SessionFactory, persona_pair

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/shots"))  # noqa: S108 (test screenshots, not secrets)


def _page(new_page: Callable[..., Any], *, phone: bool) -> Any:
    """A page with console errors collected and axe on every document (conftest `new_page`)."""
    options: dict[str, Any] = {"timezone_id": "Asia/Jakarta"}
    if phone:
        options.update(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    return new_page(**options)


def _log_in(page: Any, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in", exact=True).click()
    accept_privacy_notice(page)


@pytest.mark.django_db(transaction=True)
def test_a_mentee_logs_a_session_on_a_phone_and_the_mentor_confirms_it(
    new_page: Callable[..., Any], personas: Personas
) -> None:
    relationship = persona_pair(personas)
    page = _page(new_page, phone=True)
    _log_in(page, personas.mentee.email, personas.password)

    # From the home page's panel to the form, then a few taps: "We met" and now are the defaults.
    started = time.monotonic()
    page.get_by_test_id("running-relationship").get_by_role("link", name=f"With {personas.mentor.full_name}").click()
    page.get_by_test_id("log-session").click()
    form = page.get_by_test_id("session-form")
    form.locator("input[name=minutes]").fill("40")
    form.get_by_text("In person", exact=True).click()
    form.locator("input[name=topics]").fill("Preparing the Q3 account review")
    form.get_by_text("More: mentor roles, goals, notes").click()
    form.get_by_text("Coaching", exact=True).click()
    form.locator("textarea[name=private_notes]").fill("Felt rushed; ask about workload next time.")
    # The form fits a phone: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "session-log-phone.png"), full_page=True)
    form.get_by_test_id("save-session").first.click()
    page.wait_for_url(f"**/relationships/{relationship.pk}/support/")
    elapsed = time.monotonic() - started
    assert "Session logged" in page.content()
    assert elapsed < 60, f"logging took {elapsed:.1f} s"

    session = MentoringSession.objects.get()
    assert (session.status, session.mode, session.minutes, session.mentor_roles) == (
        "held",
        "in_person",
        40,
        ["coaching"],
    )
    assert abs(session.held_at - timezone.now()) < timedelta(minutes=5)
    assert PrivateNote.objects.get().author == personas.mentee
    assert page.errors == []

    # The mentor confirms it from their own phone; the mentee's private note is nowhere on their pages.
    mentor = _page(new_page, phone=True)
    _log_in(mentor, personas.mentor.email, personas.password)
    mentor.goto(f"/programmes/{personas.programme.pk}/relationships/{relationship.pk}/support/")
    mentor.get_by_test_id("panel-due").get_by_role("link").first.click()
    assert "Felt rushed" not in mentor.content()
    mentor.get_by_test_id("confirm-session").click()
    assert mentor.get_by_test_id("confirmation").inner_text().startswith("Confirmed")
    assert mentor.errors == []
    session.refresh_from_db()
    assert session.confirmed_by == personas.mentor


@pytest.mark.django_db(transaction=True)
def test_the_coordinators_dashboard_draws_its_charts_without_inline_script(
    new_page: Callable[..., Any], personas: Personas
) -> None:
    relationship = persona_pair(personas, started=timezone.now() - timedelta(days=60))
    for days in (3, 20, 40):
        SessionFactory(relationship=relationship, held_at=timezone.now() - timedelta(days=days))
    Enrolment.objects.filter(person=personas.mentee).update(state="matched")
    page = _page(new_page, phone=False)
    _log_in(page, personas.coordinator.email, personas.password)
    page.goto(f"/programmes/{personas.programme.pk}/dashboard/")
    page.wait_for_function("window.Chart && Chart.getChart('chart-sessions') && Chart.getChart('chart-satisfaction')")
    drawn = page.evaluate("Chart.getChart('chart-sessions').data.datasets[0].data.reduce((a, b) => a + b, 0)")
    assert drawn == 3
    page.get_by_text("As a table").first.click()
    assert page.get_by_test_id("sessions-table").is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "dashboard-desktop.png"), full_page=True)
    assert page.errors == []
