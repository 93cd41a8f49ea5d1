"""In a real browser on a phone: the mentee reaches the development plan from the home page by clicking, the
page stays short (one row of actions per goal, each opening its own form), and progress recorded from the
opened form starts at the goal's current level. Screenshots go to $SCREENSHOT_DIR (/tmp/shots)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from conftest import Personas
from people.tests.factories import CompetencyFactory
from programmes.models import Enrolment, GoalProgress
from programmes.tests.preparation_helpers import goal
from programmes.tests.support_helpers import persona_pair

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/shots"))  # noqa: S108 (test screenshots, not secrets)


@pytest.mark.django_db(transaction=True)
def test_the_development_plan_is_short_on_a_phone_and_each_action_opens_its_form(
    sign_in: Any, personas: Personas
) -> None:
    persona_pair(personas)
    enrolment = Enrolment.objects.get(programme=personas.programme, person=personas.mentee)
    goals = [
        goal(enrolment, baseline=2, target=4, competency=CompetencyFactory(code=f"C{i}", name=f"Competency {i}"))
        for i in range(3)
    ]
    page = sign_in(personas.mentee, personas.password, viewport=PHONE)

    if "/privacy-notice/" in page.url:  # the first sign-in shows the privacy notice, then goes on home
        with page.expect_navigation():
            page.locator("main form button[type=submit]").first.click()
    page.goto("/")
    page.get_by_test_id("running-relationship").get_by_test_id("link-plan").click()
    page.wait_for_selector('[data-testid="goal"]')
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "plan-phone.png"), full_page=True)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 3000, height  # was about 7,000 px with three open forms per goal
    assert not page.locator('[data-testid="progress-form"]').first.is_visible()

    card = page.locator(f"#goal-{goals[0].pk}")
    card.get_by_test_id("open-progress").click()
    form = card.get_by_test_id("progress-form")
    assert form.is_visible()
    level = form.locator("select")
    assert level.input_value() == "2"  # the goal's current level, not 1
    level.select_option("3")
    form.locator("textarea").fill("Led the Q3 renewal call")
    with page.expect_navigation():
        form.get_by_role("button", name="Record").click()
    entry = GoalProgress.objects.get(goal=goals[0])
    assert (entry.level, entry.note) == (3, "Led the Q3 renewal call")

    page.locator(f"#goal-{goals[0].pk}").get_by_test_id("open-progress").click()
    assert page.locator(f"#goal-{goals[0].pk}").get_by_test_id("progress-form").locator("select").input_value() == "3"
    assert page.errors == []
