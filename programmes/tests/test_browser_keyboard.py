"""Keyboard only (WCAG 2.1.1, 2.4.7): a mentee signs in, reaches the session form from the home page and logs a
session without touching the mouse, and every control the keyboard lands on shows where the focus is. axe
checks every page on the way (conftest `new_page`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from conftest import Personas
from programmes.models import MentoringSession
from programmes.tests.support_helpers import persona_pair

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# True when the focused element, or the chip label drawn for a visually hidden radio or checkbox, shows a focus
# indicator: an outline or a box shadow.
FOCUS_SHOWN = """() => {
  let el = document.activeElement;
  if (!el) return false;
  if (el.classList.contains("btn-check") && el.nextElementSibling) el = el.nextElementSibling;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 1;
  return outline || (style.boxShadow && style.boxShadow !== "none");
}"""


def tab_to(page: Any, predicate: str, *, limit: int = 120) -> None:
    """Press Tab until `predicate` (a JS function of the focused element) holds; the focus must be visible
    on every stop on the way."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement === document.body"):
            continue  # between the page and the browser's own controls
        assert page.evaluate(FOCUS_SHOWN), "the focused element shows no focus indicator: " + page.evaluate(
            "() => document.activeElement.outerHTML.slice(0, 200)"
        )
        if page.evaluate(f"() => ({predicate})(document.activeElement)"):
            return
    raise AssertionError(f"the keyboard never reached {predicate}")


def by_name(name: str) -> str:
    return f'(el) => el.name === "{name}"'


@pytest.mark.django_db(transaction=True)
def test_a_mentee_logs_a_session_with_the_keyboard_alone(new_page: Callable[..., Any], personas: Personas) -> None:
    relationship = persona_pair(personas)
    page = new_page()
    page.goto("/accounts/login/")
    tab_to(page, by_name("username"))
    page.keyboard.type(personas.mentee.email)
    tab_to(page, by_name("password"))
    page.keyboard.type(personas.password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.a11y()
    if "/privacy-notice/" in page.url:  # shown once, at the first sign-in
        with page.expect_navigation():
            tab_to(page, '(el) => el.dataset.testid === "accept-notice"')
            page.keyboard.press("Enter")
        page.a11y()

    # Home → the relationship → the session form, by Tab and Enter.
    with page.expect_navigation():
        tab_to(page, f'(el) => el.tagName === "A" && el.textContent.includes("{personas.mentor.full_name}")')
        page.keyboard.press("Enter")
    with page.expect_navigation():
        tab_to(page, '(el) => el.dataset.testid === "log-session"')
        page.keyboard.press("Enter")
    page.a11y()

    tab_to(page, by_name("minutes"))
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("45")
    tab_to(page, by_name("mode"))  # the group's checked chip; arrows move the choice
    for _ in range(6):
        if page.evaluate("() => document.activeElement.value") == "in_person":
            break
        page.keyboard.press("ArrowRight")
    assert page.evaluate("() => document.activeElement.checked && document.activeElement.value") == "in_person"
    tab_to(page, by_name("topics"))
    page.keyboard.type("Planning the quarterly review")
    with page.expect_navigation():
        tab_to(page, '(el) => el.dataset.testid === "save-session"')
        page.keyboard.press("Enter")
    assert f"/relationships/{relationship.pk}/" in page.url
    page.a11y()

    session = MentoringSession.objects.get()
    assert (session.minutes, session.mode, session.topics) == (45, "in_person", "Planning the quarterly review")
    assert session.relationship_id == relationship.pk
    assert page.errors == []
