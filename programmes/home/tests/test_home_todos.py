"""The home page as a to-do list: each item appears when it is due and disappears once done through the
service the linked page calls; notifications open their object and leave the list once acted on; the
manager's page; the home page's query count does not grow with the data."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import Personas
from programmes.enrolment.services.enrolment import enrolment_screen
from programmes.matching.services.relationships import relationship_propose, relationship_respond
from programmes.models import Enrolment, Notification, Relationship
from programmes.preparation.services.agreements import current_version
from programmes.preparation.services.signing import agreement_first_meeting_record, agreement_sign
from programmes.support.services.support import CheckInAnswer, checkin_answer
from programmes.tests.factories import EnrolmentFactory
from programmes.tests.matching_helpers import coordinator_of, matching_programme, pool_mentee, pool_mentor
from programmes.tests.preparation_helpers import accepted_pair, fill_expectations, people_of
from programmes.tests.support_helpers import new_pair, open_checkin, persona_pair

pytestmark = pytest.mark.django_db


def _home(client: Client, user: object) -> str:
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def _kinds(page: str) -> list[str]:
    return re.findall(r'class="todo[^"]*" data-kind="([a-z-]+)"', page)


def test_the_screening_item_appears_for_an_application_and_goes_once_it_is_screened(client: Client) -> None:
    programme = matching_programme()
    coordinator = coordinator_of(programme)
    applicant = EnrolmentFactory(programme=programme, state=Enrolment.State.SCREENING)
    page = _home(client, coordinator)
    assert "screening" in _kinds(page)
    assert reverse("programmes:enrolment_list", args=[programme.pk]) in page
    enrolment_screen(actor=coordinator, enrolment=applicant, accept=False, reason="The cohort is full.")
    assert "screening" not in _kinds(_home(client, coordinator))


def test_a_quiet_pair_and_its_overdue_contact_are_on_the_coordinators_list(client: Client, personas: Personas) -> None:
    persona_pair(personas, started=timezone.now() - timedelta(days=60))
    kinds = _kinds(_home(client, personas.coordinator))
    assert "quiet-pairs" in kinds
    assert "overdue-contacts" in kinds


def test_the_proposal_item_and_its_notification_go_once_the_member_answers(client: Client) -> None:
    programme = matching_programme()
    mentor, mentee = pool_mentor(programme), pool_mentee(programme)
    relationship = relationship_propose(actor=coordinator_of(programme), mentor=mentor, mentees=[mentee])
    Notification.objects.filter(recipient=mentee.person).update(due_at=timezone.now() - timedelta(minutes=1))
    page = _home(client, mentee.person)
    assert "proposal" in _kinds(page)
    assert 'data-testid="notification"' in page
    relationship_respond(actor=mentor.person, relationship=relationship, enrolment=mentor, accept=True)
    relationship_respond(actor=mentee.person, relationship=relationship, enrolment=mentee, accept=True)
    page = _home(client, mentee.person)
    assert "proposal" not in _kinds(page)
    # "Please accept or decline" is done: it no longer shows, although nobody marked it read.
    proposed = Notification.objects.get(recipient=mentee.person, kind="match_proposed")
    assert proposed.read_at is None
    assert f'action="{reverse("programmes:notification_read", args=[proposed.pk])}"' not in page


def test_opening_a_notification_marks_it_read_and_follows_its_link(client: Client) -> None:
    programme = matching_programme()
    mentor, mentee = pool_mentor(programme), pool_mentee(programme)
    relationship_propose(actor=coordinator_of(programme), mentor=mentor, mentees=[mentee])
    notification = Notification.objects.get(recipient=mentee.person, kind="match_proposed")
    Notification.objects.filter(pk=notification.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    page = _home(client, mentee.person)
    action = reverse("programmes:notification_read", args=[notification.pk])
    assert f'action="{action}"' in page
    response = client.post(action)
    assert response.status_code == 302
    assert response.url == notification.url
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert f'action="{action}"' not in _home(client, mentee.person)


def test_the_agreement_item_goes_once_the_person_signs(client: Client) -> None:
    relationship = accepted_pair(matching_programme())
    mentor, mentee = people_of(relationship)
    fill_expectations(relationship.agreement)
    assert "agreement" in _kinds(_home(client, mentee))
    version = current_version(relationship.agreement)
    agreement_sign(
        actor=mentee, agreement=relationship.agreement, version_number=version.number, typed_name=mentee.full_name
    )
    assert "agreement" not in _kinds(_home(client, mentee))
    assert "agreement" in _kinds(_home(client, mentor))  # the mentor still has to sign


def test_the_signature_still_needed_notice_goes_once_the_person_signs_and_the_pair_starts(client: Client) -> None:
    relationship = accepted_pair(matching_programme())
    mentor, mentee = people_of(relationship)
    fill_expectations(relationship.agreement)
    number = current_version(relationship.agreement).number
    agreement_sign(actor=mentor, agreement=relationship.agreement, version_number=number, typed_name=mentor.full_name)
    notice = Notification.objects.get(recipient=mentee, kind="agreement_signed")
    Notification.objects.filter(pk=notice.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    action = f'action="{reverse("programmes:notification_read", args=[notice.pk])}"'
    assert action in _home(client, mentee), "the mentee's signature is still needed"
    agreement_sign(actor=mentee, agreement=relationship.agreement, version_number=number, typed_name=mentee.full_name)
    agreement_first_meeting_record(actor=mentor, agreement=relationship.agreement, met_at=timezone.now())
    relationship.refresh_from_db()
    assert relationship.state == Relationship.State.ACTIVE
    assert action not in _home(client, mentee)  # done, although nobody marked it read


def test_the_checkin_item_goes_once_it_is_answered(client: Client, personas: Personas) -> None:
    relationship = persona_pair(personas)
    checkin = open_checkin(relationship, personas.mentee)
    page = _home(client, personas.mentee)
    assert "checkin" in _kinds(page)
    assert reverse("programmes:checkin_answer", args=[relationship.programme_id, relationship.pk, checkin.pk]) in page
    checkin_answer(actor=personas.mentee, checkin=checkin, answer=CheckInAnswer(4, 4, "yes"))
    assert "checkin" not in _kinds(_home(client, personas.mentee))


def test_the_relationship_hub_links_every_page_of_the_pair(client: Client, personas: Personas) -> None:
    relationship = persona_pair(personas)
    page = _home(client, personas.mentee)
    links = page[page.index('data-testid="relationship-links"') :]
    programme_id, pk = relationship.programme_id, relationship.pk
    mentee_enrolment = Enrolment.objects.get(programme_id=programme_id, person=personas.mentee)
    for url in (
        reverse("programmes:agreement", args=[programme_id, pk]),
        reverse("programmes:plan", args=[programme_id, mentee_enrolment.pk]),
        reverse("programmes:session_list", args=[programme_id, pk]),
        reverse("programmes:orientation", args=[programme_id]),
        reverse("programmes:resources", args=[programme_id]),
        reverse("programmes:concern_raise", args=[programme_id, pk]),
        f"mailto:{personas.coordinator.email}",
    ):
        assert url in links, url


def test_a_mentor_in_a_running_pair_is_not_told_they_are_ready_to_be_matched(
    client: Client, personas: Personas
) -> None:
    persona_pair(personas)
    Enrolment.objects.filter(person=personas.mentor).update(state=Enrolment.State.AVAILABLE)  # room for one more
    page = _home(client, personas.mentor)
    assert "You are ready to be matched" not in page
    assert 'data-testid="room-for-more"' in page


def test_the_manager_page_lists_approvals_and_shared_plans(client: Client, personas: Personas) -> None:
    Enrolment.objects.filter(person=personas.mentee).update(manager_approval=Enrolment.ManagerApproval.PENDING)
    page = _home(client, personas.mentor)  # the mentee's manager
    assert 'data-testid="panel-manager"' in page
    assert reverse("programmes:manager_home") in page
    client.force_login(personas.mentor)
    manager_page = client.get(reverse("programmes:manager_home")).content.decode()
    enrolment = Enrolment.objects.get(person=personas.mentee, programme=personas.programme)
    assert reverse("programmes:enrolment_approval", args=[personas.programme.pk, enrolment.pk]) in manager_page
    assert 'data-testid="panel-manager"' not in _home(client, personas.coordinator)


def test_hr_reads_reports_from_the_evaluation_fragment(client: Client, personas: Personas) -> None:
    client.force_login(personas.hr_analyst)
    fragment = client.get(reverse("evaluation:home_panel") + "?part=reports", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    body = fragment.content.decode()
    assert "<html" not in body
    assert 'data-testid="no-reports"' in body  # no results yet in the personas' programmes
    assert "No outcome report yet." not in _home(client, personas.hr_analyst)


def _queries(client: Client, person: object) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(person)  # type: ignore[arg-type]
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("home")).status_code == 200
    return len(captured.captured_queries)


def test_the_home_page_query_count_does_not_grow_with_the_data(
    client: Client, personas: Personas, django_assert_max_num_queries: object
) -> None:
    persona_pair(personas, started=timezone.now() - timedelta(days=60))
    open_checkin(personas.relationship, personas.mentee)
    people = (personas.mentee, personas.mentor, personas.coordinator, personas.hr_analyst)
    before = [_queries(client, person) for person in people]
    for _ in range(8):
        relationship = new_pair(personas.programme, started=timezone.now() - timedelta(days=60))
        open_checkin(relationship, personas.mentee)
    EnrolmentFactory.create_batch(5, programme=personas.programme, state=Enrolment.State.SCREENING)
    after = [_queries(client, person) for person in people]
    assert after == before
    client.force_login(personas.coordinator)
    with django_assert_max_num_queries(35):  # type: ignore[operator]
        client.get(reverse("home"))


def test_the_relationship_page_is_the_hub_of_the_pair(client: Client, personas: Personas) -> None:
    relationship = persona_pair(personas)
    client.force_login(personas.mentor)
    page = client.get(reverse("programmes:relationship_support", args=[relationship.programme_id, relationship.pk]))
    body = page.content.decode()
    links = body[body.index('data-testid="relationship-links"') :]
    mentee_enrolment = Enrolment.objects.get(programme=personas.programme, person=personas.mentee)
    assert reverse("programmes:agreement", args=[relationship.programme_id, relationship.pk]) in links
    assert reverse("programmes:plan", args=[relationship.programme_id, mentee_enrolment.pk]) in links
    assert f"mailto:{personas.coordinator.email}" in links
