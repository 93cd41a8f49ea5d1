"""Builders for enrolment and matching tests: a programme in implementation and people in its pool."""

from __future__ import annotations

from typing import Any

from people.models import Competency, User
from people.tests.factories import CompetencyFactory, OrgUnitFactory, UserFactory
from programmes.models import Enrolment, Programme
from programmes.tests.factories import (
    EnrolmentCompetencyFactory,
    MatchingSettingsFactory,
    PoolEnrolmentFactory,
    ProgrammeFactory,
    ProgrammeRoleFactory,
    RecruitmentFactory,
)


def matching_programme(**fields: Any) -> Programme:
    """A one-to-one programme in implementation, recruiting, with a coordinator and the usual policies."""
    values: dict[str, Any] = {
        "phase": Programme.Phase.IMPLEMENTATION,
        "format": Programme.Format.ONE_TO_ONE,
        "mentor_capacity": 2,
        "reporting_line_exclusion_depth": 2,
        "max_time_zone_gap_hours": 4,
    }
    values.update(fields)
    programme = ProgrammeFactory(**values)
    RecruitmentFactory(programme=programme)
    MatchingSettingsFactory(programme=programme)
    ProgrammeRoleFactory(programme=programme)
    return programme


def coordinator_of(programme: Programme) -> User:
    return programme.staff_roles.get(role="coordinator").user


def negotiation() -> Competency:
    return CompetencyFactory(code="NEG", name="Negotiation")


def pool_mentee(
    programme: Programme,
    *,
    needs: dict[Competency, tuple[int, int]] | None = None,
    person: User | None = None,
    **fields: Any,
) -> Enrolment:
    """A mentee in the pool who wants to grow (current → target) in each competency of `needs`."""
    person = person or UserFactory(org_unit=OrgUnitFactory(code="SALES", name="Sales"))
    enrolment = PoolEnrolmentFactory(programme=programme, person=person, role=Enrolment.Role.MENTEE, **fields)
    for competency, (current, target) in (needs or {negotiation(): (2, 4)}).items():
        EnrolmentCompetencyFactory(enrolment=enrolment, competency=competency, current_level=current, level=target)
    return enrolment


def pool_mentor(
    programme: Programme,
    *,
    offers: dict[Competency, int] | None = None,
    person: User | None = None,
    capacity: int = 2,
    **fields: Any,
) -> Enrolment:
    """A mentor in the pool who offers each competency of `offers` at that level."""
    person = person or UserFactory(org_unit=OrgUnitFactory(code="FIN", name="Finance"))
    enrolment = PoolEnrolmentFactory(
        programme=programme, person=person, role=Enrolment.Role.MENTOR, capacity=capacity, **fields
    )
    for competency, level in (offers or {negotiation(): 5}).items():
        EnrolmentCompetencyFactory(enrolment=enrolment, competency=competency, current_level=None, level=level)
    return enrolment
