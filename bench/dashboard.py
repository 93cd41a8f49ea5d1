"""Benchmark of the coordinator's dashboard: server render time with 2,000 relationships and 50,000 sessions.

    .venv/bin/python bench/dashboard.py [--relationships 2000] [--sessions 50000] [--runs 20] [--seed 2026]

Run it from the repository root. Settings: mentoring.settings with DEBUG off (Django keeps no query log),
persistent connections as in production.

The database:
- DATABASE_URL unset: a throwaway SQLite file in a new temporary directory (WAL, as `make run`).
- DATABASE_URL=postgres://user@host:port/<any>: a database named `bench_dashboard` on that server, dropped
  and created first and dropped at the end. No other database is touched.

The data, bulk-created (no factories, no signals): one programme in implementation with a coordinator;
4,000 people as 2,000 mentor and 2,000 mentee enrolments; 2,000 active relationships with their members
and health rows (a tenth at risk, a fifth overdue a contact); the sessions spread over the last 12 months
(five in six held); two answered check-ins per relationship; 200 open concerns, 100 open tasks, and 100
accepted and 100 proposed relationships besides.

Measured: GET /programmes/<id>/dashboard/ through Django's test client as the coordinator (middleware,
permission checks, selectors, the template): one warm-up, then --runs timed requests; it prints the median,
the 90th percentile, the fastest, and the number of SQL queries per request.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from _admin_db import admin, bench_database  # bench/ is on sys.path when a benchmark runs as a script

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "bench_dashboard"
TARGET_MS = 300


def prepare_database() -> tuple[str, str, Path | None]:
    """Point DATABASE_URL at a fresh benchmark database; returns (engine, original URL, temp dir or None)."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        os.environ["DATABASE_URL"] = bench_database(url, BENCH_DB)
        return "postgresql", url, None
    folder = Path(tempfile.mkdtemp(prefix="bench-dashboard-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    return "sqlite", url, folder


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def generate(relationships: int, sessions: int, seed: int) -> tuple[int, object]:
    """Bulk-create the programme and its data; returns (programme id, coordinator)."""
    from django.utils import timezone

    from people.models import User
    from programmes.models import (
        CheckIn,
        Concern,
        CoordinatorTask,
        Enrolment,
        MentoringSession,
        Programme,
        ProgrammeRole,
        Relationship,
        RelationshipHealth,
        RelationshipMember,
    )

    rng = random.Random(seed)
    now = timezone.now()
    programme = Programme.objects.create(
        name="Bench leadership",
        phase=Programme.Phase.IMPLEMENTATION,
        term_months=12,
        meeting_cadence_days=14,
        contacts_first_month=2,
        contact_interval_days=30,
        mentor_capacity=2,
    )
    coordinator = User.objects.create_user("coordinator@bench.example", full_name="Bench Coordinator")
    ProgrammeRole.objects.create(programme=programme, user=coordinator, role=ProgrammeRole.Role.COORDINATOR)
    extra = 200  # accepted and proposed relationships besides the active ones
    people = User.objects.bulk_create(
        [User(email=f"p{i}@bench.example", full_name=f"Person {i:05d}") for i in range(2 * (relationships + extra))],
        batch_size=2000,
    )
    roles = [Enrolment.Role.MENTOR, Enrolment.Role.MENTEE]
    enrolments = Enrolment.objects.bulk_create(
        [
            Enrolment(programme=programme, person=person, role=roles[i % 2], state=Enrolment.State.MATCHED)
            for i, person in enumerate(people)
        ],
        batch_size=2000,
    )
    states = [Relationship.State.ACTIVE] * relationships
    states += [Relationship.State.ACCEPTED] * (extra // 2) + [Relationship.State.PROPOSED] * (extra // 2)
    started = [now - timedelta(days=rng.randint(20, 330)) for _ in states]
    rels = Relationship.objects.bulk_create(
        [
            Relationship(programme=programme, state=s, state_changed_at=t, created_at=t)
            for s, t in zip(states, started, strict=False)
        ],
        batch_size=2000,
    )
    RelationshipMember.objects.bulk_create(
        [
            RelationshipMember(
                relationship=rel,
                enrolment=enrolments[2 * i + k],
                role=roles[k],
                response="accepted" if k else "pending",
            )
            for i, rel in enumerate(rels)
            for k in (0, 1)
        ],
        batch_size=4000,
    )
    active = rels[:relationships]
    health = []
    for i, rel in enumerate(active):
        at_risk = i % 10 == 0
        health.append(
            RelationshipHealth(
                relationship=rel,
                programme=programme,
                started_at=started[i],
                last_activity_at=now - timedelta(days=rng.randint(1, 40)),
                at_risk=at_risk,
                at_risk_kind="inactive" if at_risk else "",
                at_risk_reason="No session logged for 35 days (the cadence is 14 days)." if at_risk else "",
                at_risk_since=now - timedelta(days=3) if at_risk else None,
                next_contact_due=(now - timedelta(days=rng.randint(1, 20))).date()
                if i % 5 == 0
                else (now + timedelta(days=rng.randint(1, 30))).date(),
            )
        )
    RelationshipHealth.objects.bulk_create(health, batch_size=2000)
    statuses = ["held"] * 5 + ["cancelled"]
    rows = []
    for n in range(sessions):
        rel = active[rng.randrange(relationships)]
        when = now - timedelta(days=rng.uniform(0, 365))
        rows.append(
            MentoringSession(
                relationship=rel,
                programme=programme,
                held_at=when,
                created_at=when,
                updated_at=when,
                minutes=rng.choice([30, 45, 60, 90]),
                status=rng.choice(statuses),
                mode="video",
                uid=f"session-bench-{n}",
            )
        )
        if len(rows) == 5000:
            MentoringSession.objects.bulk_create(rows)
            rows = []
    MentoringSession.objects.bulk_create(rows)
    CheckIn.objects.bulk_create(
        [
            CheckIn(
                relationship=rel,
                programme=programme,
                respondent=people[2 * i + k],
                round=1,
                due_on=(now - timedelta(days=rng.randint(0, 300))).date(),
                answered_at=now - timedelta(days=rng.randint(0, 300)),
                satisfaction=rng.randint(2, 5),
                progress=rng.randint(1, 5),
                working="yes",
            )
            for i, rel in enumerate(active)
            for k in (0, 1)
        ],
        batch_size=4000,
    )
    Concern.objects.bulk_create(
        [
            Concern(relationship=rel, programme=programme, raised_by=people[2 * i + 1], category="time")
            for i, rel in enumerate(active[:200])
        ]
    )
    CoordinatorTask.objects.bulk_create(
        [
            CoordinatorTask(
                programme=programme, relationship=rel, kind="inactive", title=f"Call pair {i}", dedupe_key=f"b{i}"
            )
            for i, rel in enumerate(active[:100])
        ]
    )
    return programme.pk, coordinator


def measure(programme_id: int, coordinator: object, runs: int) -> tuple[list[float], int]:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    # Production serves hashed static names from a manifest that `collectstatic` writes; the bench has none,
    # so it uses plain names (the same work per {% static %} tag, minus the manifest lookup).
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(STORAGES=storages).enable()
    client = Client()
    client.force_login(coordinator)  # type: ignore[arg-type]
    url = reverse("programmes:dashboard", args=[programme_id])
    response = client.get(url, secure=True)  # warm-up: connection, templates, caches
    assert response.status_code == 200, response.status_code
    queries: list[str] = []

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url, secure=True)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url, secure=True)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return timings, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--relationships", type=int, default=2000)
    parser.add_argument("--sessions", type=int, default=50000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    engine, original, folder = prepare_database()
    try:
        setup_django()
        started = time.perf_counter()
        programme_id, coordinator = generate(args.relationships, args.sessions, args.seed)
        generated = time.perf_counter() - started
        timings, queries = measure(programme_id, coordinator, args.runs)
    finally:
        from django.db import connections

        connections.close_all()
        if engine == "postgresql":
            admin(original, f"DROP DATABASE IF EXISTS {BENCH_DB}")
        elif folder is not None:
            for path in folder.iterdir():
                path.unlink()
            folder.rmdir()
    timings.sort()
    median = statistics.median(timings)
    p90 = timings[int(0.9 * (len(timings) - 1))]
    print(f"Dashboard benchmark on {engine}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(
        f"data: {args.relationships:,} active relationships, {args.sessions:,} sessions, generated in {generated:.1f} s"
    )
    print(
        f"server render time over {args.runs} requests: "
        f"median {median:.1f} ms, p90 {p90:.1f} ms, fastest {timings[0]:.1f} ms"
    )
    print(f"SQL queries per request: {queries}")
    verdict = "meets" if median < TARGET_MS else "MISSES"
    print(f"target < {TARGET_MS} ms: {verdict} the target")


if __name__ == "__main__":
    main()
