"""Evaluation reminders follow the state machine too: nobody who withdrew is chased, and a programme on hold,
cancelled or closed sends none."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from conftest import Personas
from evaluation.services.cycles import cycle_open
from evaluation.services.instruments import cycles_remind_open
from evaluation.tests.test_cycles import _planned_today
from programmes.core.services.lifecycle import programme_cancel
from programmes.enrolment.services.enrolment import enrolment_withdraw
from programmes.models import Enrolment, Notification

pytestmark = pytest.mark.django_db


def _reminded() -> set[int]:
    return set(Notification.objects.filter(kind="evaluation_reminder").values_list("recipient_id", flat=True))


def test_a_withdrawn_participant_is_not_reminded_of_an_open_cycle(personas: Personas) -> None:
    cycle_open(actor=None, cycle=_planned_today(personas.programme))
    mentee = Enrolment.objects.get(programme=personas.programme, person=personas.mentee)
    enrolment_withdraw(actor=personas.mentee, enrolment=mentee)
    cycles_remind_open(today=timezone.localdate() + datetime.timedelta(days=7))
    assert personas.mentee.pk not in _reminded()
    assert personas.mentor.pk in _reminded()


def test_a_cancelled_programmes_open_cycle_reminds_nobody(personas: Personas) -> None:
    cycle_open(actor=None, cycle=_planned_today(personas.programme))
    programme_cancel(actor=personas.coordinator, programme=personas.programme, reason="The budget was withdrawn.")
    cycles_remind_open(today=timezone.localdate() + datetime.timedelta(days=7))
    assert _reminded() == set()
