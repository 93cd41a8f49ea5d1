"""The demo organisation (people.demo): its logins work, its reporting lines and units are trees.

The command's own behaviour (the stories, refusing a second copy, refusing with DEBUG off) is tested with
the whole demo in evaluation/tests/test_demo.py; here only the company is built, which takes seconds.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from people import demo
from people.models import CompetencyRating, OrgUnit, User

LOGINS = list(demo.LOGINS)
SIZE = 200


@pytest.fixture
def seeded(db: None) -> str:
    out = io.StringIO()
    demo.build(people=SIZE, seed=2026, stdout=out)
    return out.getvalue() + " ".join(demo.login_email(role) for role in LOGINS) + " " + demo.DEMO_PASSWORD


def chain_of(person_id: int, manager_of: dict[int, int | None]) -> list[int]:
    """The managers above a person, nearest first; fails on a cycle."""
    chain: list[int] = []
    current = manager_of[person_id]
    while current is not None:
        assert current not in chain, f"reporting-line cycle through {current}"
        chain.append(current)
        current = manager_of[current]
    return chain


def test_the_demo_builds_every_login_and_each_can_log_in(seeded: str, client: Client) -> None:
    for role in LOGINS:
        email = demo.login_email(role)
        assert email in seeded
        response = client.post(reverse("people:login"), {"username": email, "password": demo.DEMO_PASSWORD})
        assert response.status_code == 302, f"{email} could not log in"
        assert client.session["_auth_user_id"] == str(User.objects.get(email=email).pk)
        client.post(reverse("people:logout"))
    assert demo.DEMO_PASSWORD in seeded


def test_demo_logins_have_their_roles(seeded: str) -> None:
    admin = User.objects.get(email="admin@demo.example")
    assert admin.is_superuser
    assert admin.is_staff
    assert User.objects.get(email="hr@demo.example").is_hr_analyst
    assert not User.objects.filter(is_superuser=True).exclude(email="admin@demo.example").exists()
    assert list(User.objects.filter(is_hr_analyst=True).values_list("email", flat=True)) == ["hr@demo.example"]


def test_every_other_demo_person_can_log_in_with_the_demo_password(seeded: str, client: Client) -> None:
    someone = User.objects.exclude(email__in=[demo.login_email(r) for r in LOGINS]).order_by("-pk").first()
    assert someone is not None
    response = client.post(reverse("people:login"), {"username": someone.email, "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302


def test_everyone_reads_english_except_the_named_indonesian_accounts(seeded: str) -> None:
    indonesian = {demo.login_email(role) for role in demo.INDONESIAN}
    assert set(User.objects.filter(preferred_language="id").values_list("email", flat=True)) == indonesian
    assert User.objects.filter(preferred_language="en").count() == SIZE - len(indonesian)


def test_the_manager_login_is_the_mentees_team_lead(seeded: str) -> None:
    mentee = User.objects.get(email=demo.login_email("mentee"))
    assert mentee.manager is not None
    assert mentee.manager.email == demo.login_email("manager")


def test_managers_form_one_tree_without_cycles(seeded: str) -> None:
    manager_of = dict(User.objects.values_list("id", "manager_id"))
    roots = [pk for pk, manager in manager_of.items() if manager is None]
    assert len(roots) == 1, "one president director at the top"
    for person_id in manager_of:
        chain = chain_of(person_id, manager_of)
        assert not chain or chain[-1] == roots[0]
        assert len(chain) <= 4  # president director, director, head, team lead


def test_org_units_form_one_tree_and_everybody_sits_in_one(seeded: str) -> None:
    parent_of = dict(OrgUnit.objects.values_list("id", "parent_id"))
    roots = [pk for pk, parent in parent_of.items() if parent is None]
    assert [OrgUnit.objects.get(pk=pk).name for pk in roots] == [demo.COMPANY]
    for unit_id in parent_of:
        assert chain_of(unit_id, parent_of)[-1:] in ([], roots)
    assert not User.objects.filter(org_unit__isnull=True).exists()
    assert set(OrgUnit.objects.filter(parent_id=roots[0]).values_list("name", flat=True)) == {
        "Sales",
        "Operations",
        "Finance",
        "Technology",
        "Human Capital",
    }


def test_the_mentor_is_not_in_the_mentees_reporting_line(seeded: str) -> None:
    manager_of = dict(User.objects.values_list("id", "manager_id"))
    mentor = User.objects.get(email="mentor@demo.example")
    mentee = User.objects.get(email="mentee@demo.example")
    assert mentor.pk not in chain_of(mentee.pk, manager_of)
    assert mentee.pk not in chain_of(mentor.pk, manager_of)
    assert mentee.manager is not None  # the mentee still has a manager, just not the mentor


def test_the_demo_company_looks_like_an_indonesian_company(seeded: str) -> None:
    people = User.objects.all()
    assert people.count() == SIZE
    assert set(people.values_list("location", flat=True)) <= {"Jakarta", "Surabaya", "Bandung", "Medan", "Makassar"}
    assert all("id" in languages for languages in people.values_list("languages", flat=True))
    grades = set(people.values_list("grade", flat=True))
    assert min(grades) >= 1
    assert max(grades) == 12
    assert set(people.values_list("time_zone", flat=True)) <= {"Asia/Jakarta", "Asia/Makassar"}
    rated = CompetencyRating.objects.values("person").distinct().count()
    assert rated >= 0.7 * SIZE, "most people have ratings"
    assert all(len(c.level_descriptors) == 5 for c in demo.ensure_catalogue())
    assert len(demo.CATALOGUE) == 12


def test_too_few_people_is_refused_and_writes_nothing(db: None) -> None:
    with pytest.raises(demo.DemoError, match="at least 200 people"):
        demo.build(people=10)
    assert not User.objects.exists()


def test_the_same_seed_gives_the_same_company_and_another_seed_another() -> None:
    today = date(2026, 11, 1)
    first = demo.generate_rows(people=200, seed=7, today=today)
    assert first == demo.generate_rows(people=200, seed=7, today=today)
    assert first != demo.generate_rows(people=200, seed=8, today=today)
    assert len(first) == 200
    assert len({row["email"] for row in first}) == 200


@pytest.mark.parametrize("size", [200, 201, 333, 5000])
def test_the_generator_gives_exactly_the_people_asked_for_in_sensible_teams(size: int) -> None:
    rows = demo.generate_rows(people=size, seed=1, today=date(2026, 11, 1))
    assert len(rows) == size
    team_sizes = Counter(row["org_unit_code"] for row in rows if row["org_unit_code"].count("-") == 2)
    assert max(team_sizes.values()) <= 2 * demo.TEAM_SIZE
