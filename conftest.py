"""Fixtures every test can use: named personas, and gates for tests that need real services."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from people.demo import MIN_PEOPLE
from people.models import User
from people.tests.factories import PASSWORD, OrgUnitFactory, UserFactory
from programmes.models import Enrolment, Programme, ProgrammeRole
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory, ProgrammeRoleFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") == "1"


def missing_service(reason: str) -> None:
    """Skip a test whose service is absent, or fail it when CI demands every service."""
    if REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture
def redis_url() -> str:
    """The Redis URL of a reachable server (tests marked `redis` take this)."""
    url = os.environ.get("REDIS_URL", "")
    if not url:
        missing_service("REDIS_URL is not set")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        missing_service(f"Redis at {url} does not answer: {exc}")
    return url


@pytest.fixture
def require_postgres(db: None) -> None:
    """For tests whose point is PostgreSQL behaviour (row locks, concurrency)."""
    if connection.vendor != "postgresql":
        missing_service("DATABASE_URL does not point at PostgreSQL")


@dataclass
class Personas:
    """The cast of every permission test: one programme, its people, and an outsider in another one."""

    programme: Programme
    other_programme: Programme
    coordinator: User
    mentor: User
    mentee: User
    hr_analyst: User
    outsider: User
    admin: User
    password: str = PASSWORD

    def all(self) -> dict[str, User | None]:
        return {
            "anonymous": None,
            "outsider": self.outsider,
            "mentee": self.mentee,
            "mentor": self.mentor,
            "coordinator": self.coordinator,
            "hr_analyst": self.hr_analyst,
            "admin": self.admin,
        }


@pytest.fixture
def personas(db: None) -> Personas:
    """A coordinator, a mentor, a mentee, an HR analyst, a site admin, and an outsider in another programme."""
    unit = OrgUnitFactory(code="SALES", name="Sales")
    programme = ProgrammeFactory(name="Sales leadership 2026")
    other = ProgrammeFactory(name="Engineering circles")
    coordinator = UserFactory(email="coordinator@example.co.id", full_name="Sari Wulandari", org_unit=unit)
    mentor = UserFactory(email="mentor@example.co.id", full_name="Budi Santoso", org_unit=unit, grade=8)
    mentee = UserFactory(email="mentee@example.co.id", full_name="Dewi Lestari", org_unit=unit, grade=4, manager=mentor)
    hr = UserFactory(email="hr@example.co.id", full_name="Rina Hartono", is_hr_analyst=True)
    outsider = UserFactory(email="outsider@example.co.id", full_name="Agus Prasetyo")
    admin = UserFactory(email="admin@example.co.id", full_name="Admin", is_superuser=True, is_staff=True)
    ProgrammeRoleFactory(programme=programme, user=coordinator, role=ProgrammeRole.Role.COORDINATOR)
    EnrolmentFactory(programme=programme, person=mentor, role=Enrolment.Role.MENTOR)
    EnrolmentFactory(programme=programme, person=mentee, role=Enrolment.Role.MENTEE)
    EnrolmentFactory(programme=other, person=outsider, role=Enrolment.Role.MENTEE)
    return Personas(programme, other, coordinator, mentor, mentee, hr, outsider, admin)


# The seeded demo is shared by every test that reads it (evaluation/tests/test_demo.py, the per-role browser walk):
# seeding takes minutes, so it happens once per run, at the smallest size the demo supports (which so stays tested).
DEMO_PEOPLE = MIN_PEOPLE


@pytest.fixture(scope="session")
def seeded_demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[str]:
    """`seed_demo --people DEMO_PEOPLE`, committed once for the whole run; its output. Emptied at the end.

    Tests that take it run last, together (`pytest_collection_modifyitems`), so no other test sees the demo
    and none empties the database under them; read-only tests roll back as usual, and a live-server test
    (whose teardown empties the database) runs after all the others. Under pytest-xdist each worker runs its
    share of the tests in this order, in its own database: a worker that gets demo tests seeds its own demo.
    """
    from django.core.management import call_command
    from django.test import override_settings

    out = io.StringIO()
    with django_db_blocker.unblock(), override_settings(DEBUG=True):
        call_command("seed_demo", people=DEMO_PEOPLE, stdout=out)
    yield out.getvalue()
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests of the seeded demo last (after pytest-django's own ordering), live-server ones at the very end."""
    demo = [item for item in items if "seeded_demo" in getattr(item, "fixturenames", ())]
    if demo:
        rest = [item for item in items if "seeded_demo" not in getattr(item, "fixturenames", ())]
        demo.sort(key=lambda item: "live_server" in getattr(item, "fixturenames", ()))
        items[:] = rest + demo


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling hosts this closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium driven by Playwright, one per test module (never `playwright install`)."""
    if not os.path.exists(CHROMIUM):
        missing_service(f"no chromium at {CHROMIUM}")
    # Playwright's sync API runs an event loop in this thread; Django's ORM must still be usable from it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def accept_privacy_notice(page: Any) -> None:
    """The first sign-in shows the privacy notice (issue 12); accept it and go on to the page asked for."""
    if "/accounts/privacy-notice/" in page.url:
        with page.expect_navigation():
            page.get_by_test_id("accept-notice").click()


@pytest.fixture
def new_page(browser: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    """Open a page in a fresh browser context on the live server. Every console error is collected on
    `page.errors`; axe-core checks every document the page loads (mentoring/tests/accessibility.py), and the
    test fails on any serious or critical WCAG 2.2 AA violation. `page.a11y()` checks the current page now."""
    from mentoring.tests import accessibility

    opened: list[tuple[Any, Any]] = []

    def open_page(*, viewport: dict[str, int] | None = None, **options: Any) -> Any:
        settings_ = {
            "base_url": live_server.url,
            "locale": "en-GB",
            "viewport": viewport or {"width": 1280, "height": 900},
        }
        context = browser.new_context(**(settings_ | options))
        context.set_default_timeout(8000)
        findings = accessibility.watch(context)
        opened.append((context, findings))
        page = context.new_page()
        page.errors = []
        page.findings = findings
        page.a11y = lambda: accessibility.check(page)
        page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        return page

    yield open_page
    failures: dict[str, list[dict[str, Any]]] = {}
    for context, findings in opened:
        for page in context.pages:
            # Wait for the last page's report (a failure is in findings); a closed page has nothing to check.
            with contextlib.suppress(Exception):
                accessibility.check(page)
        failures.update(findings.failures())
        context.close()
    if failures:
        pytest.fail(accessibility.describe(failures))


@pytest.fixture
def sign_in(new_page: Callable[..., Any]) -> Callable[..., Any]:
    """Open a fresh browser context signed in as `user` (see `new_page`: console errors, axe on every page)."""

    def open_as(user: User, password: str, *, viewport: dict[str, int] | None = None, **options: Any) -> Any:
        page = new_page(viewport=viewport, **options)
        page.goto("/accounts/login/")
        page.locator("input[name=username]").fill(user.email)
        page.locator("input[name=password]").fill(password)
        page.locator("form button[type=submit]").click()
        page.wait_for_url(lambda url: "/accounts/login" not in url)
        accept_privacy_notice(page)
        return page

    return open_as


@pytest.fixture(autouse=True)
def _english_by_default(settings: pytest.FixtureRequest) -> None:
    """Tests read English unless they switch language on purpose."""
    settings.LANGUAGE_CODE = "en"


def pytest_report_header() -> list[str]:
    db = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return [
        f"database: {db}; REDIS_URL: {os.environ.get('REDIS_URL') or 'unset'}; REQUIRE_SERVICES={int(REQUIRE_SERVICES)}"
    ]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty (local-memory) cache: rate-limit counters never leak between tests."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    backend = caches["default"]
    if isinstance(backend, LocMemCache):
        backend.clear()  # never a shared Redis: clearing that would touch other processes' keys
