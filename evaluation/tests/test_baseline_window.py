"""Participants' baselines: from acceptance until their first relationship becomes active (issue 10).

Before, baselines locked when the programme entered implementation, the phase in which people apply, so
only the comparison group ever had one. These tests fail on that code.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import Personas
from evaluation.models import InstrumentResponse, Observation
from evaluation.services import (
    BaselineImportError,
    ComparisonRule,
    EvaluationError,
    baseline_import,
    baseline_record,
    comparison_group_freeze,
)
from evaluation.services.cycles import cycle_create, cycle_open, cycles_close_due
from evaluation.services.instruments import cycles_remind_open, response_submit
from evaluation.tests.conftest import Evaluated
from people.models import OrgUnit, User
from people.tests.factories import CompetencyFactory, UserFactory
from programmes.core.lifecycle import blockers_for
from programmes.models import Enrolment, Programme
from programmes.tests.factories import EnrolmentFactory
from programmes.tests.support_helpers import start_pair

pytestmark = pytest.mark.django_db
END = datetime.date(2026, 3, 31)


def _implementation(e: Evaluated) -> None:
    Programme.objects.filter(pk=e.programme.pk).update(phase=Programme.Phase.IMPLEMENTATION)
    e.programme.refresh_from_db()


def _record(e: Evaluated, person: User, value: float = 30) -> Observation:
    observation, _new = baseline_record(
        actor=e.p.coordinator, metric=e.cycle, person=person, value=value, period_end=END
    )
    return observation


def test_an_accepted_participants_baseline_is_recorded_in_implementation(evaluated: Evaluated) -> None:
    e = evaluated
    _implementation(e)
    observation = _record(e, e.p.mentee)
    assert (observation.group, observation.value) == ("participant", 30)


@pytest.mark.parametrize("state", ["applied", "screening", "declined", "withdrawn"])
def test_no_baseline_before_acceptance_or_after_leaving(evaluated: Evaluated, state: str) -> None:
    e = evaluated
    _implementation(e)
    Enrolment.objects.filter(programme=e.programme, person=e.p.mentee).update(state=state)
    with pytest.raises(EvaluationError, match="neither accepted into this programme"):
        _record(e, e.p.mentee)
    assert not Observation.objects.exists()


def test_the_baseline_closes_when_the_first_relationship_becomes_active(evaluated: Evaluated) -> None:
    e = evaluated
    _implementation(e)
    _record(e, e.p.mentee, 30)
    mentor = Enrolment.objects.get(programme=e.programme, person=e.p.mentor)
    mentee = Enrolment.objects.get(programme=e.programme, person=e.p.mentee)
    start_pair(e.programme, mentor, mentee)
    with pytest.raises(EvaluationError, match="already active"):
        _record(e, e.p.mentee, 31)
    assert Observation.objects.get(person=e.p.mentee).value == 30
    # The comparison group is still open for baselines while the programme is in implementation.
    assert _record(e, e.sellers[0], 40).group == "comparison"


def test_the_file_import_applies_the_same_window(evaluated: Evaluated) -> None:
    e = evaluated
    _implementation(e)
    mentor = Enrolment.objects.get(programme=e.programme, person=e.p.mentor)
    mentee = Enrolment.objects.get(programme=e.programme, person=e.p.mentee)
    start_pair(e.programme, mentor, mentee)
    late = EnrolmentFactory(programme=e.programme, role=Enrolment.Role.MENTEE, state=Enrolment.State.ACCEPTED).person
    rows = f"email,metric,value,period_end\n{late.email},Sales cycle length,30,{END}\n"
    assert baseline_import(actor=e.p.coordinator, programme=e.programme, data=rows.encode()).created == 1
    with pytest.raises(BaselineImportError) as info:
        baseline_import(
            actor=e.p.coordinator,
            programme=e.programme,
            data=(rows + f"{e.p.mentee.email},Sales cycle length,30,{END}\n").encode(),
        )
    assert "already active" in " ".join(err.message for err in info.value.errors)


def test_the_page_offers_entry_in_implementation_and_lists_only_open_people(
    client: Client, evaluated: Evaluated
) -> None:
    e = evaluated
    _implementation(e)
    mentor = Enrolment.objects.get(programme=e.programme, person=e.p.mentor)
    mentee = Enrolment.objects.get(programme=e.programme, person=e.p.mentee)
    start_pair(e.programme, mentor, mentee)
    waiting = EnrolmentFactory(programme=e.programme, role=Enrolment.Role.MENTEE, state=Enrolment.State.ORIENTED)
    client.force_login(e.p.coordinator)
    page = client.get(reverse("evaluation:baselines", args=[e.programme.pk])).content.decode()
    assert "baselines/import/" in page
    assert 'data-testid="baseline-window"' in page
    # The person field is a picker: it offers, as the coordinator types, only people whose baseline is open.
    search = reverse("evaluation:eligible_people_search", args=[e.programme.pk])

    def offered(email: str) -> bool:
        return email in client.get(search, {"baseline": "1", "q": email}).content.decode()

    assert offered(waiting.person.email)
    assert not offered(e.p.mentee.email), "the mentee's relationship is active: their baseline time is over"
    assert "1 accepted participant has no baseline yet" in page, "the oriented one; the paired ones are past it"


def test_a_comparison_member_who_applies_later_leaves_the_comparison_and_can_become_a_participant(
    evaluated: Evaluated,
) -> None:
    """The stated rule: left out of the comparison group from the application; a participant once accepted."""
    e = evaluated
    _implementation(e)
    seller = e.sellers[1]
    assert _record(e, seller, 40).group == "comparison"
    enrolment = EnrolmentFactory(
        programme=e.programme, person=seller, role=Enrolment.Role.MENTEE, state=Enrolment.State.SCREENING
    )
    with pytest.raises(EvaluationError, match="left out of the comparison group"):
        _record(e, seller, 41)
    Enrolment.objects.filter(pk=enrolment.pk).update(state=Enrolment.State.ACCEPTED)
    observation = _record(e, seller, 42)
    assert (observation.group, observation.value) == ("participant", 42)
    assert Observation.objects.filter(person=seller).count() == 1


# --- the baseline questionnaire follows the same window --------------------------------------------------


def test_the_baseline_questionnaire_reaches_late_acceptances_and_closes_when_the_relationship_starts(
    evaluated: Evaluated,
) -> None:
    e = evaluated
    _implementation(e)
    competency = CompetencyFactory()
    e.programme.target_competencies.add(competency)
    today = timezone.localdate()
    cycle = cycle_create(actor=e.p.coordinator, programme=e.programme, kind="baseline", opens_on=today, closes_on=today)
    cycle_open(actor=e.p.coordinator, cycle=cycle)
    late = EnrolmentFactory(programme=e.programme, role=Enrolment.Role.MENTEE, state=Enrolment.State.ACCEPTED).person
    assert not InstrumentResponse.objects.filter(cycle=cycle, respondent=late).exists()
    cycles_remind_open(today=today)
    assert InstrumentResponse.objects.filter(cycle=cycle, respondent=late).exists(), "accepted since it opened"

    mentor = Enrolment.objects.get(programme=e.programme, person=e.p.mentor)
    mentee = Enrolment.objects.get(programme=e.programme, person=e.p.mentee)
    start_pair(e.programme, mentor, mentee)
    response = InstrumentResponse.objects.get(cycle=cycle, respondent=e.p.mentee, subject=e.p.mentee)
    with pytest.raises(EvaluationError, match="relationship has started"):
        response_submit(actor=e.p.mentee, response=response, answers={competency.pk: 2})
    answered = InstrumentResponse.objects.get(cycle=cycle, respondent=late, subject=late)
    assert response_submit(actor=late, response=answered, answers={competency.pk: 2}).answered_at is not None


def test_the_baseline_cycle_stays_open_past_its_date_until_the_programme_leaves_implementation(
    evaluated: Evaluated,
) -> None:
    e = evaluated
    _implementation(e)
    today = timezone.localdate()
    cycle = cycle_create(actor=e.p.coordinator, programme=e.programme, kind="baseline", opens_on=today, closes_on=today)
    cycle_open(actor=e.p.coordinator, cycle=cycle)
    assert cycles_close_due(today=today + datetime.timedelta(days=30)) == 0, "late acceptances still answer"
    Programme.objects.filter(pk=e.programme.pk).update(phase=Programme.Phase.EVALUATION)
    assert cycles_close_due(today=today + datetime.timedelta(days=30)) == 1


def test_entering_evaluation_needs_a_frozen_comparison_group(personas: Personas) -> None:
    """Asked where it can still be met: the group may be frozen while the programme is in implementation."""
    programme = personas.programme
    Programme.objects.filter(pk=programme.pk).update(phase=Programme.Phase.IMPLEMENTATION)
    programme.refresh_from_db()
    mine = [b for b in blockers_for(programme, "evaluation") if b.guard == "comparison_group"]
    assert mine
    assert mine[0].fix_url == reverse("evaluation:comparison", args=[programme.pk])
    sales = OrgUnit.objects.get(code="SALES")
    for i in range(6):
        UserFactory(email=f"control{i}@example.co.id", org_unit=sales)
    comparison_group_freeze(actor=personas.coordinator, programme=programme, rule=ComparisonRule(org_units=[sales]))
    assert not [b for b in blockers_for(programme, "evaluation") if b.guard == "comparison_group"]
