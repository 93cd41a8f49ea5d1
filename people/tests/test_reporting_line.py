"""The reporting-line helpers answer for many pairs at once, in one query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.models import User
from people.selectors import managers_within, pairs_within_reporting_line
from people.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def chain(length: int) -> list[User]:
    """A reporting line: chain[0] is the top, each next one reports to the one before."""
    people = [UserFactory()]
    for _ in range(length - 1):
        people.append(UserFactory(manager=people[-1]))
    return people


def test_managers_within_gives_each_level_up_to_the_depth() -> None:
    top, middle, bottom = chain(3)
    assert managers_within([bottom.pk], depth=1) == {bottom.pk: {middle.pk: 1}}
    assert managers_within([bottom.pk], depth=5) == {bottom.pk: {middle.pk: 1, top.pk: 2}}


def test_pairs_within_reporting_line_look_up_and_down() -> None:
    a, b, c, d = chain(4)
    stranger = UserFactory()
    pairs = [(d, b), (b, d), (d, a), (a, d), (c, stranger), (b, c)]
    within = pairs_within_reporting_line([(x.pk, y.pk) for x, y in pairs], depth=2)
    assert within == {(d.pk, b.pk), (b.pk, d.pk), (b.pk, c.pk)}


def test_siblings_are_not_in_each_others_reporting_line() -> None:
    boss = UserFactory()
    left, right = UserFactory(manager=boss), UserFactory(manager=boss)
    assert pairs_within_reporting_line([(left.pk, right.pk)], depth=3) == set()


def test_many_pairs_are_answered_in_one_query() -> None:
    people = chain(30)
    pairs = [(x.pk, y.pk) for x in people for y in people if x != y]
    with CaptureQueriesContext(connection) as queries:
        within = pairs_within_reporting_line(pairs, depth=3)
    assert len(queries) == 1
    assert (people[10].pk, people[7].pk) in within
    assert (people[10].pk, people[6].pk) not in within


def test_a_manager_cycle_in_bad_data_does_not_loop_forever() -> None:
    a, b = UserFactory(), UserFactory()
    User.objects.filter(pk=a.pk).update(manager=b)
    User.objects.filter(pk=b.pk).update(manager=a)
    assert managers_within([a.pk], depth=10) == {a.pk: {b.pk: 1, a.pk: 2}}


def test_depth_zero_excludes_nobody() -> None:
    a, b = chain(2)
    assert pairs_within_reporting_line([(b.pk, a.pk)], depth=0) == set()
