"""Locale-correct forms and dates: date inputs always receive ISO values (in Bahasa Indonesia too), pages show
one date format per language, and no raw code reaches a page."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from conftest import Personas
from evaluation.models import EvaluationCycle
from evaluation.services.cycles import cycle_create
from people.labels import choice_label, language_name
from people.tests.forms_as_browser import prefilled
from programmes.tests.matching_helpers import matching_programme
from programmes.tests.preparation_helpers import accepted_pair, goal, mentee_enrolment, people_of

pytestmark = pytest.mark.django_db


def _speaks_indonesian(client: Client, user: object) -> None:
    user.preferred_language = "id"  # type: ignore[attr-defined]
    user.save()  # type: ignore[attr-defined]
    client.force_login(user)  # type: ignore[arg-type]


def test_in_indonesian_a_coordinator_edits_a_cycle_without_retyping_its_dates(
    client: Client, personas: Personas
) -> None:
    opens, closes = datetime.date(2026, 12, 3), datetime.date(2027, 1, 15)
    cycle = cycle_create(
        actor=personas.coordinator, programme=personas.programme, kind="midpoint", opens_on=opens, closes_on=closes
    )
    _speaks_indonesian(client, personas.coordinator)
    url = reverse("evaluation:cycle_edit", args=[personas.programme.pk, cycle.pk])
    page = client.get(url)
    html = page.content.decode()
    assert 'lang="id"' in html
    assert 'value="2026-12-03"' in html  # what <input type="date"> can show
    response = client.post(url, prefilled(html, "."))
    assert response.status_code == 302, response.content.decode()[:2000]
    cycle = EvaluationCycle.objects.get(pk=cycle.pk)
    assert (cycle.opens_on, cycle.closes_on) == (opens, closes)


def test_in_indonesian_a_mentee_records_goal_progress_with_the_prefilled_date(client: Client) -> None:
    relationship = accepted_pair(matching_programme())
    _mentor, mentee = people_of(relationship)
    enrolment = mentee_enrolment(relationship)
    planned = goal(enrolment)
    _speaks_indonesian(client, mentee)
    plan = client.get(reverse("programmes:plan", args=[relationship.programme_id, enrolment.pk])).content.decode()
    url = reverse("programmes:goal_progress", args=[relationship.programme_id, enrolment.pk, planned.pk])
    data = prefilled(plan, url)
    assert data[f"p{planned.pk}-recorded_on"] == timezone.localdate().isoformat()
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert planned.progress.get().recorded_on == timezone.localdate()


def test_each_language_has_one_date_format_and_one_moment_format() -> None:
    day = datetime.date(2026, 12, 3)
    moment = timezone.make_aware(datetime.datetime(2026, 12, 3, 9, 30))
    with translation.override("en"):
        assert formats.date_format(day) == formats.date_format(day, "SHORT_DATE_FORMAT") == "3 Dec 2026"
        assert formats.date_format(moment, "DATETIME_FORMAT") == "Thu 3 Dec 2026, 09:30"
        assert formats.get_format("DATE_INPUT_FORMATS")[0] == "%Y-%m-%d"
    with translation.override("id"):
        assert formats.date_format(day) == formats.date_format(day, "SHORT_DATE_FORMAT") == "3 Des 2026"
        assert formats.date_format(moment, "DATETIME_FORMAT") == "Kam 3 Des 2026, 09.30"
        assert formats.get_format("DATE_INPUT_FORMATS")[0] == "%Y-%m-%d"
        assert formats.get_format("DATETIME_INPUT_FORMATS")[0] == "%Y-%m-%dT%H:%M"


def test_codes_are_told_in_words() -> None:
    with translation.override("en"):
        assert language_name("id") == "Indonesian"
        assert choice_label("needs_assessment") == "Needs assessment"
        assert choice_label("on_hold") == "On hold"
        assert choice_label("not-a-code") == "not-a-code"
    with translation.override("id"):
        assert language_name("id") == "Indonesia"


def test_a_relationship_is_named_by_its_people_not_its_number(client: Client) -> None:
    relationship = accepted_pair(matching_programme())
    mentor, mentee = people_of(relationship)
    client.force_login(mentee)
    url = reverse("programmes:session_list", args=[relationship.programme_id, relationship.pk])
    html = client.get(url).content.decode()
    assert f"#{relationship.pk}<" not in html
    assert relationship.title == f"{mentor.full_name} & {mentee.full_name}"
    assert relationship.title.replace("&", "&amp;") in html


def test_an_enrolment_names_its_languages(client: Client, personas: Personas) -> None:
    enrolment = personas.programme.enrolments.get(person=personas.mentee)
    enrolment.languages = ["id", "en"]
    enrolment.save()
    client.force_login(personas.coordinator)
    html = client.get(reverse("programmes:enrolment_detail", args=[personas.programme.pk, enrolment.pk])).content
    assert "Indonesian, English" in html.decode()
