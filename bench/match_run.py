"""Benchmark of a whole match run: 20,000 mentees × 5,000 mentors, from the database to saved proposals.

    .venv/bin/python bench/match_run.py [--mentees 20000] [--mentors 5000] [--seed 2026] [--tracemalloc]

Run it from the repository root with DATABASE_URL pointing at a PostgreSQL server: it creates a database
named `bench_match_run` there (dropped first and again at the end; no other database is touched) and sets
DJANGO_DEBUG=0 so that Django keeps no query log.

1. Generate (not timed as the run): an organisation of mentees + mentors people in a unit tree with
   managers, twenty competencies, and a programme in implementation whose pool holds every one of them:
   competencies to develop or offer, weekly availability, languages, time zones, goals, ranked mentors for
   a third of the mentees, asked-for attributes for a tenth, a few locks and forbids, and closed pairs
   from an earlier programme. All bulk-inserted: these are the run's inputs.
2. Run, in a fresh child process (as a worker would start on it): a BackgroundJob is queued for the
   programme and `programmes.matching.services.jobs.match_run_job_run` runs it, exactly what the Celery
   task calls: load the pool, score, solve, explain, save the draft's proposals in one transaction.

It prints the wall time of each stage (as the job reports them), the total, the peak RSS of the child
(ru_maxrss: Django, the pool and the matrices together), and with --tracemalloc the traced Python peak of
a second, untimed run. Targets (issue 14): under 60 s and under 6 GB.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

from _admin_db import admin, bench_database  # bench/ is on sys.path when a benchmark runs as a script

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "bench_match_run"
TARGET_SECONDS, TARGET_GB = 60, 6
BATCH = 5000
ZONES = ("Asia/Jakarta", "Asia/Jakarta", "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "Asia/Singapore")
LANGUAGES = (["id", "en"], ["id"], ["en"], ["id", "jv"], ["id", "en", "su"])
WORDS = [
    "negotiation",
    "pricing",
    "forecasting",
    "leadership",
    "coaching",
    "presentation",
    "budgeting",
    "hiring",
    "analytics",
    "storytelling",
    "strategy",
    "logistics",
    "marketing",
    "compliance",
    "customer",
    "onboarding",
    "feedback",
    "delegation",
    "planning",
    "finance",
]


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def generate(mentees: int, mentors: int, seed: int) -> int:
    """Bulk-create the organisation and the programme's pool; returns the programme's id."""
    from django.core.management import call_command

    from people.models import Competency, OrgUnit, User
    from programmes.enrolment.models.enrolment import AVAILABILITY_SLOTS
    from programmes.models import (
        Enrolment,
        EnrolmentCompetency,
        MatchingSettings,
        MentorPreference,
        PairRule,
        Programme,
        ProgrammeRole,
    )

    call_command("migrate", verbosity=0)
    rng = random.Random(seed)
    divisions = OrgUnit.objects.bulk_create([OrgUnit(code=f"D{d}", name=f"Division {d}") for d in range(12)])
    teams = OrgUnit.objects.bulk_create(
        [OrgUnit(code=f"T{t}", name=f"Team {t}", parent=divisions[t % 12]) for t in range(600)]
    )
    competencies = Competency.objects.bulk_create([Competency(code=f"C{c}", name=f"Skill {c}") for c in range(20)])
    total = mentees + mentors
    people = User.objects.bulk_create(
        [
            User(
                email=f"p{i}@bench.example",
                full_name=f"Person {i:05d}",
                grade=rng.randint(2, 10),
                org_unit=teams[i % len(teams)],
                time_zone=rng.choice(ZONES),
                languages=rng.choice(LANGUAGES),
                location=rng.choice(("Jakarta", "Surabaya", "Medan", "Makassar", "Bandung")),
            )
            for i in range(total)
        ],
        batch_size=BATCH,
    )
    # Managers: every eighth person leads the next seven (the reporting-line rule has work to do).
    for i, person in enumerate(people):
        if i % 8:
            person.manager_id = people[i - i % 8].pk
    User.objects.bulk_update(people, ["manager"], batch_size=BATCH)
    coordinator = User.objects.create_user("coordinator@bench.example", full_name="Bench Coordinator")
    programme = Programme.objects.create(
        name="Bench matching",
        phase=Programme.Phase.IMPLEMENTATION,
        mentor_capacity=3,
        reporting_line_exclusion_depth=1,
        max_time_zone_gap_hours=3,
    )
    ProgrammeRole.objects.create(programme=programme, user=coordinator, role=ProgrammeRole.Role.COORDINATOR)
    MatchingSettings.objects.create(programme=programme)
    rng.shuffle(people)
    mentor_people, mentee_people = people[:mentors], people[mentors:]

    def enrolment(person: User, role: str) -> Enrolment:
        words = " ".join(rng.sample(WORDS, 4))
        return Enrolment(
            programme=programme,
            person=person,
            role=role,
            state=Enrolment.State.AVAILABLE,
            goals=f"Get better at {words}.",
            availability=rng.sample(AVAILABILITY_SLOTS, rng.randint(3, 8)),
            capacity=rng.randint(1, 5) if role == Enrolment.Role.MENTOR else None,
            attribute_preferences=["same_location"] if role == Enrolment.Role.MENTEE and rng.random() < 0.1 else [],
        )

    mentor_rows = Enrolment.objects.bulk_create(
        [enrolment(p, Enrolment.Role.MENTOR) for p in mentor_people], batch_size=BATCH
    )
    mentee_rows = Enrolment.objects.bulk_create(
        [enrolment(p, Enrolment.Role.MENTEE) for p in mentee_people], batch_size=BATCH
    )
    skills = []
    for row in mentee_rows:
        for competency in rng.sample(competencies, rng.randint(2, 4)):
            current = rng.randint(1, 3)
            skills.append(
                EnrolmentCompetency(
                    enrolment=row, competency=competency, current_level=current, level=current + rng.randint(1, 2)
                )
            )
    for row in mentor_rows:
        for competency in rng.sample(competencies, rng.randint(3, 6)):
            skills.append(EnrolmentCompetency(enrolment=row, competency=competency, level=rng.randint(3, 5)))
    EnrolmentCompetency.objects.bulk_create(skills, batch_size=BATCH)
    preferences = []
    for row in mentee_rows[: mentees // 3]:
        for rank, mentor in enumerate(rng.sample(mentor_rows, rng.randint(1, 5)), start=1):
            preferences.append(MentorPreference(mentee=row, mentor=mentor, rank=rank))
    MentorPreference.objects.bulk_create(preferences, batch_size=BATCH)
    PairRule.objects.bulk_create(
        [PairRule(programme=programme, mentee=mentee_rows[k], mentor=mentor_rows[k], kind="forbid") for k in range(50)]
        + [
            PairRule(programme=programme, mentee=mentee_rows[50 + k], mentor=mentor_rows[50 + k], kind="lock")
            for k in range(20)
        ]
    )
    _past_pairs(mentee_people, mentor_people, rng)
    return programme.pk


def reused() -> int:
    """The programme of a database a --keep run left (migrated to the current code)."""
    from django.core.management import call_command

    from programmes.models import Programme

    call_command("migrate", verbosity=0)
    return Programme.objects.get(name="Bench matching").pk


def _past_pairs(mentees: list, mentors: list, rng: random.Random) -> None:
    """A closed earlier programme: a pair for one mentee in fifty (never to be proposed again)."""
    from programmes.models import Enrolment, Programme, Relationship, RelationshipMember

    earlier = Programme.objects.create(name="Bench pilot", phase=Programme.Phase.CLOSED)
    pairs = [(rng.choice(mentees), rng.choice(mentors)) for _ in range(len(mentees) // 50)]
    rels = Relationship.objects.bulk_create(
        [Relationship(programme=earlier, state=Relationship.State.CLOSED) for _ in pairs], batch_size=BATCH
    )
    rows = Enrolment.objects.bulk_create(
        [
            Enrolment(programme=earlier, person=person, role=role, state=Enrolment.State.COMPLETED)
            for mentee, mentor in pairs
            for person, role in ((mentor, Enrolment.Role.MENTOR), (mentee, Enrolment.Role.MENTEE))
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    del rows
    found = {
        (e.person_id, e.role): e.pk for e in Enrolment.objects.filter(programme=earlier).only("pk", "person_id", "role")
    }
    RelationshipMember.objects.bulk_create(
        [
            RelationshipMember(relationship=rel, enrolment_id=found[(person.pk, role)], role=role, response="accepted")
            for rel, (mentee, mentor) in zip(rels, pairs, strict=True)
            for person, role in ((mentor, "mentor"), (mentee, "mentee"))
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )


def child_run(programme_id: int, traced: bool) -> dict[str, object]:
    """Queue a job for the programme and run it as the worker's task would; returns the figures."""
    import tracemalloc

    from people.models import BackgroundJob, User
    from programmes.matching.services.jobs import match_run_job_run
    from programmes.models import MatchRun, Programme

    programme = Programme.objects.get(pk=programme_id)
    job = BackgroundJob(
        kind=BackgroundJob.Kind.MATCH_RUN,
        requested_by=User.objects.get(email="coordinator@bench.example"),
        task="programmes.tasks.run_match_job",
    )
    job.target = programme
    job.save()
    stages: list[tuple[str, float, float]] = []
    if traced:
        tracemalloc.start()
    started, cpu_started = time.perf_counter(), time.process_time()
    state = match_run_job_run(
        job_id=job.pk, on_stage=lambda name: stages.append((name, time.perf_counter(), time.process_time()))
    )
    ended, cpu_ended = time.perf_counter(), time.process_time()
    job.refresh_from_db()
    figures: dict[str, object] = {
        "state": state,
        "message": job.message,
        "total_s": ended - started,
        "total_cpu_s": cpu_ended - cpu_started,
    }
    if traced:
        figures["traced_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
        return figures
    marks = [("setup", started, cpu_started), *stages, ("end", ended, cpu_ended)]
    figures["stages"] = [(name, t1 - t0, c1 - c0) for (name, t0, c0), (_next, t1, c1) in itertools.pairwise(marks)]
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    run = MatchRun.objects.filter(programme=programme).first()
    if run is not None:
        figures |= {
            "matched": run.matched,
            "mentees": run.mentees,
            "mentors": run.mentors,
            "proposals": run.proposals.count(),
            "explained": run.proposals.exclude(explanation="").count(),
            "unmatched": run.unmatched.count(),
        }
    return figures


def run_child(programme_id: int, traced: bool) -> dict[str, object]:
    command = [sys.executable, __file__, "--child", str(programme_id)] + (["--tracemalloc"] if traced else [])
    output = subprocess.run(command, check=True, capture_output=True, text=True, env=os.environ).stdout  # noqa: S603
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--mentees", type=int, default=20000)
    parser.add_argument("--mentors", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--tracemalloc", action="store_true", help="also a second, untimed run under tracemalloc")
    parser.add_argument("--keep", action="store_true", help="keep the database (for --reuse, or to profile by hand)")
    parser.add_argument("--reuse", action="store_true", help="run again on the database a --keep run left")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        setup_django()
        print(json.dumps(child_run(args.child, args.tracemalloc)))
        return
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (postgres://user@host:5432/any).")
    os.environ["DATABASE_URL"] = bench_database(url, BENCH_DB, fresh=not args.reuse)
    try:
        setup_django()
        started = time.perf_counter()
        programme_id = reused() if args.reuse else generate(args.mentees, args.mentors, args.seed)
        generated = time.perf_counter() - started
        from django.db import connections

        connections.close_all()
        timed = run_child(programme_id, traced=False)
        traced = run_child(programme_id, traced=True) if args.tracemalloc else None
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin(url, f"DROP DATABASE IF EXISTS {BENCH_DB}")
    report(args, generated, timed, traced)


def report(args: argparse.Namespace, generated: float, timed: dict, traced: dict | None) -> None:
    print(f"Match run benchmark on PostgreSQL, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    made = "reused" if args.reuse else "generated (bulk)"
    print(f"pool: {args.mentees:,} mentees × {args.mentors:,} mentors, {made} in {generated:.1f} s")
    print(f"job: {timed['state']} — {timed['message']}")
    if "proposals" in timed:
        print(
            f"saved: {timed['proposals']:,} proposals ({timed['explained']:,} with an explanation), "
            f"{timed['unmatched']:,} unmatched mentees with a reason"
        )
    print(f"  {'stage':<11} {'wall':>8} {'CPU':>8}   (load average {os.getloadavg()[0]:.1f} at the end)")
    for name, seconds, cpu in timed["stages"]:
        print(f"  {name:<11} {seconds:7.2f}s {cpu:7.2f}s")
    total, peak = float(timed["total_s"]), float(timed["peak_rss_mb"])
    print(f"  {'total':<11} {total:7.2f}s {float(timed['total_cpu_s']):7.2f}s")
    print(f"peak RSS {peak:,.0f} MB (ru_maxrss of the run's process)")
    if traced is not None:
        print(f"tracemalloc peak {float(traced['traced_peak_mb']):,.0f} MB (second, untimed run)")
    ok = total < TARGET_SECONDS and peak < TARGET_GB * 1024
    print(f"target < {TARGET_SECONDS} s and < {TARGET_GB} GB: {'meets' if ok else 'MISSES'} the target")


if __name__ == "__main__":
    main()
