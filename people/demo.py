"""The demo organisation: PT Nusantara Niaga, an Indonesian distribution company, with its competency catalogue.

`generate_rows` writes the company as rows of the HRIS CSV (bench/import_people.py uses it too), and
`build` loads them through the HRIS import, so the demo takes the same bulk path as a real file and
scales to 50,000 people. The demo logins sit where the demo programmes need them: the mentor heads a
Sales department; the mentee works in another Sales department (so the mentor is not in the mentee's
reporting line) under the manager login, her team lead.

Every demo person can sign in with the demo password (one hash, made once). Everybody reads English,
except the accounts named in INDONESIAN (listed in the README), so that nobody opens the demo in a
language they did not expect.
"""

from __future__ import annotations

import csv
import io
import random
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from faker import Faker

from people.models import Competency, User
from people.services.hris_columns import COLUMNS
from people.services.hris_import import ImportSummary, people_import

from .demo_company import CATALOGUE, CITIES, DIVISIONS, TEAM_SIZE

COMPANY = "PT Nusantara Niaga"
DEMO_PASSWORD = "mentoring-demo-2026"  # noqa: S105 - demo data only, printed and documented
DOMAIN = "demo.example"
MIN_PEOPLE = 200

# The demo logins: where each sits ("head" of a department, "lead" of its first team, or a "member" of that
# team, in join order) and who they are. The manager is the mentee's team lead.
LOGINS = {
    "mentor": ("Budi Santoso", "head", "SAL-KA"),
    "manager": ("Agus Pratama", "lead", "SAL-DI"),
    "mentee": ("Dewi Lestari", "member", "SAL-DI"),
    "mentee.id": ("Putri Ayu Rahmawati", "member", "SAL-KA"),
    "coordinator": ("Sari Wulandari", "member", "HC-LD"),
    "koordinator": ("Wahyu Hidayat", "member", "HC-LD"),
    "hr": ("Rina Hartono", "member", "HC-PA"),
    "admin": ("Andi Wijaya", "member", "TEC-IN"),
}
# The accounts that read Bahasa Indonesia; everyone else in the demo reads English.
INDONESIAN = ("mentee.id", "koordinator")


@dataclass
class DemoPeople:
    """What the demo built: the logins, counts, and the import's summary."""

    coordinator: User
    mentor: User
    mentee: User
    hr: User
    admin: User
    manager: User
    mentee_id: User
    koordinator: User
    people: int
    units: int
    summary: ImportSummary
    password: str = DEMO_PASSWORD


class Writer(Protocol):
    """Anything with write(text): sys.stdout, io.StringIO, a management command's stdout."""

    def write(self, text: str, /) -> object: ...


class DemoError(RuntimeError):
    """The demo could not be built (too few people, or the generated file did not import)."""


def login_email(role: str) -> str:
    return f"{role}@{DOMAIN}"


def ensure_catalogue() -> list[Competency]:
    """The twelve demo competencies, created or refreshed by code."""
    competencies = []
    for code, name, description, descriptors in CATALOGUE:
        competency, _created = Competency.objects.update_or_create(
            code=code, defaults={"name": name, "description": description, "level_descriptors": descriptors}
        )
        competencies.append(competency)
    return competencies


@transaction.atomic
def build(*, people: int = 300, seed: int = 2026, stdout: Writer | None = None) -> DemoPeople:
    """Build the demo company of `people` people through the HRIS import; the same seed gives the same company."""
    if people < MIN_PEOPLE:
        raise DemoError(f"The demo needs at least {MIN_PEOPLE} people (asked for {people}).")
    ensure_catalogue()
    rows = generate_rows(people=people, seed=seed, today=timezone.localdate())
    result = people_import(actor=None, content=to_csv(rows))
    if not result.ok:
        details = "; ".join(f"row {p.row} {p.column}: {p.message}" for p in result.problems[:5])
        raise DemoError(f"The generated demo file did not import: {details}")
    logins = _set_up_logins()
    demo = DemoPeople(
        coordinator=logins["coordinator"],
        mentor=logins["mentor"],
        mentee=logins["mentee"],
        hr=logins["hr"],
        admin=logins["admin"],
        manager=logins["manager"],
        mentee_id=logins["mentee.id"],
        koordinator=logins["koordinator"],
        people=len(rows),
        units=len({row["org_unit_code"] for row in rows}),
        summary=result.summary,
    )
    if stdout is not None:
        stdout.write(f"{COMPANY}: {demo.people} people in {demo.units} org units, {len(CATALOGUE)} competencies.\n")
    return demo


def _set_up_logins() -> dict[str, User]:
    """The demo password, hashed once, for every demo person; the HR analyst and site admin get their flags."""
    emails = {role: login_email(role) for role in LOGINS}
    User.objects.update(password=make_password(DEMO_PASSWORD))
    User.objects.filter(email__in=emails.values()).update(is_active=True)
    User.objects.filter(email=emails["hr"]).update(is_hr_analyst=True)
    User.objects.filter(email=emails["admin"]).update(is_superuser=True, is_staff=True)
    users = {user.email: user for user in User.objects.filter(email__in=emails.values())}
    return {role: users[email] for role, email in emails.items()}


def to_csv(rows: list[dict[str, str]]) -> bytes:
    """Rows as an HRIS CSV file (UTF-8, comma-separated, the columns of the README)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


# Generating the company -----------------------------------------------------------------------------------


class _Company:
    """Generates people top-down, so every manager is written before the people who report to them."""

    def __init__(self, seed: int, today: date) -> None:
        self.rng = random.Random(seed)
        self.fake = Faker("id_ID")
        self.fake.seed_instance(seed)
        self.today = today
        self.rows: list[dict[str, str]] = []
        self.review_dates = [date(today.year - 1, 7, 15), date(today.year - 1, 12, 15)]
        if today >= date(today.year, 7, 15):
            self.review_dates.append(date(today.year, 7, 15))

    def person(
        self,
        *,
        unit: tuple[str, str, str],
        manager: str,
        title: str,
        grade: int,
        city: tuple[str, str, str, float, str],
        focus: list[str],
        name: str = "",
        email: str = "",
        may_leave: bool = False,
    ) -> str:
        rng = self.rng
        number = len(self.rows) + 1
        if not name:
            name = f"{self.fake.first_name()} {self.fake.last_name()}"
        if not email:
            email = f"{re.sub('[^a-z]+', '.', name.lower()).strip('.')}.{number}@{DOMAIN}"
        languages = ["id", "en"] if rng.random() < 0.9 else ["id"]
        if city[4] and rng.random() < 0.5:
            languages.append(city[4])
        hire = self.today - timedelta(days=int(365 * rng.uniform(0.3, min(25, 2 + grade * 1.6))))
        left = ""
        if may_leave and rng.random() < 0.03:
            left = min(self.today - timedelta(days=1), hire + timedelta(days=rng.randint(90, 2000))).isoformat()
        self.rows.append(
            {
                "email": email,
                "full_name": name,
                "employee_number": f"NN{number:06d}",
                "job_title": title,
                "grade": str(grade),
                "org_unit_code": unit[0],
                "org_unit_name": unit[1],
                "parent_org_unit_code": unit[2],
                "manager_email": manager,
                "location": city[0],
                "languages": ";".join(languages),
                "hire_date": hire.isoformat(),
                "left_date": left,
                "preferred_language": "id" if email.split("@")[0] in INDONESIAN else "en",
                "time_zone": city[2],
                **self._ratings(grade, focus),
            }
        )
        return email

    def _ratings(self, grade: int, focus: list[str]) -> dict[str, str]:
        rng = self.rng
        if rng.random() > 0.85:
            return {"ratings": "", "ratings_source": "", "ratings_date": ""}
        codes = rng.sample(focus, k=min(len(focus), rng.randint(3, 5)))
        if grade >= 7:
            codes = [*codes, "COA", "STR"] if grade >= 9 else [*codes, "COA"]
        levels = {code: max(1, min(5, round(1 + grade * 0.3 + rng.gauss(0, 0.7)))) for code in dict.fromkeys(codes)}
        source = rng.choices(["manager", "self", "assessment"], weights=[60, 25, 15])[0]
        return {
            "ratings": ";".join(f"{code}:{level}" for code, level in levels.items()),
            "ratings_source": source,
            "ratings_date": rng.choice(self.review_dates).isoformat(),
        }


def _department_sizes(people: int, rng: random.Random) -> dict[tuple[int, int], int]:
    """How many people (leads and staff) each department's teams hold; at least two each."""
    heads = 1 + len(DIVISIONS) + sum(len(d[4]) for d in DIVISIONS)
    staff = people - heads
    shares = {
        (d, k): division[3] / len(division[4]) for d, division in enumerate(DIVISIONS) for k in range(len(division[4]))
    }
    sizes = {key: max(2, int(staff * share)) for key, share in shares.items()}
    spare = staff - sum(sizes.values())
    keys = list(sizes)
    while spare != 0:  # hand out (or take back) the rounding, one person at a time
        key = rng.choice(keys)
        if spare > 0 or sizes[key] > 2:
            sizes[key] += 1 if spare > 0 else -1
            spare += -1 if spare > 0 else 1
    return sizes


def generate_rows(*, people: int, seed: int, today: date) -> list[dict[str, str]]:
    """The whole company as HRIS rows: a president director, five divisions, departments and their teams."""
    company = _Company(seed, today)
    rng = company.rng
    jakarta = CITIES[0]
    root = ("NN", COMPANY, "")
    ceo = company.person(unit=root, manager="", title="President Director", grade=12, city=jakarta, focus=["STR"])
    sizes = _department_sizes(people, rng)
    logins: dict[str, list[tuple[str, str, str]]] = {}
    for role, (name, kind, where) in LOGINS.items():
        logins.setdefault(where, []).append((role, name, kind))
    for d, (div_code, div_name, director_title, _w, departments, focus) in enumerate(DIVISIONS):
        division = (div_code, div_name, root[0])
        director = company.person(unit=division, manager=ceo, title=director_title, grade=11, city=jakarta, focus=focus)
        for k, (dep_code, dep_name, job) in enumerate(departments):
            unit = (f"{div_code}-{dep_code}", dep_name, div_code)
            here = logins.get(unit[0], [])
            role, login_name, kind = next((x for x in here if x[2] == "head"), ("", "", ""))
            head = company.person(
                unit=unit,
                manager=director,
                title=f"Head of {dep_name}",
                grade=rng.choice([9, 10]),
                city=jakarta,
                focus=focus,
                name=login_name if kind == "head" else "",
                email=login_email(role) if kind == "head" else "",
            )
            _teams(company, unit, head, job, focus, sizes[(d, k)], here)
    return company.rows


def _teams(
    company: _Company,
    department: tuple[str, str, str],
    head: str,
    job: str,
    focus: list[str],
    size: int,
    logins: list[tuple[str, str, str]],
) -> None:
    """Teams of about TEAM_SIZE in the department's cities; the department's demo logins join the first team."""
    login_lead = next(((role, name) for role, name, kind in logins if kind == "lead"), None)
    members_logins = [(role, name) for role, name, kind in logins if kind == "member"]
    rng = company.rng
    count = max(1, round(size / TEAM_SIZE))
    base, extra = divmod(size, count)
    for t in range(count):
        city = CITIES[0] if t == 0 else rng.choices(CITIES, weights=[c[3] for c in CITIES])[0]
        unit = (f"{department[0]}-{t + 1:03d}", f"{department[1]} {city[0]} {t + 1}", department[0])
        members = base + (1 if t < extra else 0)
        lead_login = lead_name = ""
        if t == 0 and login_lead is not None:
            lead_login, lead_name = login_lead
        lead = company.person(
            unit=unit,
            manager=head,
            title=f"{department[1]} Team Lead",
            grade=rng.choice([7, 8]),
            city=city,
            focus=focus,
            name=lead_name,
            email=login_email(lead_login) if lead_login else "",
        )
        for m in range(members - 1):
            grade = rng.randint(1, 6)
            if t == 0 and m < len(members_logins):
                role, name = members_logins[m]
                company.person(
                    unit=unit,
                    manager=lead,
                    title=job,
                    grade=4,
                    city=city,
                    focus=focus,
                    name=name,
                    email=login_email(role),
                )
                continue
            title = f"Senior {job}" if grade >= 5 else (f"Junior {job}" if grade <= 2 else job)
            company.person(unit=unit, manager=lead, title=title, grade=grade, city=city, focus=focus, may_leave=True)
