"""Bulk invitations: who the criteria reach, the welcome e-mail in each person's language, opened and applied
states, one reminder to those who did nothing, and nobody invited twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from people.models import User
from people.tests.factories import CompetencyFactory, CompetencyRatingFactory, OrgUnitFactory, UserFactory
from programmes.core.errors import DomainError
from programmes.core.services.notifications import notifications_send_due
from programmes.enrolment.selectors import invitation_audience, invitation_list_for_coordinator
from programmes.enrolment.services.enrolment import recruitment_update
from programmes.enrolment.services.invitations import invitation_open, invitations_remind_due, invitations_send
from programmes.models import Enrolment, Invitation, Notification
from programmes.tests.matching_helpers import coordinator_of, matching_programme, pool_mentee

pytestmark = pytest.mark.django_db


@pytest.fixture
def org() -> dict[str, User]:
    """Sales with two departments and a team below one (created children first, as HRIS exports list them)."""
    team = OrgUnitFactory(code="SAL-KA-JKT", name="Key Accounts Jakarta")
    key_accounts = OrgUnitFactory(code="SAL-KA", name="Key Accounts")
    retail = OrgUnitFactory(code="SAL-RT", name="Retail")
    sales = OrgUnitFactory(code="SAL", name="Sales")
    team.parent, key_accounts.parent, retail.parent = key_accounts, sales, sales
    for unit in (team, key_accounts, retail):
        unit.save()
    finance = OrgUnitFactory(code="FIN", name="Finance")
    return {
        "siti": UserFactory(email="siti@nn.example", full_name="Siti Nurhaliza", org_unit=team, grade=4),
        "ketut": UserFactory(
            email="ketut@nn.example", full_name="I Ketut Ärya", org_unit=retail, grade=7, preferred_language="id"
        ),
        "made": UserFactory(email="made@nn.example", full_name="Made Wirawan", org_unit=sales, grade=11),
        "fajar": UserFactory(email="fajar@nn.example", full_name="Fajar Nugroho", org_unit=finance, grade=4),
        "gone": UserFactory(
            email="gone@nn.example", org_unit=team, grade=4, left_date=timezone.localdate() - timedelta(days=3)
        ),
    }


def test_a_unit_reaches_the_units_below_it_and_never_leavers(org: dict[str, User]) -> None:
    sales = org["made"].org_unit

    reached = set(invitation_audience(unit=sales).values_list("email", flat=True))

    assert reached == {"siti@nn.example", "ketut@nn.example", "made@nn.example"}


def test_criteria_combine_grade_and_a_competency_gap(org: dict[str, User]) -> None:
    negotiation = CompetencyFactory(code="NEG", name="Negotiation")
    CompetencyRatingFactory(
        person=org["siti"], competency=negotiation, level=4, rated_on=timezone.localdate() - timedelta(days=400)
    )
    CompetencyRatingFactory(person=org["siti"], competency=negotiation, level=2)  # the latest counts
    CompetencyRatingFactory(person=org["fajar"], competency=negotiation, level=4)

    gap = invitation_audience(grade_max=5, competency_id=negotiation.pk, below_level=3)

    assert list(gap.values_list("email", flat=True)) == ["siti@nn.example"]


def test_invitations_go_once_in_each_persons_language_and_track_opened_and_applied(org: dict[str, User]) -> None:
    programme = matching_programme()
    coordinator = coordinator_of(programme)
    people = invitation_audience(unit=org["made"].org_unit)

    sent = invitations_send(actor=coordinator, programme=programme, people=people, role=Enrolment.Role.MENTEE)
    again = invitations_send(actor=coordinator, programme=programme, people=people, role=Enrolment.Role.MENTEE)
    notifications_send_due()

    assert len(sent) == 3
    assert again == []
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"siti@nn.example", "ketut@nn.example", "made@nn.example"}
    assert "invited" in by_recipient["siti@nn.example"].subject
    assert "You now have an account" in by_recipient["siti@nn.example"].body  # never signed in: welcomed too
    assert "diundang" in by_recipient["ketut@nn.example"].subject.lower()  # Ketut reads Bahasa Indonesia

    siti = Invitation.objects.get(person=org["siti"])
    invitation_open(user=org["siti"], programme=programme, token=siti.token)
    pool_mentee(programme, person=org["ketut"])  # Ketut applied
    states = {
        row["invitation"].person.email: row["state"] for row in invitation_list_for_coordinator(programme=programme)
    }

    assert states == {"siti@nn.example": "opened", "ketut@nn.example": "applied", "made@nn.example": "sent"}


def test_someone_elses_link_records_nothing(org: dict[str, User]) -> None:
    programme = matching_programme()
    invitations_send(actor=coordinator_of(programme), programme=programme, people=[org["siti"]], role="mentee")
    token = Invitation.objects.get().token

    with pytest.raises(DomainError):
        invitation_open(user=org["fajar"], programme=programme, token=token)

    assert Invitation.objects.get().opened_at is None


def test_one_reminder_after_a_week_to_those_who_did_nothing(org: dict[str, User]) -> None:
    programme = matching_programme()
    invitations_send(
        actor=coordinator_of(programme), programme=programme, people=[org["siti"], org["ketut"]], role="mentee"
    )
    invitation_open(user=org["siti"], programme=programme, token=Invitation.objects.get(person=org["siti"]).token)
    later = timezone.now() + timedelta(days=8)

    assert invitations_remind_due(now=timezone.now()) == 0  # too early
    assert invitations_remind_due(now=later) == 1
    assert invitations_remind_due(now=later) == 0  # once

    reminded = Notification.objects.filter(kind="programme_invitation_reminder")
    assert [n.recipient for n in reminded] == [org["ketut"]]


def test_closed_recruitment_sends_no_invitation_and_no_reminder(org: dict[str, User]) -> None:
    programme = matching_programme()
    coordinator = coordinator_of(programme)
    invitations_send(actor=coordinator, programme=programme, people=[org["siti"]], role="mentee")
    recruitment_update(
        actor=coordinator, programme=programme, is_open=False, commitment="Two hours a month.", eligibility="Sales."
    )

    with pytest.raises(DomainError, match="Open recruitment"):
        invitations_send(actor=coordinator, programme=programme, people=[org["ketut"]], role="mentee")
    assert invitations_remind_due(now=timezone.now() + timedelta(days=30)) == 0


def test_the_coordinator_invites_by_pasted_list_from_the_page_and_bad_addresses_are_named(org: dict[str, User]) -> None:
    programme = matching_programme()
    client = Client()
    client.force_login(coordinator_of(programme))
    url = reverse("programmes:invitations", args=[programme.pk])

    refused = client.post(url, {"role": "mentee", "emails": "siti@nn.example, not-an-address"})
    sent = client.post(url, {"role": "mentor", "emails": "SITI@nn.example;\nfajar@nn.example"}, follow=True)

    assert "not-an-address" in refused.content.decode()
    assert not Invitation.objects.filter(person=org["siti"], role="mentee").exists()
    assert "2 people invited" in sent.content.decode()
    assert set(Invitation.objects.values_list("person__email", "role")) == {
        ("siti@nn.example", "mentor"),
        ("fajar@nn.example", "mentor"),
    }
    assert "Siti Nurhaliza" in sent.content.decode()
