"""Builders for the ongoing-support tests: a running pair, sessions, check-ins (issue 6)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import factory
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from factory.django import DjangoModelFactory

from people.models import User
from people.tests.factories import UserFactory
from programmes.models import (
    AuditEvent,
    CheckIn,
    Enrolment,
    MentoringSession,
    Programme,
    Relationship,
    RelationshipHealth,
    RelationshipMember,
)
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory, ProgrammeRoleFactory

POLICIES = {
    "phase": Programme.Phase.IMPLEMENTATION,
    "term_months": 12,
    "meeting_cadence_days": 14,
    "contacts_first_month": 2,
    "contact_interval_days": 30,
    "mentor_capacity": 2,
}


class SessionFactory(DjangoModelFactory[MentoringSession]):
    class Meta:
        model = MentoringSession

    relationship = factory.SubFactory("programmes.tests.factories.RelationshipFactory")
    programme = factory.LazyAttribute(lambda o: o.relationship.programme)
    held_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=2))
    minutes = 60
    status = MentoringSession.Status.HELD
    mode = MentoringSession.Mode.VIDEO
    topics = "Negotiation with key accounts"
    editable_until = factory.LazyFunction(lambda: timezone.now() + timedelta(days=5))
    # Logged when it was held (a scheduled one: now), as members do.
    created_at = factory.LazyAttribute(lambda o: min(o.held_at, timezone.now()))


def make_programme_runnable(programme: Programme) -> Programme:
    """Give a programme the policies of a one-to-one programme in implementation."""
    Programme.objects.filter(pk=programme.pk).update(**POLICIES)
    programme.refresh_from_db()
    return programme


def start_pair(
    programme: Programme,
    mentor: Enrolment,
    mentee: Enrolment,
    *,
    started: datetime | None = None,
    state: str = Relationship.State.ACTIVE,
) -> Relationship:
    """Two enrolments paired and active since `started` (an audit event says so), with the health row."""
    started = started or timezone.now() - timedelta(days=3)
    relationship = Relationship.objects.create(programme=programme, state=state, state_changed_at=started)
    for enrolment in (mentor, mentee):
        RelationshipMember.objects.create(
            relationship=relationship,
            enrolment=enrolment,
            role=enrolment.role,
            response=RelationshipMember.Response.ACCEPTED,
        )
    Enrolment.objects.filter(pk__in=[mentor.pk, mentee.pk]).update(state=Enrolment.State.MATCHED)
    if state != Relationship.State.ACCEPTED:
        AuditEvent.objects.create(
            content_type=ContentType.objects.get_for_model(Relationship),
            object_id=relationship.pk,
            programme=programme,
            from_state=Relationship.State.ACCEPTED,
            to_state=Relationship.State.ACTIVE,
            at=started,
        )
        RelationshipHealth.objects.create(
            relationship=relationship, programme=programme, started_at=started, last_activity_at=started
        )
    return relationship


def persona_pair(p: Any, *, started: datetime | None = None, state: str = Relationship.State.ACTIVE) -> Relationship:
    """The personas' mentor and mentee as a running pair in the personas' programme (made runnable)."""
    make_programme_runnable(p.programme)
    mentor = Enrolment.objects.get(programme=p.programme, person=p.mentor)
    mentee = Enrolment.objects.get(programme=p.programme, person=p.mentee)
    p.relationship = start_pair(p.programme, mentor, mentee, started=started, state=state)
    return p.relationship


def new_pair(programme: Programme, *, started: datetime | None = None, coordinator: User | None = None) -> Relationship:
    """A fresh mentor and mentee, paired and running."""
    if coordinator is not None:
        ProgrammeRoleFactory(programme=programme, user=coordinator)
    mentor = EnrolmentFactory(programme=programme, role=Enrolment.Role.MENTOR, person=UserFactory())
    mentee = EnrolmentFactory(programme=programme, role=Enrolment.Role.MENTEE, person=UserFactory())
    return start_pair(programme, mentor, mentee, started=started)


def runnable_programme(**kwargs: Any) -> Programme:
    return ProgrammeFactory(**{**POLICIES, **kwargs})


def open_checkin(relationship: Relationship, person: User, *, round_no: int = 1) -> CheckIn:
    return CheckIn.objects.create(
        relationship=relationship,
        programme=relationship.programme,
        respondent=person,
        round=round_no,
        due_on=timezone.localdate(),
    )


def session_post(**overrides: Any) -> dict[str, Any]:
    """What the session form posts for a session held yesterday."""
    when = timezone.localtime() - timedelta(days=1)
    data = {
        "status": "held",
        "held_at": when.strftime("%Y-%m-%dT%H:%M"),
        "minutes": "45",
        "mode": "video",
        "topics": "Preparing the Q3 account review",
        "mentor_roles": ["coaching", "giving_feedback"],
        "shared_notes": "Agreed to draft the review outline.",
        "private_notes": "",
    }
    data.update(overrides)
    return data
