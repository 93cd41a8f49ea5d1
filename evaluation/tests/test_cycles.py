"""The evaluation plan and its cycles: the default plan, guards, opening and closing on their dates (once),
invitations and weekly reminders with dedupe keys, answers, and the lifecycle guards."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import Personas
from evaluation.models import Answer, EvaluationCycle, Instrument, InstrumentResponse
from evaluation.services.common import EvaluationError
from evaluation.services.cycles import (
    cycle_close,
    cycle_mark_reported,
    cycle_open,
    cycles_close_due,
    cycles_open_due,
    default_plan,
    evaluation_plan_generate,
)
from evaluation.services.instruments import cycle_remind, response_submit
from evaluation.tasks import open_and_close_cycles
from evaluation.tests.outcome_helpers import make_cycle
from people.tests.factories import CompetencyFactory
from programmes.core.lifecycle import blockers_for
from programmes.models import AuditEvent, Notification, Programme

pytestmark = pytest.mark.django_db
Kind, State = EvaluationCycle.Kind, EvaluationCycle.State
TODAY = datetime.date(2026, 6, 15)


def test_the_default_plan_follows_the_programmes_term() -> None:
    plan = {kind: (opens, closes) for kind, opens, closes in default_plan(datetime.date(2026, 1, 5), 9)}
    assert plan[Kind.BASELINE][0] == datetime.date(2026, 1, 5)
    assert plan[Kind.END][0] == datetime.date(2026, 10, 5)
    assert plan[Kind.FOLLOW_UP_12][0] == datetime.date(2027, 10, 5)
    assert all((closes - opens).days == 20 for opens, closes in plan.values())


def test_generating_the_plan_twice_adds_each_cycle_and_instrument_once(personas: Personas) -> None:
    programme = personas.programme
    first = evaluation_plan_generate(actor=personas.coordinator, programme=programme, starts_on=TODAY)
    again = evaluation_plan_generate(actor=personas.coordinator, programme=programme, starts_on=TODAY)
    assert len(first) == 6
    assert again == []
    assert set(Instrument.objects.filter(programme=programme).values_list("key", flat=True)) == {
        "reaction",
        "learning",
        "behaviour",
    }
    end = EvaluationCycle.objects.get(programme=programme, kind=Kind.END)
    assert {i.key for i in end.instruments.all()} == {"reaction", "learning", "behaviour"}
    ct = ContentType.objects.get_for_model(EvaluationCycle)
    assert AuditEvent.objects.filter(content_type=ct, to_state=State.PLANNED).count() == 6


def test_entering_implementation_needs_a_plan_with_an_end_cycle(personas: Personas) -> None:
    programme = personas.programme
    programme.phase = Programme.Phase.DESIGN
    blockers = [b for b in blockers_for(programme, Programme.Phase.IMPLEMENTATION) if b.guard == "evaluation_plan"]
    assert len(blockers) == 1
    assert blockers[0].fix_url == reverse("evaluation:cycles", args=[programme.pk])
    make_cycle(programme, kind=Kind.MIDPOINT, state=State.PLANNED)
    [blocker] = [b for b in blockers_for(programme, Programme.Phase.IMPLEMENTATION) if b.guard == "evaluation_plan"]
    assert "end-of-programme" in str(blocker.message)
    make_cycle(programme, kind=Kind.END, state=State.PLANNED)
    assert not [b for b in blockers_for(programme, Programme.Phase.IMPLEMENTATION) if b.guard == "evaluation_plan"]


def test_closing_the_programme_needs_the_end_cycle_reported(personas: Personas) -> None:
    programme = personas.programme
    programme.phase = Programme.Phase.EVALUATION
    end = make_cycle(programme, kind=Kind.END, state=State.ANALYSED)
    assert [b.guard for b in blockers_for(programme, Programme.Phase.CLOSED)] == ["end_cycle_reported"]
    cycle_mark_reported(actor=personas.coordinator, cycle=end)
    assert blockers_for(programme, Programme.Phase.CLOSED) == []


def _planned_today(programme: Programme, kind: str = Kind.END) -> EvaluationCycle:
    today = timezone.localdate()
    cycle = EvaluationCycle.objects.create(
        programme=programme, kind=kind, opens_on=today, closes_on=today + datetime.timedelta(days=20)
    )
    for instrument in evaluation_instruments(programme):
        cycle.instruments.add(instrument)
    return cycle


def evaluation_instruments(programme: Programme) -> list[Instrument]:
    from evaluation.services.instruments import instruments_ensure_defaults

    return list(instruments_ensure_defaults(programme=programme).values())


def test_a_cycle_opens_on_its_date_and_asks_each_person_once(personas: Personas) -> None:
    programme = personas.programme
    programme.target_competencies.add(CompetencyFactory(name="Negotiation"))
    cycle = _planned_today(programme)
    assert open_and_close_cycles() == {"opened": 1, "closed": 0}
    assert open_and_close_cycles() == {"opened": 0, "closed": 0}  # a second run (or worker) does nothing
    cycle.refresh_from_db()
    assert cycle.state == State.OPEN
    asked = set(InstrumentResponse.objects.filter(cycle=cycle).values_list("instrument__key", "respondent", "role"))
    mentee, mentor = personas.mentee, personas.mentor  # the mentor is also the mentee's manager
    assert ("reaction", mentee.pk, "mentee") in asked
    assert ("reaction", mentor.pk, "mentor") in asked
    assert ("learning", mentee.pk, "mentee") in asked
    assert ("behaviour", mentor.pk, "manager") in asked
    assert personas.coordinator.pk not in {r for _k, r, _role in asked}
    invites = Notification.objects.filter(kind="evaluation_invite")
    assert sorted(invites.values_list("recipient", flat=True)) == sorted([mentee.pk, mentor.pk])
    assert invites.first().url == reverse("evaluation:my_cycle", args=[cycle.pk])


def test_a_cycle_before_its_date_stays_planned_and_one_whose_window_passed_is_left_for_the_coordinator(
    personas: Personas,
) -> None:
    today = timezone.localdate()
    later = EvaluationCycle.objects.create(
        programme=personas.programme,
        kind=Kind.END,
        opens_on=today + datetime.timedelta(1),
        closes_on=today + datetime.timedelta(9),
    )
    missed = EvaluationCycle.objects.create(
        programme=personas.programme,
        kind=Kind.MIDPOINT,
        opens_on=today - datetime.timedelta(30),
        closes_on=today - datetime.timedelta(9),
    )
    assert cycles_open_due() == 0
    later.refresh_from_db(), missed.refresh_from_db()
    assert later.state == missed.state == State.PLANNED
    assert missed.is_missed(today)


def test_an_open_cycle_closes_after_its_window_and_its_results_are_asked_for(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    cycle = _planned_today(personas.programme)
    cycle_open(actor=None, cycle=cycle)
    today = timezone.localdate()
    EvaluationCycle.objects.filter(pk=cycle.pk).update(
        opens_on=today - datetime.timedelta(days=21), closes_on=today - datetime.timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert cycles_close_due() == 1
    assert cycles_close_due() == 0
    cycle.refresh_from_db()
    # No metric, so the computation (run eagerly in tests) leaves nothing to wait for: analysed at once.
    assert cycle.state == State.ANALYSED
    publishes = [c for c in callbacks if c.__qualname__.startswith("enqueue_on_commit")]
    assert len(publishes) == 1, "the results are asked for once"  # the others move the data version on


def test_moves_out_of_order_are_refused_with_a_reason(personas: Personas) -> None:
    cycle = make_cycle(personas.programme, state=State.PLANNED)
    with pytest.raises(EvaluationError, match="planned, not open"):
        cycle_close(actor=personas.coordinator, cycle=cycle)
    with pytest.raises(EvaluationError, match="not analysed"):
        cycle_mark_reported(actor=personas.coordinator, cycle=cycle)


def test_reminders_go_weekly_to_those_who_have_not_answered_and_never_twice(personas: Personas) -> None:
    cycle = cycle_open(actor=None, cycle=_planned_today(personas.programme))
    mentee_responses = InstrumentResponse.objects.filter(cycle=cycle, respondent=personas.mentee)
    for response in mentee_responses:
        keys = [item.pk for item in response.instrument.items.all()] or list(
            personas.programme.target_competencies.values_list("pk", flat=True)
        )
        response_submit(actor=personas.mentee, response=response, answers=dict.fromkeys(keys, 4))
    today = timezone.localdate()
    assert cycle_remind(cycle=cycle, today=today) == 0  # too early: the invitation went out today
    week = today + datetime.timedelta(days=7)
    cycle_remind(cycle=cycle, today=week)
    cycle_remind(cycle=cycle, today=week + datetime.timedelta(days=2))  # same week: nothing new
    reminders = Notification.objects.filter(kind="evaluation_reminder")
    assert list(reminders.values_list("recipient", flat=True)) == [personas.mentor.pk]
    cycle_remind(cycle=cycle, today=week + datetime.timedelta(days=7))
    assert reminders.count() == 2


def test_answers_are_saved_whole_replaced_on_a_second_answer_and_refused_once_closed(personas: Personas) -> None:
    cycle = _planned_today(personas.programme)
    cycle_open(actor=None, cycle=cycle)
    response = InstrumentResponse.objects.get(cycle=cycle, respondent=personas.mentee, instrument__key="reaction")
    items = list(response.instrument.items.values_list("pk", flat=True))
    with pytest.raises(EvaluationError, match="every statement"):
        response_submit(actor=personas.mentee, response=response, answers={items[0]: 3})
    with pytest.raises(EvaluationError, match="from 1 to 5"):
        response_submit(actor=personas.mentee, response=response, answers=dict.fromkeys(items, 9))
    with pytest.raises(EvaluationError, match="Only the person asked"):
        response_submit(actor=personas.mentor, response=response, answers=dict.fromkeys(items, 3))
    assert not Answer.objects.exists()
    response_submit(actor=personas.mentee, response=response, answers=dict.fromkeys(items, 3))
    response_submit(actor=personas.mentee, response=response, answers=dict.fromkeys(items, 5))
    assert sorted(Answer.objects.values_list("value", flat=True)) == [5] * len(items)
    cycle_close(actor=None, cycle=cycle)
    with pytest.raises(EvaluationError, match="not open"):
        response_submit(actor=personas.mentee, response=response, answers=dict.fromkeys(items, 1))


def test_only_the_invitee_sees_and_answers_their_questionnaire(client: Client, personas: Personas) -> None:
    cycle = _planned_today(personas.programme)
    cycle_open(actor=None, cycle=cycle)
    response = InstrumentResponse.objects.get(cycle=cycle, respondent=personas.mentee, instrument__key="reaction")
    url = reverse("evaluation:respond", args=[response.pk])
    for other in (personas.mentor, personas.coordinator, personas.admin, personas.hr_analyst):
        client.force_login(other)
        assert client.get(url).status_code == 404
        assert client.post(url, {}).status_code == 404
    client.force_login(personas.mentee)
    page = client.get(url)
    assert page.status_code == 200
    assert "Our meetings are worth the time they take." in page.content.decode()
    data = {f"q{pk}": "4" for pk in response.instrument.items.values_list("pk", flat=True)}
    assert client.post(url, data).status_code == 302
    response.refresh_from_db()
    assert response.answered_at is not None
    listing = client.get(reverse("evaluation:my_cycle", args=[cycle.pk])).content.decode()
    assert "answered" in listing


def test_a_bad_answer_form_says_what_is_missing_and_saves_nothing(client: Client, personas: Personas) -> None:
    cycle = _planned_today(personas.programme)
    cycle_open(actor=None, cycle=cycle)
    response = InstrumentResponse.objects.get(cycle=cycle, respondent=personas.mentee, instrument__key="reaction")
    client.force_login(personas.mentee)
    page = client.post(reverse("evaluation:respond", args=[response.pk]), {"q0": "x"})
    assert page.status_code == 400
    assert "This field is required" in page.content.decode()
    assert not Answer.objects.exists()


def test_the_coordinator_makes_the_plan_and_opens_a_cycle_from_the_page(client: Client, personas: Personas) -> None:
    client.force_login(personas.coordinator)
    programme = personas.programme
    response = client.post(reverse("evaluation:cycle_generate", args=[programme.pk]), {"starts_on": "2026-07-01"})
    assert response.status_code == 302
    baseline = EvaluationCycle.objects.get(programme=programme, kind=Kind.BASELINE)
    client.post(reverse("evaluation:cycle_open", args=[programme.pk, baseline.pk]))
    baseline.refresh_from_db()
    assert baseline.state == State.OPEN
    assert baseline.opened_at is not None
    page = client.get(reverse("evaluation:cycles", args=[programme.pk])).content.decode()
    assert 'data-state="open"' in page
    assert "Close now" in page


def test_hr_analysts_read_the_plan_without_buttons(client: Client, personas: Personas) -> None:
    evaluation_plan_generate(actor=personas.coordinator, programme=personas.programme, starts_on=TODAY)
    client.force_login(personas.hr_analyst)
    page = client.get(reverse("evaluation:cycles", args=[personas.programme.pk])).content.decode()
    assert "Follow-up after 12 months" in page
    assert "Open now" not in page
    assert "generate-plan" not in page


def test_a_planned_cycles_dates_change_and_an_open_one_only_closes_later(personas: Personas) -> None:
    from evaluation.services.cycles import cycle_update

    cycle = _planned_today(personas.programme)
    today = timezone.localdate()
    cycle_update(
        actor=personas.coordinator,
        cycle=cycle,
        opens_on=today,
        closes_on=today + datetime.timedelta(30),
        instruments=[],
    )
    cycle.refresh_from_db()
    assert cycle.closes_on == today + datetime.timedelta(30)
    assert not cycle.instruments.exists()
    cycle_open(actor=None, cycle=cycle)
    with pytest.raises(EvaluationError, match="only its closing date"):
        cycle_update(
            actor=personas.coordinator,
            cycle=cycle,
            opens_on=today - datetime.timedelta(1),
            closes_on=today,
            instruments=[],
        )
