"""Capacity under concurrency: two mentees taking a mentor's last place at the same moment (PostgreSQL).

Each thread has its own database connection and transaction; a barrier releases them together, so both
read the mentor as having one free place unless the row lock serialises them. Exactly one may win.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from programmes.core.errors import DomainError
from programmes.matching.services.relationships import relationship_propose, relationship_respond
from programmes.matching.services.self_service import mentor_request
from programmes.models import Enrolment, MatchingSettings, Relationship
from programmes.tests.matching_helpers import coordinator_of, matching_programme, pool_mentee, pool_mentor

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(actions: list[Callable[[], object]]) -> tuple[list[object], list[Exception]]:
    """Run the actions at the same moment, each in its own thread and connection."""
    barrier = threading.Barrier(len(actions))
    results: list[object] = []
    errors: list[Exception] = []
    lock = threading.Lock()

    def run(action: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            outcome = action()
            with lock:
                results.append(outcome)
        except Exception as exc:  # the loser's refusal, or a real failure to report
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_two_mentees_requesting_a_mentors_last_place_at_once_exactly_one_gets_it(require_postgres: None) -> None:
    programme = matching_programme()
    MatchingSettings.objects.filter(programme=programme).update(self_service=True)
    mentor = pool_mentor(programme, capacity=1)
    first, second = pool_mentee(programme), pool_mentee(programme)

    results, errors = _race(
        [
            lambda: mentor_request(actor=first.person, mentee=first, mentor=mentor),
            lambda: mentor_request(actor=second.person, mentee=second, mentor=mentor),
        ]
    )

    assert len(results) == 1
    assert len(errors) == 1
    assert isinstance(errors[0], DomainError)
    assert "no free place" in str(errors[0])
    assert Relationship.objects.filter(members__enrolment=mentor).count() == 1


def test_two_proposals_for_one_mentor_place_cannot_both_be_accepted(require_postgres: None) -> None:
    """A coordinator lowered the mentor's capacity after two pairs were proposed: one acceptance only."""
    programme = matching_programme()
    mentor = pool_mentor(programme, capacity=2)
    first, second = pool_mentee(programme), pool_mentee(programme)
    coordinator = coordinator_of(programme)
    proposals = [relationship_propose(actor=coordinator, mentor=mentor, mentees=[m]) for m in (first, second)]
    for relationship, mentee in zip(proposals, (first, second), strict=True):
        relationship_respond(actor=mentee.person, relationship=relationship, enrolment=mentee, accept=True)
    Enrolment.objects.filter(pk=mentor.pk).update(capacity=1)

    # The mentor answers both at once (two tabs): the row lock on their enrolment serialises the answers.
    results, errors = _race(
        [
            lambda: relationship_respond(actor=mentor.person, relationship=proposals[0], enrolment=mentor, accept=True),
            lambda: relationship_respond(actor=mentor.person, relationship=proposals[1], enrolment=mentor, accept=True),
        ]
    )

    accepted = Relationship.objects.filter(pk__in=[r.pk for r in proposals], state=Relationship.State.ACCEPTED)
    assert accepted.count() == 1
    assert len(results) == 1
    assert len(errors) == 1
    assert "no free place" in str(errors[0])
