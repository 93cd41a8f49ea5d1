"""One programme from the HRIS import to the report, through the services the pages call (issue 10).

Nothing here writes a row the flow itself writes: evaluation.tests.flow drives each step. The org file
lists children before parents and reports before managers, with Unicode names, as HRIS exports do.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from evaluation.models import Observation
from evaluation.tests.flow import Flow
from people.models import OrgUnit
from programmes.core.services.lifecycle import programme_cancel
from programmes.core.services.notifications import notifications_send_due
from programmes.models import Enrolment, Notification, Programme, Relationship
from programmes.preparation.services.orientation import orientation_reminders_send
from programmes.support.services.reminders import support_sweep

pytestmark = pytest.mark.django_db


def _prepared() -> Flow:
    """Import → design → recruitment → applications → approval → screening → baselines and comparison group."""
    flow = Flow.start()
    assert OrgUnit.objects.get(code="SAL-E").parent == OrgUnit.objects.get(code="SAL")
    flow.design()
    assert flow.refresh().phase == Programme.Phase.IMPLEMENTATION
    flow.recruit()
    flow.apply()
    flow.approve()
    flow.screen()
    assert set(Enrolment.objects.filter(programme=flow.programme).values_list("state", flat=True)) == {"accepted"}
    flow.baselines()
    flow.freeze_comparison()
    return flow


def _sweep_everything(at: timezone.datetime) -> None:
    """Every periodic job that reaches people, as beat runs them, at the moment `at`."""
    support_sweep(now=at)
    orientation_reminders_send(now=at)
    notifications_send_due()


def _new_for(people: list[int], after_pk: int) -> list[str]:
    return list(Notification.objects.filter(recipient_id__in=people, pk__gt=after_pk).values_list("kind", flat=True))


def test_one_programme_from_import_to_report_gives_the_did_of_the_entered_numbers(client: Client) -> None:
    flow = _prepared()
    participants = set(Observation.objects.filter(group="participant").values_list("person_id", flat=True))
    assert participants == {p.pk for p in flow.mentees}, "participants have baselines before any pairing"
    assert not {p.pk for p in flow.comparison} & {p.pk for p in flow.mentees + flow.mentors}
    assert len(flow.comparison) >= 5

    flow.orient()
    assert set(Enrolment.objects.filter(programme=flow.programme).values_list("state", flat=True)) == {"available"}
    run = flow.match()
    assert run.matched == len(flow.mentees)
    flow.accept()
    flow.sign_agreements()
    assert {r.state for r in flow.relationships()} == {Relationship.State.ACTIVE}
    flow.log_sessions()

    flow.withdraw(flow.mentees[0])

    flow.end_values()
    result = flow.results()
    figures = result.figures
    assert figures["groups"]["participant"]["n"] == len(flow.mentored()) == 5
    assert figures["groups"]["comparison"]["n"] == len(flow.comparison)
    assert figures["did"]["value"] == pytest.approx(flow.expected_did(), abs=1e-9)

    client.force_login(flow.hr)
    page = client.get(reverse("evaluation:report", args=[flow.programme.pk])).content.decode()
    assert "Mentored mentees (per protocol)" in page
    assert 'data-testid="about-figures"' in page


def _running() -> Flow:
    flow = _prepared()
    flow.orient()
    flow.match()
    flow.accept()
    flow.sign_agreements()
    flow.log_sessions()
    return flow


def test_the_withdrawn_mentee_gets_no_reminder_after_withdrawing() -> None:
    flow = _running()
    leaver = flow.mentees[0]
    flow.withdraw(leaver)
    mark = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for days in (1, 8, 15, 31):
        _sweep_everything(timezone.now() + timedelta(days=days))
    assert _new_for([leaver.pk], mark) == [], "the withdrawn mentee gets nothing after withdrawing"
    others = [p.pk for p in flow.mentees[1:]]
    assert _new_for(others, mark), "the others still get their check-ins: the sweep did run"


def test_a_cancelled_programme_sends_nothing() -> None:
    flow = _running()
    notifications_send_due()
    programme_cancel(actor=flow.coordinator, programme=flow.refresh(), reason="Budget withdrawn.")
    notifications_send_due()  # the cancellation notices, if any, go out now
    mail.outbox.clear()
    mark = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for days in (1, 8, 15, 31, 60):
        _sweep_everything(timezone.now() + timedelta(days=days))
    people = [p.pk for p in flow.mentees + flow.mentors + [flow.coordinator]]
    assert _new_for(people, mark) == []
    assert mail.outbox == []
