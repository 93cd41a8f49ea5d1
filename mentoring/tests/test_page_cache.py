"""Heavy pages kept rendered (mentoring.page_cache): a reader who comes back gets the kept page without its data
being read, a write through any page or service shows on the next page, the forms in a kept page still pass
the CSRF check, a message shown once is never kept, and a page is never handed to another reader, language,
query or CSRF secret."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from conftest import Personas
from evaluation.services.metrics import metric_create
from mentoring.page_cache import page_key
from programmes.core.services.notifications import notification_create
from programmes.design.services.design import team_member_add, team_member_remove
from programmes.matching.services.jobs import match_run_start
from programmes.matching.services.matching import match_run_create
from programmes.models import BusinessGoal, Concern, CoordinatorTask, ProgrammeRole
from programmes.support.services.concerns import concern_raise
from programmes.support.services.support import coordinator_task_create
from programmes.tests.matching_helpers import coordinator_of, matching_programme, pool_mentee, pool_mentor
from programmes.tests.support_helpers import persona_pair

pytestmark = pytest.mark.django_db


def _signed_in(user: object, **kwargs: object) -> Client:
    client = Client(**kwargs)  # type: ignore[arg-type]
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _get(client: Client, url: str) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in queries.captured_queries]


def _concerns_panel(page: str) -> str:
    return page.split('id="h-concerns"')[1].split("</section>")[0]


def test_the_dashboard_comes_back_from_the_cache_and_shows_a_concern_raised_since(personas: Personas) -> None:
    relationship = persona_pair(personas, started=timezone.now() - timedelta(days=30))
    client = _signed_in(personas.coordinator)
    url = reverse("programmes:dashboard", args=[personas.programme.pk])
    _first, _sql = _get(client, url)  # renders, and sets the CSRF cookie the kept page is tied to
    _kept, sql = _get(client, url)
    again, sql_again = _get(client, url)
    assert not [q for q in sql_again if "programmes_concern" in q or "programmes_relationshipmember" in q]
    assert personas.mentee.get_full_name() not in _concerns_panel(again)

    concern_raise(
        actor=personas.mentee,
        relationship=relationship,
        category=Concern.Category.OTHER,
        severity=Concern.Severity.LOW,
        description="Mutasi gudang Cikarang",
        confidential=False,
    )
    after, sql = _get(client, url)
    assert [q for q in sql if "programmes_concern" in q], "the concern moved the programme's data version on"
    assert personas.mentee.get_full_name() in _concerns_panel(after)


def test_a_form_in_a_kept_dashboard_still_passes_the_csrf_check(personas: Personas) -> None:
    relationship = persona_pair(personas, started=timezone.now() - timedelta(days=30))
    task, _created = coordinator_task_create(
        relationship=relationship,
        kind=CoordinatorTask.Kind.CONTACT_REQUESTED,
        title="Telepon Ibu Siti",
        detail="",
        dedupe_key="fragment-test",
    )
    client = _signed_in(personas.coordinator, enforce_csrf_checks=True)
    url = reverse("programmes:dashboard", args=[personas.programme.pk])
    _get(client, url)  # sets the CSRF cookie
    _get(client, url)  # renders and keeps the part
    page, sql = _get(client, url)
    assert not [q for q in sql if "programmes_coordinatortask" in q], "the second page is the kept page"
    action = reverse("programmes:task_done", args=[personas.programme.pk, task.pk])
    form = re.search(rf'action="{re.escape(action)}">.*?name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert form, "the task's form is in the kept page"
    assert client.post(action, {"csrfmiddlewaretoken": form[1]}).status_code == 302
    task.refresh_from_db()
    assert task.state == CoordinatorTask.State.DONE
    shown = _get(client, url)[0]
    assert "Telepon Ibu Siti" not in shown, "ticking it off moved the version on"
    assert "Task done." in shown
    _get(client, url)
    assert "Task done." not in _get(client, url)[0], "a page with a message shown once is never kept"


def test_the_kept_dashboard_follows_the_readers_unread_count(personas: Personas) -> None:
    persona_pair(personas, started=timezone.now() - timedelta(days=30))
    client = _signed_in(personas.coordinator)
    url = reverse("programmes:dashboard", args=[personas.programme.pk])
    for _ in range(3):
        page = _get(client, url)[0]
    assert "app-badge-unread" not in page
    notification_create(recipient=personas.coordinator, kind="welcome", dedupe_key="page-cache-unread")
    assert "app-badge-unread" in _get(client, url)[0]


def test_the_report_shows_a_business_goal_renamed_since_it_was_kept(personas: Personas) -> None:
    coordinator = _signed_in(personas.coordinator)
    goals = reverse("programmes:goals", args=[personas.programme.pk])
    posted = {"statement": "Perpendek siklus penjualan", "priority": 1, "owner": personas.coordinator.email}
    assert coordinator.post(goals, posted).status_code == 302
    goal = BusinessGoal.objects.get(programme=personas.programme)
    fields = {"goal": goal, "name": "Hari menuju kesepakatan", "unit": "days", "direction": "lower"}
    fields["kind"] = "continuous"
    metric_create(actor=personas.coordinator, programme=personas.programme, fields=fields)
    hr = _signed_in(personas.hr_analyst)
    url = reverse("evaluation:report", args=[personas.programme.pk])
    _get(hr, url)  # sets the CSRF cookie
    assert "Perpendek siklus penjualan" in _get(hr, url)[0]
    _kept, sql = _get(hr, url)
    assert not [q for q in sql if "evaluation_outcomemetric" in q], "the third page is the kept page"

    posted["statement"] = "Perpendek siklus penjualan 20%"
    edit = reverse("programmes:goal_edit", args=[personas.programme.pk, goal.pk])
    assert coordinator.post(edit, posted).status_code == 302
    assert "Perpendek siklus penjualan 20%" in _get(hr, url)[0]


def test_a_kept_part_is_only_for_its_reader_language_query_and_csrf_secret(personas: Personas) -> None:
    factory = RequestFactory()

    def key(user: object, secret: str | None = "s" * 32, query: str = "", language: str = "en") -> str | None:
        request = factory.get("/page/" + query)
        request.user = user  # type: ignore[assignment]
        if secret:
            request.META["CSRF_COOKIE"] = secret
        with translation.override(language):
            return page_key(request, "page", (1, 7))

    base = key(personas.coordinator)
    assert base is not None
    assert key(personas.coordinator) == base
    others = [
        key(personas.hr_analyst),
        key(personas.coordinator, secret="t" * 32),
        key(personas.coordinator, query="?at_risk_page=2"),
        key(personas.coordinator, language="id"),
    ]
    assert base not in others
    assert len(set(others)) == len(others)
    assert key(personas.coordinator, secret=None) is None, "no CSRF secret yet: the part is rendered, not kept"


def test_a_kept_match_review_shows_a_run_started_since_and_is_not_kept_while_it_runs() -> None:
    programme = matching_programme()
    for _ in range(3):
        pool_mentee(programme)
    for _ in range(2):
        pool_mentor(programme, capacity=1)
    coordinator = coordinator_of(programme)
    run = match_run_create(actor=coordinator, programme=programme)
    client = _signed_in(coordinator)
    url = reverse("programmes:match_run", args=[programme.pk, run.pk])
    for _ in range(3):
        page, sql = _get(client, url)
    assert 'data-testid="job-progress"' not in page
    assert not [q for q in sql if "people_backgroundjob" in q], "the kept page"

    match_run_start(actor=coordinator, programme=programme)  # queued; the worker has not taken it yet
    for _ in range(2):
        page, sql = _get(client, url)
        assert 'data-testid="job-progress"' in page
        assert [q for q in sql if "people_backgroundjob" in q], "rendered each time while the run is in the background"


def test_a_kept_programme_page_costs_three_queries_and_a_removed_coordinator_is_refused_at_once(
    personas: Personas,
) -> None:
    """Session, user, and one query for the programme with the reader's staff roles and unread count
    (programmes.access_pages); the access check still runs on every request, kept page or not."""
    persona_pair(personas, started=timezone.now() - timedelta(days=30))
    second = personas.hr_analyst  # a second coordinator, so that the first may be removed
    team_member_add(actor=personas.coordinator, programme=personas.programme, person=second, role="coordinator")
    client = _signed_in(personas.coordinator)
    urls = [
        reverse("programmes:dashboard", args=[personas.programme.pk]),
        reverse("evaluation:report", args=[personas.programme.pk]),
    ]
    for url in urls:
        _get(client, url)
        _get(client, url)
        kept, sql = _get(client, url)
        assert len(sql) == 3, sql
        assert "programmes_programmerole" in sql[2]
        assert "programmes_notification" in sql[2]
        assert "app-badge-unread" not in kept

    notification_create(recipient=personas.coordinator, kind="welcome", dedupe_key="kept-unread-now")
    assert "app-badge-unread" in _get(client, urls[0])[0]

    own = ProgrammeRole.objects.get(programme=personas.programme, user=personas.coordinator, role="coordinator")
    team_member_remove(actor=second, member=own)
    assert client.get(urls[0]).status_code == 404
