"""factory_boy factories of the programmes app."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from people.tests.factories import CompetencyFactory, UserFactory
from programmes.models import (
    Enrolment,
    EnrolmentCompetency,
    MatchingSettings,
    MatchProposal,
    MatchRun,
    Notification,
    PairRule,
    Programme,
    ProgrammeRole,
    Recruitment,
    Relationship,
    RelationshipMember,
)


class ProgrammeFactory(DjangoModelFactory[Programme]):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Programme {n}")
    purpose = "Grow the next generation of sales leaders."


class ProgrammeRoleFactory(DjangoModelFactory[ProgrammeRole]):
    class Meta:
        model = ProgrammeRole

    programme = factory.SubFactory(ProgrammeFactory)
    user = factory.SubFactory(UserFactory)
    role = ProgrammeRole.Role.COORDINATOR


class EnrolmentFactory(DjangoModelFactory[Enrolment]):
    class Meta:
        model = Enrolment

    programme = factory.SubFactory(ProgrammeFactory)
    person = factory.SubFactory(UserFactory)
    role = Enrolment.Role.MENTEE
    state = Enrolment.State.MATCHED


class NotificationFactory(DjangoModelFactory[Notification]):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = "welcome"
    dedupe_key = factory.Sequence(lambda n: f"test:{n}")


# --- Enrolment and matching --------------------------------------------------------------------------------


class RecruitmentFactory(DjangoModelFactory[Recruitment]):
    class Meta:
        model = Recruitment
        django_get_or_create = ("programme",)

    programme = factory.SubFactory(ProgrammeFactory, phase=Programme.Phase.IMPLEMENTATION)
    is_open = True
    commitment = "Two hours a month for nine months."
    eligibility = "Everyone in Sales."


class PoolEnrolmentFactory(EnrolmentFactory):
    """An enrolment in the matching pool with a usable profile (add competencies with EnrolmentCompetencyFactory)."""

    state = Enrolment.State.AVAILABLE
    availability = factory.LazyFunction(lambda: ["mon_morning", "wed_afternoon", "fri_morning"])
    languages = factory.LazyFunction(lambda: ["id", "en"])
    time_zone = "Asia/Jakarta"
    goals = "Negotiation with key accounts"


class EnrolmentCompetencyFactory(DjangoModelFactory[EnrolmentCompetency]):
    class Meta:
        model = EnrolmentCompetency

    enrolment = factory.SubFactory(PoolEnrolmentFactory)
    competency = factory.SubFactory(CompetencyFactory)
    current_level = 2
    level = 4


class MatchingSettingsFactory(DjangoModelFactory[MatchingSettings]):
    class Meta:
        model = MatchingSettings
        django_get_or_create = ("programme",)

    programme = factory.SubFactory(ProgrammeFactory)


class MatchRunFactory(DjangoModelFactory[MatchRun]):
    class Meta:
        model = MatchRun

    programme = factory.SubFactory(ProgrammeFactory)


class MatchProposalFactory(DjangoModelFactory[MatchProposal]):
    class Meta:
        model = MatchProposal

    run = factory.SubFactory(MatchRunFactory)
    mentee = factory.SubFactory(PoolEnrolmentFactory)
    mentor = factory.SubFactory(PoolEnrolmentFactory, role=Enrolment.Role.MENTOR)
    score = 0.5
    breakdown = factory.LazyFunction(lambda: {"competency": 0.3, "language": 0.05})
    explanation = "both speak Bahasa Indonesia"


class PairRuleFactory(DjangoModelFactory[PairRule]):
    class Meta:
        model = PairRule

    programme = factory.SubFactory(ProgrammeFactory)
    mentee = factory.SubFactory(PoolEnrolmentFactory)
    mentor = factory.SubFactory(PoolEnrolmentFactory, role=Enrolment.Role.MENTOR)
    kind = PairRule.Kind.FORBID


class RelationshipFactory(DjangoModelFactory[Relationship]):
    class Meta:
        model = Relationship

    programme = factory.SubFactory(ProgrammeFactory)
    explanation = "both speak Bahasa Indonesia"


class RelationshipMemberFactory(DjangoModelFactory[RelationshipMember]):
    class Meta:
        model = RelationshipMember

    relationship = factory.SubFactory(RelationshipFactory)
    enrolment = factory.SubFactory(PoolEnrolmentFactory)
    role = factory.LazyAttribute(lambda o: o.enrolment.role)
