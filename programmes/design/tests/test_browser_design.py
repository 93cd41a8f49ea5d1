"""A coordinator takes a new programme from creation to design in a real browser (Debian's chromium).

Every guard on the way blocks with its message and a link to fix it, until its condition holds:
readiness decision and business goal (programmes), an outcome metric with a baseline (evaluation, through
its own pages), then the policies before implementation. The browser also records console errors, so a
CSP violation (inline script or style) fails the test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conftest import Personas
from programmes.models import Programme

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NAME = "Key account leaders 2027"


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    """A page with console errors collected and axe on every document (conftest `new_page`)."""
    return new_page()


def _blockers(page: Any) -> str:
    blockers = page.get_by_test_id("blockers")
    return str(blockers.inner_text()) if blockers.count() else ""


def _fix(page: Any, guard: str) -> None:
    """Follow the "Fix this" link of one blocker, as a coordinator would."""
    page.locator(f'[data-guard="{guard}"] a').click()


def _open_programme(page: Any) -> None:
    page.get_by_role("link", name=NAME).first.click()


@pytest.mark.django_db(transaction=True)
def test_coordinator_takes_a_new_programme_from_creation_to_design(page: Any, personas: Personas) -> None:
    # --- log in and create -------------------------------------------------------------------------------
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(personas.coordinator.email)
    page.locator("input[name=password]").fill(personas.password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in", exact=True).click()
    page.goto("/programmes/")
    page.get_by_role("link", name="New programme").click()
    page.get_by_label("Name").fill(NAME)
    page.get_by_label("Purpose").fill("Grow the next key-account leaders.")
    page.get_by_label("Format").select_option("one_to_one")
    page.get_by_role("button", name="Create programme").click()
    programme = Programme.objects.get(name=NAME)
    assert page.get_by_test_id("phase").inner_text() == "Needs assessment"

    # --- every needs-assessment guard blocks, with words and a link; no advance button -------------------
    text = _blockers(page)
    assert "Still missing before Planning" in text
    assert "Record a readiness decision" in text
    assert "Name at least one business goal" in text
    assert "outcome metric" in text  # the evaluation app's guard, through the registry
    assert page.get_by_test_id("advance").count() == 0

    # --- a business goal ------------------------------------------------------------------------------------
    _fix(page, "business_goals")
    page.get_by_label("Statement").fill("Grow key-account revenue by 15%")
    page.get_by_label("Strategic priority").select_option("1")
    page.get_by_role("combobox", name="Owner").fill(personas.mentor.email)
    page.get_by_role("button", name="Add goal").click()
    assert "Grow key-account revenue by 15%" in page.get_by_test_id("goals").inner_text()
    page.get_by_role("link", name="Overview").click()
    assert "Name at least one business goal" not in _blockers(page)

    # --- readiness: "not ready" still blocks; "go with conditions" passes ----------------------------------
    _fix(page, "readiness")
    for i in range(7):
        page.locator(f"select[name='items-{i}-score']").select_option("3")
    page.get_by_label("Not ready").check()
    page.get_by_role("button", name="Save assessment").click()
    assert page.get_by_test_id("decision").inner_text().startswith("Decision: Not ready")
    page.get_by_role("link", name="Overview").click()
    assert "“not ready”" in _blockers(page)
    _fix(page, "readiness")
    page.get_by_label("Go with conditions").check()
    page.get_by_role("button", name="Save assessment").click()
    assert "List the conditions" in page.content()  # refused until the conditions are listed
    page.get_by_label("Go with conditions").check()
    page.get_by_label("Conditions", exact=True).fill("Mentors' time confirmed by their managers")
    page.get_by_role("button", name="Save assessment").click()
    assert "Go with conditions" in page.get_by_test_id("decision").inner_text()
    page.get_by_role("link", name="Overview").click()
    text = _blockers(page)
    assert "readiness" not in text
    assert "outcome metric" in text

    # --- an outcome metric, on the evaluation app's own pages (its baselines come after screening) --------
    _fix(page, "baselines")
    page.get_by_test_id("metric-create").click()
    page.locator("input[name=name]").fill("Key-account revenue per quarter")
    page.locator("input[name=unit]").fill("IDR")
    page.locator("select[name=direction]").select_option("higher")
    page.locator("input[name=target_change]").fill("15")
    page.get_by_role("button", name="Save metric").click()
    page.goto(programme.get_absolute_url())

    # --- nothing missing: advance to planning, then design (no guards) ----------------------------------------
    assert _blockers(page) == ""
    page.get_by_test_id("advance").click()
    assert page.get_by_test_id("phase").inner_text() == "Planning"
    done = page.locator('.phase-step[data-phase="needs_assessment"]')
    assert "phase-done" in (done.get_attribute("class") or "")
    assert "by Sari Wulandari" in done.inner_text()
    page.get_by_test_id("advance").click()
    assert page.get_by_test_id("phase").inner_text() == "Design"

    # --- implementation needs the policies: blocked, fixed with the format's defaults --------------------------
    text = _blockers(page)
    assert "Still missing before Implementation" in text
    assert "agreement template" in text
    _fix(page, "policies")
    page.get_by_role("link", name="Facilitated one-to-one").click()  # fill the form with the format's defaults
    page.get_by_role("button", name="Save policies").click()
    assert "Policies saved." in page.content()
    page.get_by_role("link", name="Overview").click()

    # --- and an evaluation plan (the evaluation app's guard): made in one click on its own page -----------
    text = _blockers(page)
    assert "Plan the evaluation" in text
    _fix(page, "evaluation_plan")
    page.get_by_test_id("generate-plan").click()
    page.goto(programme.get_absolute_url())
    assert _blockers(page) == ""
    assert page.get_by_test_id("advance").inner_text() == "Move to Implementation"

    programme.refresh_from_db()
    assert programme.phase == Programme.Phase.DESIGN
    assert page.errors == [], f"console errors (CSP?): {page.errors}"
