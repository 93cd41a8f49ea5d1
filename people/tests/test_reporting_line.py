"""The reporting-line helpers answer for many pairs at once, in one query."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from people.models import User
from people.selectors import managers_within, pairs_within_reporting_line
from people.tests.factories import UserFactory
from people.tests.strategies import HrisExport, big_export, exports, loaded

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


# ---------------------------------------------------------------------------------------------------------------
# Generated organisations, imported in HRIS export order (people before their managers)

DB_EXAMPLES = hypothesis_settings(
    max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


@given(export=exports(max_units=12, max_people=40), depth=st.integers(0, 4))
@DB_EXAMPLES
def test_managers_within_match_a_walk_up_the_imported_reporting_lines(export: HrisExport, depth: int) -> None:
    with loaded(export) as (_units, ids):
        emails = {pk: email for email, pk in ids.items()}
        found = managers_within(ids.values(), depth)
        assert {
            emails[person]: {emails[m]: level for m, level in managers.items()} for person, managers in found.items()
        } == {email: export.managers_up(email, depth) for email in ids}


@given(export=exports(max_units=8, max_people=25), depth=st.integers(1, 3), data=st.data())
@DB_EXAMPLES
def test_pairs_within_reporting_line_match_the_reference_both_ways(
    export: HrisExport, depth: int, data: st.DataObject
) -> None:
    with loaded(export) as (_units, ids):
        emails = sorted(ids)
        pairs = data.draw(st.lists(st.tuples(st.sampled_from(emails), st.sampled_from(emails)), max_size=30))
        expected = {
            (ids[x], ids[y]) for x, y in pairs if y in export.managers_up(x, depth) or x in export.managers_up(y, depth)
        }
        assert pairs_within_reporting_line([(ids[x], ids[y]) for x, y in pairs], depth) == expected


def test_a_big_deep_organisation_imported_people_first_answers_in_one_query() -> None:
    export = big_export(units=400, people=4000, seed=5, shape="bushy", order="reversed")
    with loaded(export) as (_units, ids), CaptureQueriesContext(connection) as queries:
        sample = list(ids)[::97]
        found = managers_within([ids[e] for e in sample], 6)
        assert len(queries) == 1
        emails = {pk: email for email, pk in ids.items()}
        for email in sample:
            assert {emails[m]: lvl for m, lvl in found[ids[email]].items()} == export.managers_up(email, 6)
