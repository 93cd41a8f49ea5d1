"""Process metrics from the programmes app's rows, "not yet available" where a model is missing, suppression
below 5 people; and the evaluation admin pages."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import Personas
from evaluation import selectors_process
from evaluation.selectors_process import process_metrics_for_programmes
from programmes.models import Enrolment, Programme, Relationship, RelationshipMember
from programmes.tests.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db


def _pairs(programme: Programme, mentees: int, waits: list[int]) -> None:
    """`mentees` accepted mentees, the first len(waits) matched after waiting that many days."""
    mentor = EnrolmentFactory(programme=programme, role=Enrolment.Role.MENTOR, capacity=4)
    applied = timezone.now() - datetime.timedelta(days=100)
    for n in range(mentees):
        mentee = EnrolmentFactory(programme=programme, role=Enrolment.Role.MENTEE, state="accepted")
        Enrolment.objects.filter(pk=mentee.pk).update(created_at=applied)
        if n < len(waits):
            rel = Relationship.objects.create(
                programme=programme, state="active", created_at=applied + datetime.timedelta(days=waits[n])
            )
            RelationshipMember.objects.create(relationship=rel, enrolment=mentee, role="mentee")
            RelationshipMember.objects.create(relationship=rel, enrolment=mentor, role="mentor")


def test_time_to_match_match_rate_and_mentor_utilisation(personas: Personas) -> None:
    programme = personas.other_programme
    _pairs(programme, mentees=8, waits=[10, 20, 30, 40, 50, 60])
    figures = {f.key: f for f in process_metrics_for_programmes(programme_ids=[programme.pk])[programme.pk]}
    assert figures["time_to_match"].value == pytest.approx(35.0)
    assert figures["time_to_match"].n == 6
    # 8 accepted mentees plus the outsider's enrolment (matched, from the personas): 6 of 9 matched.
    assert figures["match_rate"].value == pytest.approx(100 * 6 / 9)
    assert figures["mentor_utilisation"].value == pytest.approx(100 * 6 / 4)


def test_a_figure_of_fewer_than_5_people_is_suppressed_in_the_export_form(personas: Personas) -> None:
    programme = personas.other_programme
    _pairs(programme, mentees=3, waits=[5, 6, 7])
    figure = next(
        f
        for f in process_metrics_for_programmes(programme_ids=[programme.pk])[programme.pk]
        if f.key == "time_to_match"
    )
    assert figure.suppressed
    assert figure.as_dict()["value"] is None
    assert figure.as_dict()["n"] is None


def test_a_figure_whose_model_does_not_exist_says_not_yet_available(
    personas: Personas, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A figure the programmes app does not record yet answers None (the models are imported directly now).
    calculators = [
        (k, *rest, (lambda ids: None) if k == "early_closure_rate" else f)
        for k, *rest, f in selectors_process.CALCULATORS
    ]
    monkeypatch.setattr(selectors_process, "CALCULATORS", tuple(calculators))
    [early] = [
        f
        for f in process_metrics_for_programmes(programme_ids=[personas.programme.pk])[personas.programme.pk]
        if f.key == "early_closure_rate"
    ]
    assert not early.available
    assert "Not yet available" in str(early.note)


def test_the_evaluation_admin_pages_open_for_a_site_admin(client: Client, personas: Personas) -> None:
    client.force_login(personas.admin)
    pages = [f"admin:evaluation_{m}_changelist" for m in ("evaluationcycle", "instrument", "outcomeresult", "costitem")]
    pages.append("admin:people_backgroundjob_changelist")  # report exports are background jobs
    for page in pages:
        response = client.get(reverse(page))
        assert response.status_code == 200, page
        assert b"<table" in response.content or b"0 " in response.content
