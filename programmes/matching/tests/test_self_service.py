"""Self-service suggestions score one mentee's row (1 × M) and must be exactly that mentee's row of the whole
matrix: the same scores bit for bit (so equal scores keep their order), the same hard rules, forbids and full
mentors, the same breakdowns and sentences.

Pools are drawn by hypothesis on organisations as HRIS exports list them (children before parents, Unicode
names), with goals in several scripts, every hard rule in play, capacity partly taken, past and declined
pairs, ranked mentors, forbids, opt-in attribute preferences, people who are both mentor and mentee, and a
goal vocabulary cut short so that other mentees' goals decide which words count.
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from people.models import Competency, User
from people.tests.factories import CompetencyFactory
from people.tests.strategies import exports, loaded, unicode_names
from programmes.enrolment.models.enrolment import AVAILABILITY_SLOTS
from programmes.matching.selectors.matching import matching_pool
from programmes.matching.services import arrays as arrays_module
from programmes.matching.services.arrays import pool_arrays
from programmes.matching.services.self_service import (
    Suggestion,
    best_of_row,
    mentor_suggestions,
    suggestion_row,
)
from programmes.matching.services.solve import full_scores, weights_for
from programmes.models import (
    Enrolment,
    MatchingSettings,
    MentorPreference,
    PairRule,
    Programme,
    Relationship,
    RelationshipMember,
)
from programmes.tests.factories import (
    EnrolmentCompetencyFactory,
    PairRuleFactory,
    PoolEnrolmentFactory,
    RelationshipFactory,
)
from programmes.tests.matching_helpers import matching_programme, pool_mentee

pytestmark = pytest.mark.django_db

# Zones without daylight saving time: both computations read the clock, and an hour must not change between.
ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "Asia/Tokyo", "Asia/Kolkata", "UTC", "")
LANGUAGES = ("id", "en", "jv", "ar", "zh")
WORDS = (
    "negosiasi", "negotiation", "kepemimpinan", "leadership", "keuangan", "forecasting", "pelanggan",
    "المبيعات", "销售管理", "ꦥꦼꦚ꧀ꦗꦸꦮꦭꦤ꧀", "Área", "Yıldız", "réne\u0301gociation", "ĐẶNG", "coaching",
)  # fmt: skip
FORMATS = (Programme.Format.ONE_TO_ONE, Programme.Format.REVERSE, Programme.Format.PEER_CIRCLE)
CRITERIA = ("language", "competency", "goals", "availability", "preference", "timezone", "diversity", "attributes")


def _profile(data: st.DataObject, mentor: bool) -> dict[str, object]:
    """A drawn profile: languages, availability, time zone, goals in several scripts, location, wishes."""
    words = data.draw(st.lists(st.sampled_from(WORDS) | unicode_names, max_size=6))
    fields: dict[str, object] = {
        "languages": data.draw(st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=3, unique=True)),
        "availability": data.draw(st.lists(st.sampled_from(AVAILABILITY_SLOTS), max_size=6, unique=True)),
        "time_zone": data.draw(st.sampled_from(ZONES)),
        "goals": " ".join(words),
        "location": data.draw(st.sampled_from(("Jakarta", "Surabaya", "jakarta ", ""))),
    }
    if mentor:
        fields["capacity"] = data.draw(st.none() | st.integers(1, 3))
    else:
        wishes = ("same_location", "same_time_zone", "other_unit")
        fields["attribute_preferences"] = data.draw(st.lists(st.sampled_from(wishes), unique=True, max_size=2))
    return fields


def _enrol(
    data: st.DataObject, programme: Programme, person: User, skills: list[Competency], mentor: bool
) -> Enrolment:
    role = Enrolment.Role.MENTOR if mentor else Enrolment.Role.MENTEE
    enrolment = PoolEnrolmentFactory(programme=programme, person=person, role=role, **_profile(data, mentor))
    for skill in data.draw(st.lists(st.sampled_from(skills), unique=True, max_size=len(skills))):
        if mentor:
            EnrolmentCompetencyFactory(
                enrolment=enrolment, competency=skill, current_level=None, level=data.draw(st.integers(1, 5))
            )
        else:
            current = data.draw(st.none() | st.integers(1, 5))
            level = data.draw(st.integers(current or 1, 5))
            EnrolmentCompetencyFactory(enrolment=enrolment, competency=skill, current_level=current, level=level)
    return enrolment


def _programme(data: st.DataObject) -> Programme:
    programme = matching_programme(
        format=data.draw(st.sampled_from(FORMATS)),
        reporting_line_exclusion_depth=data.draw(st.integers(0, 2)),
        max_time_zone_gap_hours=data.draw(st.none() | st.integers(1, 8)),
        mentor_capacity=data.draw(st.integers(1, 3)),
    )
    weights = {name: data.draw(st.sampled_from((0.0, 0.05, 0.1, 0.25, 1 / 3))) for name in CRITERIA}
    MatchingSettings.objects.filter(programme=programme).update(
        self_service=True,
        weights=weights,
        require_shared_language=data.draw(st.booleans()),
        min_shared_hours=data.draw(st.sampled_from((0.0, 1.0, 2.0))),
        apply_format_rule=data.draw(st.booleans()),
    )
    return programme


def _history(data: st.DataObject, programme: Programme, mentees: list[Enrolment], mentors: list[Enrolment]) -> None:
    """Slots taken, closed and declined pairs, ranked mentors, forbids and locks."""
    for mentor in mentors:
        for _ in range(data.draw(st.integers(0, 2))):  # an open relationship holds one of the mentor's places
            RelationshipMember.objects.create(
                relationship=RelationshipFactory(programme=programme), enrolment=mentor, role=mentor.role
            )
    for mentee in mentees:
        if data.draw(st.integers(0, 4)) == 0:  # matched already: out of the pool, no suggestions
            RelationshipMember.objects.create(
                relationship=RelationshipFactory(programme=programme), enrolment=mentee, role=mentee.role
            )
    pairs = st.tuples(st.sampled_from(mentees), st.sampled_from(mentors))
    for mentee, mentor in data.draw(st.lists(pairs, max_size=4, unique=True)):
        state = data.draw(st.sampled_from((Relationship.State.CLOSED, Relationship.State.DECLINED)))
        past = RelationshipFactory(programme=programme, state=state)
        for member in (mentee, mentor):
            RelationshipMember.objects.create(
                relationship=past,
                enrolment=member,
                role=member.role,
                response=data.draw(st.sampled_from(("accepted", "declined"))),
            )
    for mentee in mentees:
        ranked = data.draw(st.lists(st.sampled_from(mentors), unique=True, max_size=min(5, len(mentors))))
        for rank, mentor in enumerate(ranked, start=1):
            MentorPreference.objects.create(mentee=mentee, mentor=mentor, rank=rank)
    locked: set[int] = set()
    for mentee, mentor in data.draw(st.lists(pairs, max_size=4, unique=True)):
        kind = data.draw(st.sampled_from((PairRule.Kind.FORBID, PairRule.Kind.LOCK)))
        if mentee.pk in locked:
            kind = PairRule.Kind.FORBID  # one lock per mentee
        locked |= {mentee.pk} if kind == PairRule.Kind.LOCK else set()
        PairRuleFactory(programme=programme, mentee=mentee, mentor=mentor, kind=kind)


def _seen(suggestions: list[Suggestion]) -> list[tuple[int, float, dict[str, float], str]]:
    return [(s.mentor.pk, s.score, s.breakdown, s.explanation) for s in suggestions]


@given(export=exports(max_units=12, min_people=3, max_people=18), data=st.data())
@hypothesis_settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_a_mentees_suggestions_are_their_row_of_the_whole_matrix_bit_for_bit(
    export: object, data: st.DataObject
) -> None:
    with loaded(export) as (_units, ids):  # type: ignore[arg-type]
        programme = _programme(data)
        skills = [CompetencyFactory(name=name) for name in ("Negosiasi", "Kepemimpinan ꦏꦼ", "المالية")]
        people = list(User.objects.filter(pk__in=ids.values()).order_by("email"))
        for person in people:
            person.grade = data.draw(st.none() | st.integers(1, 9))
        User.objects.bulk_update(people, ["grade"])
        roles = data.draw(
            st.lists(st.sampled_from(("mentee", "mentor", "both")), min_size=len(people), max_size=len(people))
        )
        mentees = [
            _enrol(data, programme, p, skills, False) for p, r in zip(people, roles, strict=True) if r != "mentor"
        ]
        mentors = [
            _enrol(data, programme, p, skills, True) for p, r in zip(people, roles, strict=True) if r != "mentee"
        ]
        if not mentees or not mentors:
            return
        _history(data, programme, mentees, mentors)
        # A short vocabulary: the other mentees' goals decide which of this mentee's words count.
        cut = data.draw(st.sampled_from((1, 2, 4, 400)))
        with mock.patch.object(arrays_module, "MAX_GOAL_WORDS", cut):
            _check_every_row(programme)


def _check_every_row(programme: Programme) -> None:
    pool = matching_pool(programme=programme)
    whole = pool_arrays(pool)
    weights, attribute_weight = weights_for(pool.settings)
    matrix = full_scores(whole, weights, attribute_weight)
    mentor_at = {e.pk: j for j, e in enumerate(pool.mentors)}
    for i, mentee in enumerate(pool.mentees):
        expected = matrix[i].copy()
        expected[[mentor_at[r.mentor_id] for r in pool.forbids if r.mentee_id == mentee.pk]] = -np.inf
        expected[whole.mentors.capacity <= 0] = -np.inf
        found = suggestion_row(mentee=mentee)
        assert found is not None
        assert [e.pk for e in found.arrays.mentor_rows] == [e.pk for e in whole.mentor_rows]
        assert np.array_equal(found.scores, expected), "the row differs from the whole matrix's"
        everyone = len(pool.mentors)
        reference = best_of_row(whole, i, expected, weights, attribute_weight, everyone)
        assert _seen(mentor_suggestions(mentee=mentee, limit=everyone)) == _seen(reference)
    in_pool = {e.pk for e in pool.mentees}
    for outside in Enrolment.objects.filter(programme=programme, role=Enrolment.Role.MENTEE).exclude(pk__in=in_pool):
        assert mentor_suggestions(mentee=outside) == []


def test_a_pool_without_mentors_yet_suggests_nobody_and_the_page_says_so(client: Client) -> None:
    programme = matching_programme()
    MatchingSettings.objects.filter(programme=programme).update(self_service=True)
    mentee = pool_mentee(programme)
    assert suggestion_row(mentee=mentee) is None
    assert mentor_suggestions(mentee=mentee) == []
    client.force_login(mentee.person)
    page = client.get(reverse("programmes:mentor_suggestions", args=[programme.pk, mentee.pk]))
    assert page.status_code == 200
    assert "No mentor with a free place fits every rule right now." in page.content.decode()
