"""Builders that go through the services the pages call: apply, screen, propose, answer, agree, sign, meet.

Factories make only the inputs (people, org units, competencies, a programme with its policies); every
enrolment, relationship and agreement row is written by the flow itself, so tests of the state machine see
what a real programme would.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from people.models import Competency, User
from people.tests.factories import OrgUnitFactory, UserFactory
from programmes.enrolment.services.enrolment import (
    ApplicationProfile,
    CompetencyEntry,
    enrolment_apply,
    enrolment_screen,
)
from programmes.matching.services.relationships import relationship_propose, relationship_respond
from programmes.models import Agreement, Enrolment, Programme, ProgrammeRole, Relationship
from programmes.preparation.services.agreements import AgreementTerms, agreement_update, current_version
from programmes.preparation.services.signing import agreement_first_meeting_record, agreement_sign
from programmes.tests.factories import (
    MatchingSettingsFactory,
    ProgrammeFactory,
    ProgrammeRoleFactory,
    RecruitmentFactory,
)
from programmes.tests.matching_helpers import negotiation

POLICIES: dict[str, Any] = {
    "phase": Programme.Phase.IMPLEMENTATION,
    "format": Programme.Format.ONE_TO_ONE,
    "term_months": 12,
    "meeting_cadence_days": 14,
    "contacts_first_month": 2,
    "contact_interval_days": 30,
    "mentor_capacity": 2,
    "group_size_min": 2,
    "group_size_max": 4,
    "reporting_line_exclusion_depth": 2,
    "max_time_zone_gap_hours": 4,
}


def flow_programme(**fields: Any) -> Programme:
    """A programme in implementation, recruiting, with a coordinator (the programme is an input here)."""
    programme = ProgrammeFactory(**{**POLICIES, **fields})
    RecruitmentFactory(programme=programme)
    MatchingSettingsFactory(programme=programme)
    ProgrammeRoleFactory(programme=programme, role=ProgrammeRole.Role.COORDINATOR)
    return programme


def coordinator(programme: Programme) -> User:
    return programme.staff_roles.get(role=ProgrammeRole.Role.COORDINATOR).user


def person(**fields: Any) -> User:
    values: dict[str, Any] = {"org_unit": OrgUnitFactory(), "time_zone": "Asia/Jakarta", "languages": ["id", "en"]}
    return UserFactory(**{**values, **fields})


def joined(
    programme: Programme,
    role: str,
    *,
    who: User | None = None,
    capacity: int | None = None,
    competency: Competency | None = None,
) -> Enrolment:
    """Apply in `role` and be accepted by the coordinator: the enrolment is in the matching pool."""
    who = who or person()
    competency = competency or negotiation()
    gives = role in (Enrolment.Role.MENTOR, Enrolment.Role.FACILITATOR)
    entry = CompetencyEntry(competency=competency, level=5) if gives else CompetencyEntry(competency, 4, 2)
    profile = ApplicationProfile(
        goals="Negotiation with key accounts",
        availability=["mon_morning", "wed_afternoon", "fri_morning"],
        languages=["id", "en"],
        time_zone="Asia/Jakarta",
        capacity=(capacity or 2) if gives else None,
        competencies=[entry],
    )
    enrolment = enrolment_apply(actor=who, programme=programme, role=role, profile=profile)
    return enrolment_screen(actor=coordinator(programme), enrolment=enrolment, accept=True)


def mentor(programme: Programme, **kwargs: Any) -> Enrolment:
    return joined(programme, Enrolment.Role.MENTOR, **kwargs)


def mentee(programme: Programme, **kwargs: Any) -> Enrolment:
    return joined(programme, Enrolment.Role.MENTEE, **kwargs)


def proposed(programme: Programme, giver: Enrolment, takers: list[Enrolment]) -> Relationship:
    return relationship_propose(actor=coordinator(programme), mentor=giver, mentees=takers)


def answer(relationship: Relationship, enrolment: Enrolment, *, accept: bool = True, note: str = "") -> Relationship:
    relationship_respond(
        actor=enrolment.person, relationship=relationship, enrolment=enrolment, accept=accept, note=note
    )
    relationship.refresh_from_db()
    return relationship


def accepted(programme: Programme, giver: Enrolment, takers: list[Enrolment]) -> Relationship:
    relationship = proposed(programme, giver, takers)
    for enrolment in (giver, *takers):
        answer(relationship, enrolment)
    return relationship


def agree_and_meet(
    relationship: Relationship, *, cadence_days: int | None = None, ends_on: date | None = None
) -> Relationship:
    """Write the expectations (and the given cadence and end), everyone signs, the first meeting is recorded."""
    agreement = Agreement.objects.get(relationship=relationship)
    version = current_version(agreement)
    terms = AgreementTerms.of(version)
    terms = replace(
        terms,
        mentee_expects="Honest feedback and one introduction a month.",
        mentor_expects="An agenda two days before each meeting.",
        meeting_cadence_days=cadence_days or terms.meeting_cadence_days,
        ends_on=ends_on or terms.ends_on,
    )
    members = list(relationship.members.select_related("enrolment__person"))
    first = members[0].enrolment.person
    agreement_update(actor=first, agreement=agreement, terms=terms, based_on=(version.number, version.revision))
    number = current_version(agreement).number
    for member in members:
        who = member.enrolment.person
        agreement_sign(actor=who, agreement=agreement, version_number=number, typed_name=who.full_name)
    agreement_first_meeting_record(actor=first, agreement=agreement, met_at=timezone.now() - timedelta(hours=1))
    relationship.refresh_from_db()
    return relationship


def active(programme: Programme, giver: Enrolment, takers: list[Enrolment], **kwargs: Any) -> Relationship:
    """A relationship proposed, accepted by everyone, its agreement signed and first meeting held: active."""
    return agree_and_meet(accepted(programme, giver, takers), **kwargs)
