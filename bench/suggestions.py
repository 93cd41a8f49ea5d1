"""Benchmark of a mentee's self-service suggestions page at 5,000 mentors × 20,000 mentees: the whole matrix
(how the page worked before) against the mentee's own row (how it works now).

    .venv/bin/python bench/suggestions.py [--mentees 20000] [--mentors 5000] [--seed 2026] [--samples 5]

Run it from the repository root with DATABASE_URL pointing at a PostgreSQL server: it creates a database
named `bench_suggestions` there (dropped first and again at the end; no other database is touched) and
seeds it with bench/match_run.py's generator (the same organisation, pool and pair rules), with
self-service switched on.

For a few mentees of the pool it times, after one warm-up each:
1. before: the whole pool loaded and scored (N × M), the mentee's row taken from it, as the page did;
2. after: `mentor_suggestions`, the mentee's row alone (1 × M), in its stages (load, arrays, score, rank);
3. the page itself (GET through Django's test client, signed in as the mentee), with its query count.
It checks that before and after suggest the same mentors with the same scores and sentences.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from _admin_db import admin, bench_database  # bench/ is on sys.path when a benchmark runs as a script
from match_run import generate, reused, setup_django

BENCH_DB = "bench_suggestions"


def whole_matrix_suggestions(mentee: Any) -> list[Any]:
    """The page before: load the whole pool, score every mentee × every mentor, keep this mentee's row."""
    import numpy as np

    from programmes.matching.selectors.matching import matching_pool
    from programmes.matching.services.arrays import pool_arrays
    from programmes.matching.services.self_service import best_of_row
    from programmes.matching.services.solve import full_scores, weights_for

    pool = matching_pool(programme=mentee.programme)
    i = next(k for k, e in enumerate(pool.mentees) if e.pk == mentee.pk)
    arrays = pool_arrays(pool)
    weights, attribute_weight = weights_for(pool.settings)
    row = full_scores(arrays, weights, attribute_weight)[i]
    mentor_at = {e.pk: j for j, e in enumerate(pool.mentors)}
    forbidden = [mentor_at[r.mentor_id] for r in pool.forbids if r.mentee_id == mentee.pk and r.mentor_id in mentor_at]
    row[forbidden] = -np.inf
    row[arrays.mentors.capacity <= 0] = -np.inf
    return best_of_row(arrays, i, row, weights, attribute_weight, 3)


def row_stages(mentee: Any) -> dict[str, float]:
    """The page now, stage by stage: load the rows, build the arrays, score the row, rank and explain."""
    import numpy as np

    from programmes.matching.selectors.suggestions import suggestion_pool
    from programmes.matching.services.arrays import pool_arrays
    from programmes.matching.services.self_service import best_of_row
    from programmes.matching.services.solve import full_scores, weights_for

    marks = [time.perf_counter()]
    pool = suggestion_pool(mentee=mentee)
    assert pool is not None
    marks.append(time.perf_counter())
    arrays = pool_arrays(pool)
    marks.append(time.perf_counter())
    weights, attribute_weight = weights_for(pool.settings)
    row = full_scores(arrays, weights, attribute_weight)[0]
    marks.append(time.perf_counter())
    best_of_row(arrays, 0, np.where(arrays.mentors.capacity > 0, row, -np.inf), weights, attribute_weight, 3)
    marks.append(time.perf_counter())
    names = ("load", "arrays", "score", "rank")
    return {name: marks[k + 1] - marks[k] for k, name in enumerate(names)}


def timed(call: Callable[[], Any]) -> tuple[float, float, Any]:
    """Wall and CPU seconds of one call, and its result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def measure(programme_id: int, samples: int) -> dict[str, Any]:
    """Time before, after and the page for `samples` mentees spread over the pool."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import reverse

    from programmes.matching.selectors.matching import pool_mentees
    from programmes.matching.services.self_service import mentor_suggestions
    from programmes.models import MatchingSettings, Programme

    # Production serves hashed static names from a manifest that `collectstatic` writes; the bench has none,
    # so it uses plain names (as bench/dashboard.py does).
    plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}).enable()
    programme = Programme.objects.get(pk=programme_id)
    MatchingSettings.objects.filter(programme=programme).update(self_service=True)
    ids = list(pool_mentees(programme).values_list("pk", flat=True))
    chosen = [ids[k * len(ids) // samples] for k in range(samples)]
    figures: dict[str, list[float]] = {"before": [], "before_cpu": [], "after": [], "after_cpu": [], "page": []}
    stages: dict[str, list[float]] = {}
    queries: list[int] = []
    client = Client()
    for pk in chosen:
        mentee = pool_mentees(programme).get(pk=pk)
        whole_matrix_suggestions(mentee)  # warm-up: imports, the time-zone cache, the database's pages
        wall, cpu, before = timed(lambda m=mentee: whole_matrix_suggestions(m))
        figures["before"].append(wall)
        figures["before_cpu"].append(cpu)
        mentor_suggestions(mentee=mentee)
        wall, cpu, after = timed(lambda m=mentee: mentor_suggestions(mentee=m))
        figures["after"].append(wall)
        figures["after_cpu"].append(cpu)
        same = [(s.mentor.pk, s.score, s.breakdown, s.explanation) for s in before]
        assert same == [(s.mentor.pk, s.score, s.breakdown, s.explanation) for s in after], (pk, before, after)
        for name, seconds in row_stages(mentee).items():
            stages.setdefault(name, []).append(seconds)
        client.force_login(mentee.person)
        url = reverse("programmes:mentor_suggestions", args=[programme.pk, pk])
        client.get(url, secure=True)  # HTTPS: with DEBUG off the settings redirect plain HTTP
        with CaptureQueriesContext(connection) as captured:
            wall, _cpu, response = timed(lambda u=url: client.get(u, secure=True))
        assert response.status_code == 200
        assert b"Request this mentor" in response.content
        figures["page"].append(wall)
        queries.append(len(captured))
    return {"figures": figures, "stages": stages, "queries": queries, "mentees": len(ids)}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--mentees", type=int, default=20000)
    parser.add_argument("--mentors", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--samples", type=int, default=5, help="mentees timed, spread over the pool")
    parser.add_argument("--keep", action="store_true", help="keep the database (for --reuse)")
    parser.add_argument("--reuse", action="store_true", help="run again on the database a --keep run left")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server (postgres://user@host:5432/any).")
    os.environ["DATABASE_URL"] = bench_database(url, BENCH_DB, fresh=not args.reuse)
    try:
        os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"  # the test client's host, for the page's timing
        setup_django()
        started = time.perf_counter()
        programme_id = reused() if args.reuse else generate(args.mentees, args.mentors, args.seed)
        generated = time.perf_counter() - started
        from django.db import connection

        with connection.cursor() as cursor:  # planner statistics, as autovacuum keeps them in production
            cursor.execute("ANALYZE")
        result = measure(programme_id, args.samples)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin(url, f"DROP DATABASE IF EXISTS {BENCH_DB}")
    report(args, generated, result)


def report(args: argparse.Namespace, generated: float, result: dict[str, Any]) -> None:
    figures, stages = result["figures"], result["stages"]
    print(f"Suggestions page benchmark on PostgreSQL, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    made = "reused" if args.reuse else "generated (bulk)"
    print(f"pool: {result['mentees']:,} mentees × {args.mentors:,} mentors, {made} in {generated:.1f} s")
    print(f"{args.samples} mentees, median (min–max) wall seconds, after one warm-up each:")

    def line(label: str, values: list[float]) -> None:
        print(f"  {label:<34} {statistics.median(values):7.3f} s  ({min(values):.3f}–{max(values):.3f})")

    line("before: whole matrix (N × M)", figures["before"])
    line("  its CPU time", figures["before_cpu"])
    line("after: the mentee's row (1 × M)", figures["after"])
    line("  its CPU time", figures["after_cpu"])
    for name, values in stages.items():
        line(f"    {name}", values)
    line("the page (GET, rendered)", figures["page"])
    print(f"  queries per page: {sorted(set(result['queries']))}")
    speedup = statistics.median(figures["before"]) / statistics.median(figures["after"])
    print(f"after is {speedup:.0f}× faster; same suggestions, scores and sentences for every sampled mentee")
    print(f"load average {' '.join(f'{v:.2f}' for v in os.getloadavg())} at the end (shared machine)")


if __name__ == "__main__":
    main()
