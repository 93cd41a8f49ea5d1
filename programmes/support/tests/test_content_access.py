"""Audited access to a pair's content: coordinators give a reason, each read is recorded, the pair sees it."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from conftest import Personas
from programmes.models import CheckIn, ContentRead
from programmes.support.services.support import CheckInAnswer, checkin_answer
from programmes.tests.support_helpers import SessionFactory, open_checkin, persona_pair

REASON = "The mentee asked me to review their plan."


def _url(p: Personas, name: str, *extra: int) -> str:
    return reverse(f"programmes:{name}", args=[p.programme.pk, p.relationship.pk, *extra])  # type: ignore[attr-defined]


def _give_reason(client: Client, p: Personas, next_url: str) -> str:
    response = client.post(_url(p, "content_reason"), {"reason": REASON, "next": next_url})
    assert response.status_code == 302
    return str(response["Location"])


def test_a_coordinator_reads_shared_notes_only_after_a_reason_and_the_pair_sees_who_read_what(
    client: Client, personas: Personas
) -> None:
    persona_pair(personas)
    session = SessionFactory(relationship=personas.relationship, logged_by=personas.mentee, shared_notes="Budget plan")  # type: ignore[attr-defined]
    detail = _url(personas, "session_detail", session.pk)

    client.force_login(personas.coordinator)
    first = client.get(detail).content.decode()
    assert "Budget plan" not in first
    assert 'data-testid="reason-form"' in first
    assert not ContentRead.objects.exists()

    assert _give_reason(client, personas, detail) == detail
    assert "Budget plan" in client.get(detail).content.decode()
    assert "Budget plan" in client.get(_url(personas, "session_list")).content.decode()
    reads = list(ContentRead.objects.order_by("pk"))
    assert [(r.reader, r.kind, r.object_id, r.reason) for r in reads] == [
        (personas.coordinator, "session_notes", session.pk, REASON),
        (personas.coordinator, "session_notes", None, REASON),
    ]

    # The pair reads its own notes freely (no rows) and sees the coordinator's reads with the reason.
    client.force_login(personas.mentee)
    assert "Budget plan" in client.get(detail).content.decode()
    assert ContentRead.objects.count() == 2
    support = client.get(_url(personas, "relationship_support")).content.decode()
    assert _url(personas, "content_reads") in support
    page = client.get(_url(personas, "content_reads")).content.decode()
    assert personas.coordinator.full_name in page
    assert REASON in page


def test_the_reason_holds_for_a_short_time_only(client: Client, personas: Personas, settings: object) -> None:
    persona_pair(personas)
    SessionFactory(relationship=personas.relationship, logged_by=personas.mentee, shared_notes="Budget plan")  # type: ignore[attr-defined]
    client.force_login(personas.coordinator)
    listing = _url(personas, "session_list")
    _give_reason(client, personas, listing)
    assert "Budget plan" in client.get(listing).content.decode()
    settings.CONTENT_READ_REASON_MINUTES = 0  # type: ignore[attr-defined]
    assert "Budget plan" not in client.get(listing).content.decode()


def test_check_in_answers_on_the_support_page_are_behind_the_reason_for_staff(
    client: Client, personas: Personas
) -> None:
    persona_pair(personas)
    checkin = open_checkin(personas.relationship, personas.mentee)  # type: ignore[attr-defined]
    answer = CheckInAnswer(satisfaction=2, progress=2, working=CheckIn.Working.NO, concern="My mentor never calls")
    checkin_answer(actor=personas.mentee, checkin=checkin, answer=answer)
    support = _url(personas, "relationship_support")

    client.force_login(personas.coordinator)
    locked = client.get(support).content.decode()
    assert "My mentor never calls" not in locked
    assert 'data-testid="checkins-locked"' in locked
    _give_reason(client, personas, support)
    assert "My mentor never calls" in client.get(support).content.decode()
    assert ContentRead.objects.get().kind == ContentRead.Kind.CHECKIN_ANSWERS


def test_a_concern_is_read_by_the_coordinator_only_with_a_reason_and_the_raiser_sees_it(
    client: Client, personas: Personas
) -> None:
    from programmes.models import Concern

    persona_pair(personas)
    concern = Concern.objects.create(
        relationship=personas.relationship,  # type: ignore[attr-defined]
        programme=personas.programme,
        raised_by=personas.mentee,
        category=Concern.Category.NOT_WORKING,
        description="We never find a time.",
    )
    detail = _url(personas, "concern_detail", concern.pk)
    client.force_login(personas.coordinator)
    assert "We never find a time." not in client.get(detail).content.decode()
    _give_reason(client, personas, detail)
    assert "We never find a time." in client.get(detail).content.decode()
    read = ContentRead.objects.get()
    assert (read.kind, read.object_id) == ("concern", concern.pk)


def test_the_reason_form_never_sends_the_reader_outside_the_relationship(client: Client, personas: Personas) -> None:
    persona_pair(personas)
    client.force_login(personas.coordinator)
    support = _url(personas, "relationship_support")
    assert _give_reason(client, personas, "https://evil.example/") == support
    assert _give_reason(client, personas, reverse("programmes:list")) == support
