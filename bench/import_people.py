"""Benchmark of the HRIS import: 10,000 and 50,000 people imported into a fresh database.

    .venv/bin/python bench/import_people.py [--sizes 10000,50000] [--seed 2026] [--no-tracemalloc]

Run it from the repository root; it sets DJANGO_SETTINGS_MODULE (mentoring.settings, with DEBUG off so
that Django does not keep every query in memory).

The file: people.demo.generate_rows writes PT Nusantara Niaga at the asked size in the README's CSV
format (a president director, divisions, departments, teams of about eight in five cities, a manager for
everyone but the top, ratings for most people); the import reads it through
people.services.hris_import.people_import, exactly as the page and the command do.

The database:
- DATABASE_URL unset: a throwaway SQLite file in a new temporary directory for each size (the same
  SQLite options as `make run`: WAL, synchronous=NORMAL).
- DATABASE_URL=postgres://user@host:port/<any>: a database named `bench_import` on that server, dropped
  and created for each size and dropped at the end. No other database is touched.

Each size runs in a child process, so peak memory belongs to that size alone: `peak RSS` is the child's
ru_maxrss (Django, the generated file and the import together); `traced` is the tracemalloc peak of the
import alone, measured in a second child (tracemalloc slows Python down, so that run is not timed).
`re-import` imports the same file again into the filled database: every row is checked and found unchanged.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from _admin_db import admin  # bench/ is on sys.path when a benchmark runs as a script

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "bench_import"
TODAY = date(2026, 11, 1)  # fixed, so that every run imports the same file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,50000", help="comma-separated numbers of people")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the (untimed) tracemalloc run")
    parser.add_argument("--child", choices=["timed", "traced"], help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.size, args.seed)))
        return
    url = os.environ.get("DATABASE_URL", "")
    engine = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    print(f"HRIS import benchmark on {engine}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    header = (
        f"{'people':>7} {'units':>6} {'ratings':>8} {'generate s':>10} {'import s':>9} {'rows/s':>8} "
        f"{'re-import s':>11} {'peak RSS MB':>11} {'traced MB':>9}"
    )
    print(header)
    for size in (int(s) for s in args.sizes.split(",") if s.strip()):
        timed = run_child("timed", size, args.seed, url)
        traced = "-" if args.no_tracemalloc else f"{run_child('traced', size, args.seed, url)['traced_peak_mb']:.0f}"
        print(
            f"{size:>7} {timed['units']:>6} {timed['ratings']:>8} {timed['generate_s']:>10.1f} "
            f"{timed['import_s']:>9.1f} {size / timed['import_s']:>8.0f} {timed['reimport_s']:>11.1f} "
            f"{timed['peak_rss_mb']:>11.0f} {traced:>9}",
            flush=True,
        )


def run_child(mode: str, size: int, seed: int, url: str) -> dict[str, float]:
    """Run one size in a child process against a fresh database; returns the child's figures."""
    env = dict(os.environ, DJANGO_DEBUG="0", DJANGO_SECRET_KEY="bench-only-" + "x" * 50, LOG_LEVEL="WARNING")
    command = [sys.executable, __file__, "--child", mode, "--size", str(size), "--seed", str(seed)]

    def run() -> str:
        # Our own script with fixed arguments; the child's errors go straight to our stderr.
        done = subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True)  # noqa: S603
        return done.stdout

    if url:
        env["DATABASE_URL"] = fresh_postgres(url)
        try:
            out = run()
        finally:
            drop_postgres(url)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
            env["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
            out = run()
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def fresh_postgres(url: str) -> str:
    """Drop and create the benchmark's own database; return its URL."""
    admin(url, f"DROP DATABASE IF EXISTS {BENCH_DB}", f"CREATE DATABASE {BENCH_DB}")
    return urlsplit(url)._replace(path=f"/{BENCH_DB}").geturl()


def drop_postgres(url: str) -> None:
    admin(url, f"DROP DATABASE IF EXISTS {BENCH_DB}")


def child(mode: str, size: int, seed: int) -> dict[str, float]:
    """In the child: migrate the fresh database, generate the file, import it (and import it again)."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from people import demo
    from people.models import CompetencyRating, OrgUnit
    from people.services.hris_import import people_import

    call_command("migrate", verbosity=0)
    demo.ensure_catalogue()
    started = time.perf_counter()
    content = demo.to_csv(demo.generate_rows(people=size, seed=seed, today=TODAY))
    generate_s = time.perf_counter() - started

    if mode == "traced":
        tracemalloc.start()
        result = people_import(actor=None, content=content)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert result.ok, result.problems[:5]
        return {"traced_peak_mb": peak / 1024 / 1024}

    started = time.perf_counter()
    result = people_import(actor=None, content=content)
    import_s = time.perf_counter() - started
    assert result.ok, result.problems[:5]
    assert result.summary.people_created == size
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    started = time.perf_counter()
    again = people_import(actor=None, content=content)
    reimport_s = time.perf_counter() - started
    assert again.ok
    assert again.summary.people_unchanged == size
    return {
        "generate_s": generate_s,
        "import_s": import_s,
        "reimport_s": reimport_s,
        "peak_rss_mb": peak_rss_mb,
        "units": OrgUnit.objects.count(),
        "ratings": CompetencyRating.objects.count(),
    }


if __name__ == "__main__":
    main()
