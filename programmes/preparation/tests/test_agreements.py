"""The mentoring agreement: drafting on acceptance, editing together, versions, signatures, the first meeting,
activation and the print page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mentoring.dates import add_months
from people.tests.factories import UserFactory
from programmes.core.errors import DomainError, InvalidTransition, StaleTransition, TransitionBlocked
from programmes.models import (
    Agreement,
    AgreementSignature,
    AuditEvent,
    Notification,
    Programme,
    Relationship,
)
from programmes.preparation.services.agreements import AgreementTerms, agreement_update, current_version
from programmes.preparation.services.signing import (
    agreement_first_meeting_record,
    agreement_sign,
    relationship_activate,
    relationship_activate_if_ready,
)
from programmes.tests.matching_helpers import coordinator_of, matching_programme, pool_mentee
from programmes.tests.preparation_helpers import accepted_pair, fill_expectations, goal, people_of

pytestmark = pytest.mark.django_db


def _programme() -> Programme:
    programme = matching_programme(
        term_months=6,
        meeting_cadence_days=21,
        agreement_template="We keep a shared notes document.",
        no_fault_clause="Either of us may end this at any time, without blame.",
    )
    return programme


def _terms(agreement: Agreement, **changes: object) -> tuple[AgreementTerms, tuple[int, int]]:
    version = current_version(agreement)
    terms = AgreementTerms.of(version)
    for name, value in changes.items():
        setattr(terms, name, value)
    return terms, (version.number, version.revision)


def _sign_all(relationship: Relationship) -> None:
    agreement = relationship.agreement
    number = current_version(agreement).number
    for person in people_of(relationship):
        agreement_sign(actor=person, agreement=agreement, version_number=number, typed_name=person.full_name)


# --- Drafting -------------------------------------------------------------------------------------------------------


def test_accepting_a_match_drafts_the_agreement_from_the_programmes_template() -> None:
    programme = _programme()
    mentee = pool_mentee(programme)
    planned = goal(mentee, statement="Close a renewal without a discount.")
    relationship = accepted_pair(programme, mentee=mentee)
    assert relationship.state == Relationship.State.ACCEPTED
    version = current_version(relationship.agreement)
    today = timezone.localdate()
    assert (version.number, version.meeting_cadence_days, version.meeting_minutes) == (1, 21, 60)
    assert (version.starts_on, version.ends_on) == (today, add_months(today, 6))
    assert version.terms == "We keep a shared notes document."
    assert version.no_fault_clause == "Either of us may end this at any time, without blame."
    assert "stays between us" in version.confidentiality
    assert list(version.linked_goals.all()) == [planned]
    assert version.goal_snapshot[0]["statement"] == "Close a renewal without a discount."
    drafted = Notification.objects.filter(kind="agreement_drafted")
    assert {n.recipient for n in drafted} == set(people_of(relationship))


# --- Editing and versions -------------------------------------------------------------------------------------------


def test_editing_an_unsigned_draft_changes_it_in_place() -> None:
    relationship = accepted_pair(_programme())
    mentor, _mentee = people_of(relationship)
    agreement = relationship.agreement
    terms, based_on = _terms(agreement, meeting_minutes=45, mentee_expects="Straight answers.")
    version = agreement_update(actor=mentor, agreement=agreement, terms=terms, based_on=based_on)
    assert (version.number, version.revision, version.meeting_minutes) == (1, 2, 45)
    assert agreement.versions.count() == 1


def test_an_edit_after_one_signature_makes_a_new_version_that_everyone_signs_again() -> None:
    relationship = accepted_pair(_programme())
    mentor, mentee = people_of(relationship)
    agreement = relationship.agreement
    fill_expectations(agreement)
    agreement_sign(actor=mentee, agreement=agreement, version_number=1, typed_name=mentee.full_name)
    terms, based_on = _terms(agreement, meeting_cadence_days=14, change_note="Every fortnight instead.")
    version = agreement_update(actor=mentor, agreement=agreement, terms=terms, based_on=based_on)
    assert version.number == 2
    assert version.signatures.count() == 0
    first = agreement.versions.get(number=1)
    assert first.meeting_cadence_days == 21
    assert first.signatures.get().person == mentee
    note = Notification.objects.get(kind="agreement_changed", recipient=mentee)
    assert note.context["note"] == "Every fortnight instead."
    event = AuditEvent.objects.filter(content_type=ContentType.objects.get_for_model(Agreement)).last()
    assert (event.from_state, event.to_state, event.actor) == ("v1", "v2", mentor)
    with pytest.raises(StaleTransition, match="now version 2"):
        agreement_sign(actor=mentor, agreement=agreement, version_number=1, typed_name=mentor.full_name)


def test_an_edit_based_on_an_older_revision_is_refused() -> None:
    relationship = accepted_pair(_programme())
    mentor, mentee = people_of(relationship)
    agreement = relationship.agreement
    terms, based_on = _terms(agreement, meeting_minutes=45)
    agreement_update(actor=mentor, agreement=agreement, terms=terms, based_on=based_on)
    theirs, _stale = _terms(agreement, meeting_minutes=90)
    with pytest.raises(StaleTransition):
        agreement_update(actor=mentee, agreement=agreement, terms=theirs, based_on=based_on)
    assert current_version(agreement).meeting_minutes == 45


def test_a_stale_edit_in_the_browser_keeps_what_was_typed_and_explains(client: Client) -> None:
    relationship = accepted_pair(_programme())
    mentor, mentee = people_of(relationship)
    agreement = relationship.agreement
    terms, based_on = _terms(agreement, meeting_minutes=45)
    agreement_update(actor=mentor, agreement=agreement, terms=terms, based_on=based_on)
    client.force_login(mentee)
    url = reverse("programmes:agreement_edit", args=[relationship.programme_id, relationship.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if k != "linked_goals"}
    data.update(revision="1", channels=["video"], mentee_expects="Typed with care and not lost.", meeting_minutes="60")
    page = client.post(url, data)
    assert page.status_code == 200
    assert "Someone changed the agreement while you were editing" in page.content.decode()
    assert "Typed with care and not lost." in page.content.decode()
    assert page.context["form"]["revision"].value() == "2"
    assert current_version(agreement).mentee_expects == ""
    again = client.post(url, {**data, "revision": "2"})
    assert again.status_code == 302
    assert current_version(agreement).mentee_expects == "Typed with care and not lost."


def test_only_members_edit_and_only_goals_of_the_mentees_can_be_linked() -> None:
    programme = _programme()
    relationship = accepted_pair(programme)
    mentor, _mentee = people_of(relationship)
    agreement = relationship.agreement
    terms, based_on = _terms(agreement)
    with pytest.raises(DomainError, match="Only the members"):
        agreement_update(actor=coordinator_of(programme), agreement=agreement, terms=terms, based_on=based_on)
    stranger_goal = goal(pool_mentee(programme))
    terms.linked_goals = [stranger_goal]
    with pytest.raises(DomainError, match="Link only"):
        agreement_update(actor=mentor, agreement=agreement, terms=terms, based_on=based_on)


# --- Signing --------------------------------------------------------------------------------------------------------


def test_a_signature_needs_the_members_own_full_name_and_keeps_time_and_address() -> None:
    relationship = accepted_pair(_programme())
    mentor, mentee = people_of(relationship)
    agreement = relationship.agreement
    fill_expectations(agreement)
    with pytest.raises(DomainError, match="exactly as it appears"):
        agreement_sign(actor=mentee, agreement=agreement, version_number=1, typed_name=mentor.full_name)
    typed = f"  {mentee.full_name.upper()}  "
    signature = agreement_sign(
        actor=mentee, agreement=agreement, version_number=1, typed_name=typed, ip_address="10.1.2.3", user_agent="UA"
    )
    assert (signature.typed_name, signature.ip_address, signature.user_agent) == (typed.strip(), "10.1.2.3", "UA")
    assert signature.signed_at is not None
    with pytest.raises(DomainError, match="already signed"):
        agreement_sign(actor=mentee, agreement=agreement, version_number=1, typed_name=mentee.full_name)
    assert Notification.objects.filter(kind="agreement_signed", recipient=mentor).exists()


def test_nobody_signs_before_the_expectations_are_written_down() -> None:
    relationship = accepted_pair(_programme())
    _mentor, mentee = people_of(relationship)
    with pytest.raises(DomainError, match="what the mentee expects of the mentor"):
        agreement_sign(actor=mentee, agreement=relationship.agreement, version_number=1, typed_name=mentee.full_name)
    assert not AgreementSignature.objects.exists()


# --- Activation -----------------------------------------------------------------------------------------------------


def test_no_active_relationship_without_every_signature_and_the_first_meeting() -> None:
    relationship = accepted_pair(_programme())
    mentor, mentee = people_of(relationship)
    agreement = relationship.agreement
    fill_expectations(agreement)
    with pytest.raises(TransitionBlocked) as blocked:
        relationship_activate(actor=mentor, relationship=relationship)
    assert [str(b.message) for b in blocked.value.blockers] == [
        f"Version 1 still needs the signature of {mentor}, {mentee}.",
        "Record your first meeting.",
    ]
    agreement_sign(actor=mentor, agreement=agreement, version_number=1, typed_name=mentor.full_name)
    agreement_first_meeting_record(actor=mentor, agreement=agreement, met_at=timezone.now() - timedelta(hours=2))
    relationship.refresh_from_db()
    assert relationship.state == Relationship.State.ACCEPTED  # the mentee has not signed
    agreement_sign(actor=mentee, agreement=agreement, version_number=1, typed_name=mentee.full_name)
    relationship.refresh_from_db()
    assert relationship.state == Relationship.State.ACTIVE
    event = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Relationship), object_id=relationship.pk
    ).last()
    assert (event.from_state, event.to_state, event.actor) == ("accepted", "active", mentee)
    assert Notification.objects.filter(kind="relationship_active").count() == 2
    with pytest.raises(InvalidTransition):
        relationship_activate(actor=mentor, relationship=relationship)


def test_signatures_first_then_the_first_meeting_activates() -> None:
    relationship = accepted_pair(_programme())
    mentor, _mentee = people_of(relationship)
    fill_expectations(relationship.agreement)
    _sign_all(relationship)
    relationship.refresh_from_db()
    assert relationship.state == Relationship.State.ACCEPTED
    agreement_first_meeting_record(actor=mentor, agreement=relationship.agreement, met_at=timezone.now())
    relationship.refresh_from_db()
    assert relationship.state == Relationship.State.ACTIVE


def test_a_first_meeting_set_by_the_session_log_activates_through_the_hook() -> None:
    relationship = accepted_pair(_programme())
    fill_expectations(relationship.agreement)
    _sign_all(relationship)
    # What the session log does when the first held session is logged (issue 6), then its call to the hook.
    Agreement.objects.filter(relationship=relationship).update(first_meeting_at=timezone.now())
    relationship.refresh_from_db()
    assert relationship_activate_if_ready(actor=None, relationship=relationship) is True
    assert relationship.state == Relationship.State.ACTIVE


def test_the_first_meeting_is_not_in_the_future_nor_before_the_match() -> None:
    relationship = accepted_pair(_programme())
    mentor, _mentee = people_of(relationship)
    agreement = relationship.agreement
    with pytest.raises(DomainError, match="future"):
        agreement_first_meeting_record(actor=mentor, agreement=agreement, met_at=timezone.now() + timedelta(days=1))
    with pytest.raises(DomainError, match="before the match"):
        agreement_first_meeting_record(actor=mentor, agreement=agreement, met_at=timezone.now() - timedelta(days=30))
    with pytest.raises(DomainError, match="Only the members"):
        agreement_first_meeting_record(actor=UserFactory(), agreement=agreement, met_at=timezone.now())
    agreement.refresh_from_db()
    assert agreement.first_meeting_at is None


def test_the_pages_sign_record_the_first_meeting_and_show_the_relationship_active(client: Client) -> None:
    relationship = accepted_pair(_programme())
    mentor, mentee = people_of(relationship)
    fill_expectations(relationship.agreement)
    args = [relationship.programme_id, relationship.pk]
    for person in (mentor, mentee):
        client.force_login(person)
        client.post(reverse("programmes:agreement_sign", args=args), {"number": "1", "typed_name": person.full_name})
    met = timezone.localtime() - timedelta(hours=1)
    response = client.post(
        reverse("programmes:agreement_first_meeting", args=args), {"met_at": met.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 302
    page = client.get(reverse("programmes:agreement", args=args))
    assert "now active" in page.content.decode()
    assert page.context["relationship"].state == Relationship.State.ACTIVE
    assert page.context["page"].fully_signed


def test_a_bad_first_meeting_date_in_the_form_says_so_and_changes_nothing(client: Client) -> None:
    relationship = accepted_pair(_programme())
    mentor, _mentee = people_of(relationship)
    client.force_login(mentor)
    args = [relationship.programme_id, relationship.pk]
    response = client.post(
        reverse("programmes:agreement_first_meeting", args=args), {"met_at": "not a date"}, follow=True
    )
    assert "Give the date and time of your first meeting." in response.content.decode()
    later = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("programmes:agreement_first_meeting", args=args), {"met_at": later}, follow=True)
    assert "cannot be in the future" in response.content.decode()
    assert Agreement.objects.get(pk=relationship.agreement.pk).first_meeting_at is None


# --- Reading and printing -------------------------------------------------------------------------------------------


def test_earlier_versions_stay_readable_and_the_print_page_shows_the_signatures(client: Client) -> None:
    relationship = accepted_pair(_programme())
    mentor, mentee = people_of(relationship)
    agreement = relationship.agreement
    fill_expectations(agreement)
    agreement_sign(actor=mentee, agreement=agreement, version_number=1, typed_name=mentee.full_name)
    terms, based_on = _terms(agreement, meeting_minutes=30)
    agreement_update(actor=mentor, agreement=agreement, terms=terms, based_on=based_on)
    client.force_login(mentor)
    args = [relationship.programme_id, relationship.pk]
    old = client.get(reverse("programmes:agreement_version", args=[*args, 1]))
    assert "earlier version" in old.content.decode()
    assert old.context["version"].meeting_minutes == 60
    assert old.context["page"].members[1].signature is not None or old.context["page"].members[0].signature is not None
    printed = client.get(reverse("programmes:agreement_print", args=[*args, 1])).content.decode()
    assert "Signed electronically on" in printed
    assert mentee.full_name in printed
    assert "css/preparation.css" in printed
    assert "<nav" not in printed
    assert client.get(reverse("programmes:agreement_version", args=[*args, 9])).status_code == 404


def test_the_agreement_page_takes_the_same_number_of_queries_for_one_or_many_versions(
    client: Client, django_assert_max_num_queries: object
) -> None:
    relationship = accepted_pair(_programme())
    mentor, mentee = people_of(relationship)
    agreement = relationship.agreement
    fill_expectations(agreement)
    client.force_login(mentor)
    url = reverse("programmes:agreement", args=[relationship.programme_id, relationship.pk])
    client.get(url)
    with django_assert_max_num_queries(30) as one:  # type: ignore[operator]
        client.get(url)
    for minutes in (30, 40, 50, 70):
        agreement_sign(
            actor=mentee,
            agreement=agreement,
            version_number=current_version(agreement).number,
            typed_name=mentee.full_name,
        )
        terms, based_on = _terms(agreement, meeting_minutes=minutes)
        agreement_update(actor=mentor, agreement=agreement, terms=terms, based_on=based_on)
    with django_assert_max_num_queries(len(one.captured_queries)):  # type: ignore[operator]
        client.get(url)
