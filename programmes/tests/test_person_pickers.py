"""Person pickers validate on the server: a person is named by e-mail address (what a keyboard without
JavaScript types) and must be one the form offers, never any row of the directory.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from conftest import Personas
from people.tests.factories import UserFactory
from programmes.design.forms import BusinessGoalForm, TeamAddForm
from programmes.models import Enrolment, ProgrammeRole, Relationship
from programmes.support.forms.support import RematchForm
from programmes.tests.factories import PoolEnrolmentFactory, ProgrammeFactory
from programmes.tests.support_helpers import persona_pair

pytestmark = pytest.mark.django_db


def test_the_team_form_takes_an_active_person_by_e_mail_and_refuses_a_stranger_or_a_leaver(
    personas: Personas,
) -> None:
    colleague = UserFactory(email="colleague@example.co.id")
    leaver = UserFactory(email="leaver@example.co.id", is_active=False)
    form = TeamAddForm({"person": "Colleague@Example.co.id", "role": "coordinator"}, programme=personas.programme)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["person"] == colleague
    for wrong in ("nobody@example.co.id", leaver.email, "not an address", str(leaver.pk), "999999"):
        refused = TeamAddForm({"person": wrong, "role": "coordinator"}, programme=personas.programme)
        assert not refused.is_valid(), wrong
        assert "Nobody you can choose here" in str(refused.errors["person"])
    assert f'hx-get="/programmes/{personas.programme.pk}/people/search/"' in str(form["person"])


def test_a_refused_team_pick_shows_the_page_again_with_the_reason_and_adds_nobody(
    client: Client, personas: Personas
) -> None:
    client.force_login(personas.coordinator)
    before = ProgrammeRole.objects.count()
    url = reverse("programmes:team_add", args=[personas.programme.pk])
    response = client.post(url, {"person": "nobody@example.co.id", "role": "coordinator"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Nobody you can choose here has this e-mail address" in body
    assert 'value="nobody@example.co.id"' in body  # what was typed stays, to correct it
    assert ProgrammeRole.objects.count() == before


def test_a_goal_owner_is_named_by_e_mail_and_shown_by_e_mail(personas: Personas) -> None:
    form = BusinessGoalForm({"statement": "Grow", "priority": 2, "owner": personas.mentor.email})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["owner"] == personas.mentor
    goal = form.save(commit=False)
    goal.programme = personas.programme
    goal.save()
    shown = str(BusinessGoalForm(instance=goal, programme=personas.programme)["owner"])
    assert f'value="{personas.mentor.email}"' in shown


def test_the_rematch_picker_offers_only_this_programmes_free_mentors(personas: Personas) -> None:
    relationship: Relationship = persona_pair(personas)
    free = PoolEnrolmentFactory(programme=personas.programme, role=Enrolment.Role.MENTOR, person=UserFactory())
    elsewhere = PoolEnrolmentFactory(
        programme=ProgrammeFactory(), role=Enrolment.Role.MENTOR, person=UserFactory(email="other@example.co.id")
    )
    form = RematchForm({"mentor": free.person.email}, relationship=relationship)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["mentor"] == free  # the enrolment, as the service takes it
    current_mentor = personas.mentor.email  # already in this pair: a rematch proposes somebody new
    for wrong in (elsewhere.person.email, str(elsewhere.pk), current_mentor, "nobody@example.co.id", "abc"):
        refused = RematchForm({"mentor": wrong}, relationship=relationship)
        assert not refused.is_valid(), wrong
    html = str(form["mentor"])
    assert "<option" not in html
    assert f"/matching/mentors/search/?relationship={relationship.pk}" in html


def test_the_mentor_search_leaves_out_the_pairs_own_members(client: Client, personas: Personas) -> None:
    relationship = persona_pair(personas)
    PoolEnrolmentFactory(
        programme=personas.programme, role=Enrolment.Role.MENTOR, person=UserFactory(full_name="Budi Free")
    )
    client.force_login(personas.coordinator)
    url = reverse("programmes:mentor_search", args=[personas.programme.pk])
    everyone = client.get(url, {"q": "budi"}).content.decode()
    without_pair = client.get(url, {"q": "budi", "relationship": relationship.pk}).content.decode()
    assert "Budi Free" in without_pair
    assert personas.mentor.email not in without_pair
    assert personas.mentor.email in everyone  # Budi Santoso, the pair's (matched) mentor
