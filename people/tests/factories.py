"""factory_boy factories of the people directory."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from people.models import Competency, CompetencyRating, OrgUnit, User

PASSWORD = "correct-horse-battery"


class OrgUnitFactory(DjangoModelFactory[OrgUnit]):
    class Meta:
        model = OrgUnit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"Unit {n}")


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.co.id")
    full_name = factory.Faker("name", locale="id_ID")
    job_title = "Staff"
    grade = 5
    languages = factory.LazyFunction(lambda: ["id", "en"])
    password = factory.django.Password(PASSWORD)


class CompetencyFactory(DjangoModelFactory[Competency]):
    class Meta:
        model = Competency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"C{n:03d}")
    name = factory.Sequence(lambda n: f"Competency {n}")
    level_descriptors = factory.LazyFunction(lambda: [f"Level {i}" for i in range(1, 6)])


class CompetencyRatingFactory(DjangoModelFactory[CompetencyRating]):
    class Meta:
        model = CompetencyRating

    person = factory.SubFactory(UserFactory)
    competency = factory.SubFactory(CompetencyFactory)
    level = 3
    source = CompetencyRating.Source.ASSESSMENT
