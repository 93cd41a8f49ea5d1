"""Who counts as mentored: mentees whose relationship reached active, per protocol (issue 10).

Before, every enrolment in any role (mentors, applicants never matched) counted as "mentored", while the
report said "Mentored participants". These tests fail on that code.
"""

from __future__ import annotations

import statistics
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from conftest import Personas
from evaluation.models import OutcomeResult
from evaluation.services.results import outcome_results_compute
from evaluation.tests.outcome_helpers import Outcomes, outcomes, record
from people.tests.factories import UserFactory
from programmes.models import AuditEvent, Enrolment, Relationship
from programmes.tests.factories import EnrolmentFactory, ProgrammeRoleFactory

pytestmark = pytest.mark.django_db


def _with_values(o: Outcomes, person: Any, pre: float, post: float, group: str = "participant") -> None:
    record(o.metric, person, group, pre, None)
    record(o.metric, person, group, post, o.cycle)


def _figures(o: Outcomes) -> dict[str, Any]:
    outcome_results_compute(programme=o.programme)
    return OutcomeResult.objects.get(metric=o.metric, cycle=o.cycle, superseded_at__isnull=True).figures


def _did(o: Outcomes) -> float:
    def change(people: list[Any]) -> float:
        return statistics.fmean(o.values[(p.pk, "post")] - o.values[(p.pk, "pre")] for p in people)

    return change(o.mentored) - change(o.comparison)


def test_applicants_never_matched_and_mentors_are_not_counted_as_mentored() -> None:
    o = outcomes(mentored=6, comparison=6)
    never_matched = EnrolmentFactory(programme=o.programme, role="mentee", state="available").person
    _with_values(o, never_matched, 40, 10)
    mentor = Enrolment.objects.get(programme=o.programme, role="mentor").person
    _with_values(o, mentor, 50, 49)
    figures = _figures(o)
    assert figures["groups"]["participant"]["n"] == 6
    assert figures["did"]["value"] == pytest.approx(_did(o))
    assert figures["mentors"]["empty"] is False, "mentors are reported on their own"
    assert figures["excluded"] == {"not_mentored": 1}


def test_a_withdrawn_mentee_is_left_out_and_a_pair_closed_after_starting_still_counts() -> None:
    o = outcomes(mentored=6, comparison=6)
    withdrawn, closed = o.mentored[0], o.mentored[1]
    Enrolment.objects.filter(programme=o.programme, person=withdrawn).update(state="withdrawn")
    relationship = Relationship.objects.get(members__enrolment__person=closed)
    Relationship.objects.filter(pk=relationship.pk).update(state="closed")
    AuditEvent.objects.create(
        content_type=ContentType.objects.get_for_model(Relationship),
        object_id=relationship.pk,
        programme=o.programme,
        from_state="accepted",
        to_state="active",
    )
    figures = _figures(o)
    assert figures["groups"]["participant"]["n"] == 5
    o.mentored.remove(withdrawn)
    assert figures["did"]["value"] == pytest.approx(_did(o))


def test_a_comparison_member_who_applied_later_is_left_out_of_the_comparison() -> None:
    o = outcomes(mentored=6, comparison=7)
    late = o.comparison[0]
    EnrolmentFactory(programme=o.programme, person=late, role="mentee", state="declined")
    figures = _figures(o)
    assert figures["groups"]["comparison"]["n"] == 6
    assert figures["excluded"] == {"comparison_enrolled": 1}
    o.comparison.remove(late)
    assert figures["did"]["value"] == pytest.approx(_did(o))


def test_the_report_names_the_mentored_per_protocol_and_explains_the_figures(
    client: Client, personas: Personas
) -> None:
    o = outcomes(mentored=6, comparison=6)
    ProgrammeRoleFactory(programme=o.programme, user=personas.hr_analyst, role="hr_analyst")
    _with_values(o, EnrolmentFactory(programme=o.programme, person=UserFactory(), role="mentee").person, 1, 2)
    outcome_results_compute(programme=o.programme)
    client.force_login(personas.hr_analyst)
    page = client.get(reverse("evaluation:report", args=[o.programme.pk])).content.decode()
    assert "Mentored mentees (per protocol)" in page
    assert 'data-testid="about-figures"' in page
    assert "whose mentoring relationship became active" in page
    assert 'data-testid="excluded"' in page
