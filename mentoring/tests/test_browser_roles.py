"""Every role's day, by clicking: on the seeded demo, each demo account signs in and, starting from its home
page and only by following the links it sees, reaches every page its role uses (agreement, plan, sessions,
check-in, orientation, results, approvals, report). Each page opens with no console error and no 4xx/5xx, and
axe finds no serious or critical WCAG 2.2 AA violation (conftest `new_page`). A page the role needs that no
visible link leads to fails the test: reachable only by typing its URL is a dead end.

Each account walks in one language, the languages alternating across the accounts so that every kind of role
is seen in English and in Bahasa Indonesia (WALK). An account whose walk language is not its own picks it with
the switcher in the collapsed menu at a phone's width. One sign-in per account, the phone's width and the
desktop's on the same page; pages on the way to a needed page are clicked once (along the longest trails).

Screenshots of every account's home page, desktop and phone, in its walk language, go to `screenshots/roles/`
(git-ignored) for a person to look at.
"""

from __future__ import annotations

import os
import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import Error as PlaywrightError

from conftest import accept_privacy_notice

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOTS = Path(__file__).resolve().parents[2] / "screenshots" / "roles"
PASSWORD = "mentoring-demo-2026"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PAGE_LIMIT = int(os.environ.get("ROLE_CRAWL_PAGES", "20"))
# Links a crawl must not follow: they sign out, change a setting, download a file or leave the pages.
SKIP = re.compile(
    r"logout|set-language|set_language|/export|\.csv|\.xlsx|/pdf/|\.ics|/print/|/admin/|/api/|template\.csv|"
    r"/download|/media/|/static/|/accounts/password|/privacy/export|\.json|/my-data"
)

# What each role uses, as URL names; each must be reachable by clicking from the account's home page.
COORDINATOR = {"programmes:dashboard", "programmes:match_run", "evaluation:report", "programmes:orientation_manage"}
MENTOR = {
    "programmes:agreement",
    "programmes:plan",
    "programmes:session_list",
    "programmes:session_detail",
    "programmes:orientation",
}
MENTEE = MENTOR | {"programmes:checkin_answer"}
# The demo accounts of the README (mentee.id and koordinator read Bahasa Indonesia by default).
NEEDS: dict[str, set[str]] = {
    "coordinator": COORDINATOR,
    "koordinator": {"programmes:dashboard", "programmes:match_run"},
    "mentor": MENTOR,
    "mentee": MENTEE,
    "mentee.id": MENTOR,
    "manager": {"programmes:manager_home", "programmes:enrolment_approval"},
    "hr": {"evaluation:reports", "evaluation:report"},
    "admin": {"evaluation:reports"},
}
# The language each account walks in: coordinators, mentors, mentees and reports each in both across accounts.
WALK = {
    "coordinator": "en",
    "koordinator": "id",
    "mentor": "id",
    "mentee": "en",
    "mentee.id": "id",
    "manager": "id",
    "hr": "en",
    "admin": "id",
}


@dataclass
class Crawl:
    """What one account reached from its home page: path → the chain of paths clicked to get there."""

    trail: dict[str, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def names(self) -> dict[str, str]:
        """URL name → one path that has it."""
        found: dict[str, str] = {}
        for path in self.trail:
            name = url_name(path)
            if name:
                found.setdefault(name, path)
        return found


def url_name(path: str) -> str:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return ""
    return f"{match.namespace}:{match.url_name}" if match.namespace else str(match.url_name)


def visible_links(page: Any) -> list[str]:
    """The same-site paths of the links a person can see (and so click) on the page, in page order."""
    hrefs = page.eval_on_selector_all(
        "a[href]",
        """els => els.filter(e => e.offsetParent !== null || e.getClientRects().length)
                   .map(e => e.getAttribute('href'))""",
    )
    paths = []
    for href in hrefs:
        if href.startswith("/") and not href.startswith("//") and not SKIP.search(href):
            paths.append(href.split("#")[0])
    return paths


# Counts the htmx requests in flight, so that a walk reads a page only once its load-triggered parts (the home
# page's panels) have been swapped in: their placeholder links vanish then, and a trail must not go through one.
HTMX_PENDING = """
window.__htmxPending = 0;
document.addEventListener("htmx:beforeRequest", () => { window.__htmxPending += 1; });
for (const done of ["htmx:afterSettle", "htmx:responseError", "htmx:sendError", "htmx:swapError"]) {
  document.addEventListener(done, () => { window.__htmxPending = Math.max(0, window.__htmxPending - 1); });
}
"""


def settled(page: Any) -> None:
    """Wait until the page's htmx requests (its parts loaded after the page) are answered and swapped in."""
    page.wait_for_function("() => (window.__htmxPending || 0) === 0")


def open_path(page: Any, path: str, statuses: dict[str, int]) -> None:
    try:
        response = page.goto(path)
    except PlaywrightError as exc:  # a link to a file: the browser downloads it, no page to check
        if "Download is starting" not in str(exc):
            raise
        statuses[path] = 0
        return
    statuses[path] = response.status if response else 0
    settled(page)


def raw_codes(page: Any) -> list[str]:
    """Stored codes a person should never read: a choice value with an underscore ("on_hold",
    "needs_assessment") shown as a word of the page's main text, or a bare "#12" standing for a record."""
    from people.labels import _choices

    codes = {code for code in _choices() if "_" in code}
    text = page.locator("main").inner_text()
    words = set(re.findall(r"[a-z]+(?:_[a-z]+)+", text))
    return sorted(words & codes) + re.findall(r"(?<![&\w])#\d+\b", text)


def crawl(page: Any, home: str, needs: set[str]) -> Crawl:
    """Breadth first from the home page over visible links, at most PAGE_LIMIT pages."""
    result = Crawl({home: []})
    statuses: dict[str, int] = {}
    queue = deque([home])
    seen = {home}
    while queue and len(statuses) < PAGE_LIMIT:
        path = queue.popleft()
        open_path(page, path, statuses)
        if statuses[path] == 0:
            continue
        if statuses[path] >= 400:
            result.problems.append(f"{path} answered {statuses[path]}")
            continue
        if codes := raw_codes(page):
            result.problems.append(f"{path} shows raw codes: {', '.join(codes)}")
        for link in visible_links(page):
            if link not in seen:
                seen.add(link)
                result.trail[link] = [*result.trail[path], link]
                # The role's own pages first, so a short crawl still reaches them and what lies behind them.
                queue.appendleft(link) if url_name(link) in needs else queue.append(link)
    result.trail = {p: t for p, t in result.trail.items() if 0 < statuses.get(p, 0) < 400}
    return result


def longest_trails(trails: list[list[str]]) -> list[list[str]]:
    """The trails that are not the start of another: clicking along those passes every link of the others."""
    unique = {tuple(t) for t in trails}
    return [list(t) for t in sorted(unique) if not any(len(o) > len(t) and o[: len(t)] == t for o in unique)]


def click_along(page: Any, home: str, trail: list[str]) -> None:
    """From the home page, click the visible link to each path of the trail in turn (no typed URL)."""
    page.goto(home)
    for path in trail:
        settled(page)
        link = page.locator(f'a[href="{path}"], a[href^="{path}#"]').filter(visible=True).first
        with page.expect_navigation():
            link.click()
        assert urlsplit(page.url).path == urlsplit(path).path, f"clicking towards {path} led to {page.url}"


def choose_language(page: Any, code: str) -> None:
    """Pick a language with the switcher in the navigation, as a person would."""
    switcher = page.locator("select[name=language]").filter(visible=True).first
    if switcher.input_value() != code:
        with page.expect_navigation():
            switcher.select_option(code)
    assert page.locator("html").get_attribute("lang") == code


def shoot(page: Any, account: str, language: str, viewport: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{account}-{language}-{viewport}.png"), full_page=True)


def sign_in_demo(new_page: Callable[..., Any], account: str, **options: Any) -> Any:
    page = new_page(**options)
    page.context.add_init_script(HTMX_PENDING)
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(f"{account}@demo.example")
    page.locator("input[name=password]").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form button[type=submit]").click()
    accept_privacy_notice(page)
    return page


def accounts() -> list[str]:
    """The accounts of the README that the seeded demo has."""
    from people.models import User

    emails = set(User.objects.filter(email__endswith="@demo.example").values_list("email", flat=True))
    return [account for account in NEEDS if f"{account}@demo.example" in emails]


def phone_then_desktop(page: Any, account: str, language: str) -> None:
    """The home page at a phone's width, in the walk language (picked in the collapsed menu if need be), then
    at the desktop's: one sign-in per account (test_browser checks a choice is remembered at the next one)."""
    page.set_viewport_size(PHONE)
    if page.locator("html").get_attribute("lang") != language:
        page.locator("button.navbar-toggler").click()
        choose_language(page, language)
    shoot(page, account, language, "phone")
    page.set_viewport_size(DESKTOP)
    assert page.locator("html").get_attribute("lang") == language
    shoot(page, account, language, "desktop")


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(3000)
def test_every_demo_account_reaches_the_pages_of_its_role_by_clicking_in_its_language(
    seeded_demo: str, new_page: Callable[..., Any]
) -> None:
    found = accounts()
    assert {"coordinator", "mentor", "mentee", "hr", "admin"} <= set(found)
    assert {WALK[a] for a in found} == {"en", "id"}
    missing: list[str] = []
    problems: list[str] = []
    for account in found:
        language = WALK[account]
        page = sign_in_demo(new_page, account)
        home = urlsplit(page.url).path
        phone_then_desktop(page, account, language)
        reached = crawl(page, home, NEEDS[account])
        problems += [f"{account}: {p}" for p in reached.problems]
        names = reached.names()
        missing += [f"{account}: {name}" for name in sorted(NEEDS[account] - set(names))]
        # Clicked, not typed: from the home page along the links to each page the role needs.
        for trail in longest_trails([reached.trail[names[n]] for n in NEEDS[account] & set(names)]):
            click_along(page, home, trail)
            assert page.locator("html").get_attribute("lang") == language
        problems += [f"{account}: console: {e}" for e in page.errors]
    assert not problems, "\n".join(problems)
    assert not missing, "pages a role needs that no link on its way from the home page leads to:\n" + "\n".join(missing)
