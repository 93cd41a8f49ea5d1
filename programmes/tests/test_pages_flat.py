"""Pages flat in the size of the organisation (issue 14): the match review, the applications list and the
person pickers cost the same number of queries with N or 3N people, and the next page shows the next rows.

The page size is made small here (monkeypatched) so that 3N people fill more than one page without building
hundreds of them; the bound itself does not depend on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import Personas
from people.tests.factories import UserFactory
from programmes.models import Enrolment, MatchRun, UnmatchedMentee
from programmes.tests.factories import MatchProposalFactory, MatchRunFactory, PoolEnrolmentFactory

pytestmark = pytest.mark.django_db

N = 4
PAGE = 5  # smaller than 3N, larger than N: N fits on one page, 3N needs three


def _queries(client: Client, url: str, **query: Any) -> tuple[int, str]:
    """The queries of a request once the per-process caches (content types) are warm, and the page.

    The rows here are made by factories, which do not move the programme's data version as the services do:
    the parts of the page kept under it (mentoring.page_cache) are dropped, so the page is rendered."""
    client.get(url, query)
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def _grow(make: Callable[[int], None]) -> None:
    """Bring the data from N to 3N rows with `make(i)` for the new ones."""
    for i in range(N, 3 * N):
        make(i)


def _proposal(run: MatchRun, i: int) -> None:
    programme = run.programme
    MatchProposalFactory(
        run=run,
        score=1 - i / 100,  # the review lists by score: proposal i is row i
        mentee__programme=programme,
        mentee__person=UserFactory(full_name=f"Mentee {i:02d}"),
        mentor__programme=programme,
        mentor__person=UserFactory(full_name=f"Mentor {i:02d}"),
        alternatives=[{"mentor": 0, "name": "Someone else", "score": 0.1}],
    )
    UnmatchedMentee.objects.create(
        run=run,
        mentee=PoolEnrolmentFactory(programme=programme, person=UserFactory(full_name=f"Waiting {i:02d}")),
        reason=UnmatchedMentee.Reason.CAPACITY,
    )


def test_the_match_review_costs_the_same_with_3n_pairs_and_pages_through_them(
    client: Client, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("programmes.matching.views.PER_PAGE", PAGE)
    run = MatchRunFactory(programme=personas.programme)
    for i in range(N):
        _proposal(run, i)
    client.force_login(personas.coordinator)
    url = reverse("programmes:match_run", args=[personas.programme.pk, run.pk])
    small, body = _queries(client, url)
    assert "Mentee 03" in body
    assert 'data-testid="pager-page"' not in body  # one page: no pager

    _grow(lambda i: _proposal(run, i))
    large, body = _queries(client, url)
    assert large == small, "the review's queries grow with the run"
    assert "Mentee 04" in body
    assert "Mentee 05" not in body  # on page 2
    assert 'href="?page=2"' in body
    assert 'href="?unmatched_page=2"' in body

    second, body = _queries(client, url, page=2)
    assert second == small
    assert "Mentee 05" in body
    assert "Mentee 09" in body
    assert "Mentee 04" not in body
    assert "Mentee 10" not in body
    assert "Waiting 00" in body  # the unmatched list stays on its own first page
    assert "Waiting 05" not in _queries(client, url, page=2)[1]
    assert "Waiting 05" in _queries(client, url, unmatched_page=2)[1]


def _application(programme: Any, i: int) -> None:
    PoolEnrolmentFactory(
        programme=programme,
        role=Enrolment.Role.MENTEE,
        state=Enrolment.State.SCREENING,
        person=UserFactory(full_name=f"Applicant {i:02d}"),
    )


def test_the_applications_list_costs_the_same_with_3n_applicants_and_keeps_the_filter_on_page_2(
    client: Client, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("programmes.enrolment.views.enrolment.PER_PAGE", PAGE)
    for i in range(N):
        _application(personas.programme, i)
    client.force_login(personas.coordinator)
    url = reverse("programmes:enrolment_list", args=[personas.programme.pk])
    small, body = _queries(client, url, state="screening")
    assert "Applicant 03" in body

    _grow(lambda i: _application(personas.programme, i))
    large, body = _queries(client, url, state="screening")
    assert large == small, "the applications list's queries grow with the programme"
    assert "Applicant 04" in body
    assert "Applicant 05" not in body
    assert 'href="?state=screening&amp;page=2"' in body  # the filter is kept

    second, body = _queries(client, url, state="screening", page=2)
    assert second == small
    assert "Applicant 05" in body
    assert "Applicant 04" not in body
    assert _queries(client, url, state="screening", page=99)[1].count("Applicant 1") == 2  # the last page: 10, 11


def test_the_person_pickers_suggest_a_bounded_list_at_a_constant_cost(client: Client, personas: Personas) -> None:
    from people.pickers import SEARCH_LIMIT

    def colleagues(count: int, start: int) -> None:
        for i in range(start, start + count):
            UserFactory(full_name=f"Colleague {i:03d}")
            PoolEnrolmentFactory(
                programme=personas.programme,
                role=Enrolment.Role.MENTOR,
                person=UserFactory(full_name=f"Mentor colleague {i:03d}"),
            )

    client.force_login(personas.coordinator)
    people = reverse("programmes:person_search", args=[personas.programme.pk])
    mentors = reverse("programmes:mentor_search", args=[personas.programme.pk])
    colleagues(N, 0)
    small = [_queries(client, people, q="colleague")[0], _queries(client, mentors, q="colleague")[0]]
    colleagues(SEARCH_LIMIT * 2, N)
    found_people = _queries(client, people, q="colleague")
    found_mentors = _queries(client, mentors, q="colleague")
    assert [found_people[0], found_mentors[0]] == small, "the pickers' queries grow with the organisation"
    assert found_people[1].count('role="option"') == SEARCH_LIMIT
    assert found_mentors[1].count('role="option"') == SEARCH_LIMIT
    assert "Mentor colleague" in found_mentors[1]
    assert "Colleague 000" not in found_mentors[1]  # not a mentor of the programme: never suggested


def _pool_pair(programme: Any, i: int, level: int) -> None:
    """One more mentee and one more mentor in the pool (every other mentor on the programme's capacity)."""
    from programmes.tests.matching_helpers import negotiation, pool_mentee, pool_mentor

    pool_mentee(programme, person=UserFactory(full_name=f"Waiting mentee {i:02d}", manager=UserFactory()))
    capacity = {"capacity": None} if i % 2 else {}
    person = UserFactory(full_name=f"Mentor {i:02d}", manager=UserFactory())
    pool_mentor(programme, person=person, offers={negotiation(): level}, **capacity)


def test_the_suggestions_page_costs_the_same_with_3n_mentors_and_mentees(client: Client) -> None:
    """A mentee's suggestions score their own row (1 × M): no query per mentor or per mentee."""
    from programmes.models import MatchingSettings
    from programmes.tests.matching_helpers import matching_programme, pool_mentee

    programme = matching_programme(mentor_capacity=2)
    MatchingSettings.objects.filter(programme=programme).update(self_service=True)
    me = pool_mentee(programme, person=UserFactory(full_name="Putri Ayu"), attribute_preferences=["other_unit"])
    for i in range(N):
        _pool_pair(programme, i, level=3)
    client.force_login(me.person)
    url = reverse("programmes:mentor_suggestions", args=[programme.pk, me.pk])
    small, body = _queries(client, url)
    assert body.count('data-testid="request-') == 3
    assert "Mentor 00" in body

    _grow(lambda i: _pool_pair(programme, i, level=5))  # the newcomers cover the whole gap: they fit better
    large, body = _queries(client, url)
    assert large == small, "the suggestions page's queries grow with the pool"
    assert body.count('data-testid="request-') == 3
    assert "Mentor 00" not in body
    assert "Mentor 04" in body  # the first of the better-fitting newcomers


def test_a_mentees_request_costs_the_same_with_3n_mentors_and_mentees(client: Client) -> None:
    from programmes.models import MatchingSettings, Relationship
    from programmes.tests.matching_helpers import matching_programme, negotiation, pool_mentee, pool_mentor

    programme = matching_programme(mentor_capacity=2)
    MatchingSettings.objects.filter(programme=programme).update(self_service=True)
    askers = [pool_mentee(programme, person=UserFactory(full_name=f"Asker {k}")) for k in range(3)]
    asked = [pool_mentor(programme, offers={negotiation(): 5}, capacity=None) for _ in range(3)]

    def request(k: int) -> int:
        """Mentee k asks mentor k; the queries of that POST."""
        client.force_login(askers[k].person)
        url = reverse("programmes:mentor_request", args=[programme.pk, askers[k].pk, asked[k].pk])
        with CaptureQueriesContext(connection) as captured:
            response = client.post(url)
        relationship = Relationship.objects.get(members__enrolment=askers[k])
        assert response.status_code == 302
        assert response["Location"] == reverse("programmes:relationship_detail", args=[programme.pk, relationship.pk])
        assert relationship.members.get(enrolment=asked[k]).response == "pending"
        return len(captured)

    for i in range(N):
        _pool_pair(programme, i, level=3)
    request(0)  # warm: content types and the like
    small = request(1)
    _grow(lambda i: _pool_pair(programme, i, level=3))
    assert request(2) == small, "the request's queries grow with the pool"


COMPETENCY = (3, 9, 0, 6, 11, 1, 8, 4, 10, 2, 7, 5)  # a third order, unrelated to the other two


def _reviewed(run: MatchRun, i: int) -> None:
    """Proposal i: score order is i, the mentee's name and the competency part each in another order."""
    programme = run.programme
    MatchProposalFactory(
        run=run,
        score=1 - i / 100,
        breakdown={"competency": COMPETENCY[i] / 100, "language": 0.05},
        mentee__programme=programme,
        mentee__person=UserFactory(full_name=f"Mentee {'ABCDEFGHIJKL'[(i * 5) % 12]}"),
        mentor__programme=programme,
        mentor__person=UserFactory(full_name=f"Mentor {i:02d}"),
    )


def _mentees_in(body: str) -> list[str]:
    """The mentee column of the review table, top to bottom."""
    import re

    return re.findall(r'<tr data-proposal="\d+">\s*<td>(Mentee \w)', body)


def test_sorting_the_match_review_orders_the_whole_run_before_it_is_paged(
    client: Client, personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("programmes.matching.views.PER_PAGE", PAGE)
    run = MatchRunFactory(programme=personas.programme)
    for i in range(3 * N):
        _reviewed(run, i)
    client.force_login(personas.coordinator)
    url = reverse("programmes:match_run", args=[personas.programme.pk, run.pk])
    unsorted, plain = _queries(client, url)
    assert _mentees_in(plain) == ["Mentee A", "Mentee F", "Mentee K", "Mentee D", "Mentee I"]  # best scores first
    assert 'href="?sort=mentee"' in plain
    assert 'href="?sort=-score"' in plain  # numbers sort highest first

    # By name: each page holds the next names of the whole run, not the first page's rows rearranged.
    pages = [_queries(client, url, sort="mentee", page=page) for page in (1, 2, 3)]
    assert [_mentees_in(body) for _count, body in pages] == [
        ["Mentee A", "Mentee B", "Mentee C", "Mentee D", "Mentee E"],
        ["Mentee F", "Mentee G", "Mentee H", "Mentee I", "Mentee J"],
        ["Mentee K", "Mentee L"],
    ]
    assert {count for count, _body in pages} == {unsorted}, "sorting costs queries"
    first = pages[0][1]
    assert 'aria-sort="ascending"' in first
    assert 'href="?sort=-mentee"' in first  # a second click reverses
    assert 'href="?sort=mentee&amp;page=2"' in first  # the pager keeps the order

    # Lowest score first, and by a criterion of the breakdown.
    assert _mentees_in(_queries(client, url, sort="score")[1]) == [
        "Mentee H",
        "Mentee C",
        "Mentee J",
        "Mentee E",
        "Mentee L",
    ]
    by_competency = _queries(client, url, sort="-competency")[1]
    assert _mentees_in(by_competency) == ["Mentee I", "Mentee E", "Mentee F", "Mentee G", "Mentee C"]
    assert 'aria-sort="descending"' in by_competency
    # The header now reverses it; a sort the table does not know falls back to the run's order.
    assert 'href="?sort=competency"' in by_competency
    assert _mentees_in(_queries(client, url, sort="password", page=1)[1]) == _mentees_in(plain)
