"""factory_boy factories of the programmes app."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from people.tests.factories import UserFactory
from programmes.models import Enrolment, Notification, Programme, ProgrammeRole


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
