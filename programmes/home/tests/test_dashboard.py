"""The coordinator's dashboard (what needs them today, how the programme goes) and the participant's home
panels; the dashboard's query count does not grow with relationships, sessions or check-ins."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import Personas
from programmes.home.selectors.dashboard import LIMIT, dashboard_for_programme
from programmes.models import (
    CheckIn,
    Concern,
    CoordinatorTask,
    Enrolment,
    OrientationModule,
    Relationship,
    RelationshipHealth,
)
from programmes.preparation.services.orientation import orientation_complete
from programmes.support.services.reminders import support_sweep
from programmes.tests.factories import RelationshipFactory, RelationshipMemberFactory
from programmes.tests.preparation_helpers import module
from programmes.tests.support_helpers import (
    SessionFactory,
    make_programme_runnable,
    new_pair,
    open_checkin,
    persona_pair,
)

pytestmark = pytest.mark.django_db


def _dashboard(client: Client, p: Personas) -> str:
    client.force_login(p.coordinator)
    response = client.get(reverse("programmes:dashboard", args=[p.programme.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_dashboard_lists_at_risk_pairs_with_their_reason_and_overdue_contacts(
    client: Client, personas: Personas
) -> None:
    persona_pair(personas, started=timezone.now() - timedelta(days=30))
    support_sweep()
    page = _dashboard(client, personas)
    risk = page[page.index('data-testid="panel-at-risk"') : page.index('data-testid="panel-overdue-contacts"')]
    assert personas.mentee.full_name in risk
    assert "No session logged for 30 days" in risk
    contacts = page[
        page.index('data-testid="panel-overdue-contacts"') : page.index('data-testid="panel-open-concerns"')
    ]
    assert personas.mentor.full_name in contacts


def test_the_dashboard_shows_concerns_tasks_unsigned_agreements_and_pending_proposals(
    client: Client, personas: Personas
) -> None:
    relationship = persona_pair(personas)
    Concern.objects.create(
        relationship=relationship,
        programme=personas.programme,
        raised_by=personas.mentee,
        category="fit",
        severity="high",
    )
    CoordinatorTask.objects.create(
        programme=personas.programme, relationship=relationship, kind="inactive", title="Ring Dewi", dedupe_key="t1"
    )
    accepted = RelationshipFactory(programme=personas.programme, state=Relationship.State.ACCEPTED)
    RelationshipMemberFactory(relationship=accepted)
    proposed = RelationshipFactory(programme=personas.programme)
    member = RelationshipMemberFactory(relationship=proposed)
    board = dashboard_for_programme(programme=personas.programme)
    # The running pair has no signed agreement either: both it and the accepted pair wait (as the overview says).
    assert (board.open_concerns.total, board.tasks.total, board.unsigned.total, board.pending_proposals.total) == (
        1,
        1,
        2,
        1,
    )
    page = _dashboard(client, personas)
    assert "Ring Dewi" in page
    assert "Fit or expectations" in page
    assert member.enrolment.person.get_full_name() in page


def test_sessions_per_month_and_satisfaction_come_as_a_chart_and_a_table(client: Client, personas: Personas) -> None:
    relationship = persona_pair(personas, started=timezone.now() - timedelta(days=90))
    for days in (1, 2, 3):
        SessionFactory(relationship=relationship, held_at=timezone.now() - timedelta(hours=days))
    SessionFactory(relationship=relationship, held_at=timezone.now() - timedelta(hours=4), status="cancelled")
    for person, score in ((personas.mentor, 4), (personas.mentee, 2)):
        checkin = open_checkin(relationship, person)
        CheckIn.objects.filter(pk=checkin.pk).update(answered_at=timezone.now(), satisfaction=score, progress=3)
    page = _dashboard(client, personas)
    data = json.loads(re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', page).group(1))
    assert len(data["labels"]) == 12
    assert data["sessions"][-1] == 3
    assert data["satisfaction"][-1] == 3.0
    assert data["expected"][-1] == round(1 * 30 / 14, 1)
    table = page[page.index('data-testid="sessions-table"') :]
    assert re.search(r"<td class=\"text-end\">3</td>", table)
    # Nothing inline for the CSP: every script is a file or JSON data.
    for tag in re.findall(r"<script[^>]*>", page):
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_relationships_by_state_and_orientation_completion(client: Client, personas: Personas) -> None:
    persona_pair(personas)
    Enrolment.objects.create(programme=personas.programme, person=personas.outsider, role="mentee", state="accepted")
    board = dashboard_for_programme(programme=personas.programme)
    states = {state: n for state, _label, n in board.by_state}
    assert states["active"] == 1
    assert states["closed"] == 0
    # No orientation module: nothing to complete, so no figure (not a vacuous 100 %).
    assert (board.oriented, board.to_orient, board.orientation_percent) == (0, 0, None)
    mentee_module = module(personas.programme, OrientationModule.Audience.MENTEE)
    module(personas.programme, OrientationModule.Audience.MENTOR, key="mentor-basics")
    orientation_complete(
        actor=personas.mentee, module=mentee_module, audiences={"mentee"}, language="en", acknowledged=True
    )
    board = dashboard_for_programme(programme=personas.programme)
    assert (board.oriented, board.to_orient, board.orientation_percent) == (1, 2, 33)


def _fill(programme: object, coordinator: object, *, pairs: int, sessions: int, checkins: int) -> None:
    """A programme with at-risk pairs, overdue contacts, concerns, tasks, sessions and check-ins."""
    make_programme_runnable(programme)  # type: ignore[arg-type]  # the sweep only looks after running programmes
    made = [new_pair(programme, started=timezone.now() - timedelta(days=50)) for _ in range(pairs)]  # type: ignore[arg-type]
    for i, relationship in enumerate(made):
        for n in range(sessions):
            SessionFactory(relationship=relationship, held_at=timezone.now() - timedelta(days=40 + n))
        for person in relationship.members.values_list("enrolment__person", flat=True)[:checkins]:
            checkin = CheckIn.objects.create(
                relationship=relationship,
                programme=relationship.programme,
                respondent_id=person,
                round=1,
                due_on=timezone.localdate(),
                answered_at=timezone.now(),
                satisfaction=4,
                progress=3,
            )
            assert checkin.pk
        Concern.objects.create(
            relationship=relationship, programme=relationship.programme, raised_by_id=person, category="time"
        )
        CoordinatorTask.objects.create(
            programme=relationship.programme,
            relationship=relationship,
            kind="inactive",
            title=f"t{i}",
            dedupe_key=f"fill:{relationship.pk}",
        )
        accepted = RelationshipFactory(programme=relationship.programme, state=Relationship.State.ACCEPTED)
        RelationshipMemberFactory(relationship=accepted)
    support_sweep()
    assert RelationshipHealth.objects.filter(at_risk=True).count() >= pairs


def test_the_dashboards_query_count_does_not_grow_with_the_programme(client: Client, personas: Personas) -> None:
    client.force_login(personas.coordinator)
    url = reverse("programmes:dashboard", args=[personas.programme.pk])
    client.get(url)  # the CSRF cookie: from now on the page is kept (mentoring.page_cache)
    counts = []
    for pairs, sessions, checkins in ((2, 1, 1), (30, 6, 2)):
        _fill(personas.programme, personas.coordinator, pairs=pairs, sessions=sessions, checkins=checkins)
        cache.clear()  # the figures and the page kept in the cache are computed and rendered again
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    with CaptureQueriesContext(connection) as cached:
        assert client.get(url).status_code == 200
    assert counts[0] == counts[1], counts
    assert counts[1] <= 30, counts
    assert len(cached) < counts[1]
    assert dashboard_for_programme(programme=personas.programme).at_risk.more > 0  # the long list was cut


def test_the_participants_home_shows_the_next_session_goals_and_what_is_due(client: Client, personas: Personas) -> None:
    relationship = persona_pair(personas)
    Enrolment.objects.filter(person=personas.mentee).update(goals="Negotiate with key accounts")
    upcoming = SessionFactory(
        relationship=relationship, status="scheduled", held_at=timezone.now() + timedelta(days=2), topics="Q3 plan"
    )
    open_checkin(relationship, personas.mentee)
    SessionFactory(relationship=relationship, logged_by=personas.mentor, confirmation="pending")
    client.force_login(personas.mentee)
    page = client.get(reverse("home")).content.decode()
    panel = page[page.index('data-testid="running-relationship"') :]
    assert personas.mentor.full_name in panel
    assert "Next session:" in panel
    assert timezone.localtime(upcoming.held_at).strftime("%H:%M") in panel
    assert "Answer check-in 1" in panel
    assert "Confirm the session of" in panel
    assert 'data-testid="relationship-links"' in panel


def test_the_coordinators_home_links_to_the_dashboard_of_a_running_programme(
    client: Client, personas: Personas
) -> None:
    persona_pair(personas)
    client.force_login(personas.coordinator)
    page = client.get(reverse("home")).content.decode()
    assert reverse("programmes:dashboard", args=[personas.programme.pk]) in page


def test_a_pair_silent_since_its_start_is_at_risk_and_its_contact_overdue_before_any_sweep(
    client: Client, personas: Personas
) -> None:
    quiet = persona_pair(personas, started=timezone.now() - timedelta(days=60))
    fresh = new_pair(personas.programme, started=timezone.now() - timedelta(days=2))
    RelationshipHealth.objects.filter(relationship=quiet).delete()  # never swept: no rollup row at all
    board = dashboard_for_programme(programme=personas.programme)
    assert [row.obj.pk for row in board.at_risk.rows] == [quiet.pk]
    assert [row.obj.pk for row in board.overdue_contacts.rows] == [quiet.pk]
    page = _dashboard(client, personas)
    risk = page[page.index('data-testid="panel-at-risk"') : page.index('data-testid="panel-overdue-contacts"')]
    assert personas.mentee.full_name in risk
    assert "No pair is at risk" not in risk
    assert fresh.pk not in [row.obj.pk for row in board.at_risk.rows]
    support_sweep()  # the sweep flags the same pair: the figure does not change
    again = dashboard_for_programme(programme=personas.programme)
    assert [row.obj.pk for row in again.at_risk.rows] == [quiet.pk]
    assert again.overdue_contacts.total == 1


def test_the_dashboard_and_the_preparation_overview_count_the_same_waiting_agreements(personas: Personas) -> None:
    from programmes.preparation.selectors.overview import preparation_overview

    persona_pair(personas)  # running, but nobody signed an agreement
    for _ in range(3):
        new_pair(personas.programme)
    accepted = RelationshipFactory(programme=personas.programme, state=Relationship.State.ACCEPTED)
    RelationshipMemberFactory(relationship=accepted)
    board = dashboard_for_programme(programme=personas.programme)
    overview = preparation_overview(programme=personas.programme, language="en")
    assert board.unsigned.total == overview.counts["agreements"] == 5
    assert {row.obj.pk for row in board.unsigned.rows} == {w.relationship.pk for w in overview.agreements}


def test_each_dashboard_list_pages_on_its_own_at_the_same_query_count(client: Client, personas: Personas) -> None:
    _fill(personas.programme, personas.coordinator, pairs=LIMIT + 3, sessions=0, checkins=1)
    client.force_login(personas.coordinator)
    url = reverse("programmes:dashboard", args=[personas.programme.pk])
    client.get(url)  # the programme's cached figures filled, as on a running server
    with CaptureQueriesContext(connection) as first_queries:
        first = client.get(url)
    with CaptureQueriesContext(connection) as second_queries:
        second = client.get(url, {"at_risk_page": "2", "tasks_page": "nonsense"})
    # The first page of a list is kept with the programme's figures; a later one costs its own two queries.
    assert len(second_queries) <= len(first_queries) + 2, "a later page costs more than its two queries"
    page_one = {row.obj.pk for row in first.context["d"].at_risk.rows}
    page_two = {row.obj.pk for row in second.context["d"].at_risk.rows}
    assert len(page_one) == LIMIT
    assert len(page_two) == 3
    assert not page_one & page_two
    assert 'href="?at_risk_page=2"' in first.content.decode()
    body = second.content.decode()
    assert 'href="?at_risk_page=1&amp;tasks_page=nonsense"' in body  # back, the other list left as it was
    assert second.context["d"].tasks.page == 1
    assert len(second.context["d"].tasks.rows) == LIMIT
    assert client.get(url, {"at_risk_page": "99"}).context["d"].at_risk.page == 2  # past the end: the last page
