"""Builders for the orientation, agreement and development-plan tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from people.models import User
from programmes.matching.services.relationships import relationship_propose, relationship_respond
from programmes.models import (
    Agreement,
    DevelopmentGoal,
    Enrolment,
    OrientationModule,
    OrientationText,
    Programme,
    Relationship,
)
from programmes.preparation.services.agreements import current_version
from programmes.preparation.services.development import GoalInput, development_goal_create
from programmes.tests.matching_helpers import coordinator_of, negotiation, pool_mentee, pool_mentor


def module(
    programme: Programme,
    audience: str = OrientationModule.Audience.MENTEE,
    *,
    key: str = "basics",
    required: bool = True,
    quiz: list[tuple[str, list[str], int]] | None = None,
    **fields: Any,
) -> OrientationModule:
    """A module with an English text (and a quiz when `quiz` gives (prompt, choices, right index) triples)."""
    check = OrientationModule.Check.QUIZ if quiz else OrientationModule.Check.ACKNOWLEDGE
    row = OrientationModule.objects.create(
        programme=programme, audience=audience, key=key, required=required, check_kind=check, **fields
    )
    text = OrientationText.objects.create(module=row, language="en", title=f"{key} title", body=f"# {key}\n\nRead me.")
    for position, (prompt, choices, answer) in enumerate(quiz or []):
        text.questions.create(position=position, prompt=prompt, choices=choices, answer=answer)
    return row


def accepted_pair(
    programme: Programme, *, mentor: Enrolment | None = None, mentee: Enrolment | None = None
) -> Relationship:
    """A pair both sides accepted through the services (so its agreement is drafted)."""
    mentor = mentor or pool_mentor(programme)
    mentee = mentee or pool_mentee(programme)
    relationship = relationship_propose(actor=coordinator_of(programme), mentor=mentor, mentees=[mentee])
    relationship_respond(actor=mentor.person, relationship=relationship, enrolment=mentor, accept=True)
    relationship_respond(actor=mentee.person, relationship=relationship, enrolment=mentee, accept=True)
    relationship.refresh_from_db()
    return relationship


def people_of(relationship: Relationship) -> tuple[User, User]:
    """(mentor, mentee) of a pair."""
    members = {m.role: m.enrolment.person for m in relationship.members.select_related("enrolment__person")}
    return members["mentor"], members["mentee"]


def mentee_enrolment(relationship: Relationship) -> Enrolment:
    return relationship.members.get(role="mentee").enrolment


def fill_expectations(agreement: Agreement) -> None:
    """Write both expectations into the current version (straight to the row: not what is under test)."""
    version = current_version(agreement)
    version.mentee_expects = "Honest feedback and one introduction a month."
    version.mentor_expects = "An agenda two days before each meeting."
    version.save()


def goal(
    enrolment: Enrolment, *, baseline: int = 2, target: int = 4, shared: bool = False, **fields: Any
) -> DevelopmentGoal:
    """A goal created through the service by the mentee."""
    data = GoalInput(
        competency=fields.pop("competency", None) or negotiation(),
        business_goal=fields.pop("business_goal", None),
        statement=fields.pop("statement", "Lead a key-account price negotiation on my own by June."),
        baseline_level=baseline,
        target_level=target,
        due_on=fields.pop("due_on", timezone.localdate() + timedelta(days=120)),
        shared_with_manager=shared,
    )
    return development_goal_create(actor=enrolment.person, enrolment=enrolment, data=data)
