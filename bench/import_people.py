"""Benchmark of the HRIS import: the largest file the page takes, imported end to end in the background.

    .venv/bin/python bench/import_people.py [--people 93852] [--seed 2026] [--db-name bench_import]
    .venv/bin/python bench/import_people.py --inline [--sizes 10000,50000] [--no-tracemalloc]

Run it from the repository root; children get DJANGO_SETTINGS_MODULE=mentoring.settings with DEBUG off (so
that Django does not keep every query in memory).

The file: people.demo.generate_rows writes PT Nusantara Niaga at the asked size (a president director,
divisions, departments, teams of about eight in five cities, a manager for everyone but the top, ratings
for most people) in the README's CSV format. In the background run it leaves out two optional columns
(employee_number, time_zone): so 93,852 people make 19.5 MiB, just under the page's 20 MB limit.

**Background (the default)**: what an HR analyst does, upload → preview → confirm → the worker finishes.
It needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL): the web tier and the worker are separate
processes that share only those and the file storage (a temporary MEDIA_ROOT), as in production.
1. A child migrates a fresh database (`--db-name` on DATABASE_URL's server, dropped at the end), adds the
   competency catalogue and an HR analyst, and writes the file.
2. A Celery worker starts on REDIS_URL (solo pool: the task runs in the worker's own process, so the
   worker's peak RSS is the import's).
3. A web child (Django's test client through the whole middleware stack) signs the analyst in, uploads the
   file with "Preview first", follows the job's progress fragment as htmx does (every 0.5 s here) until it
   sends the page on, confirms the import on the preview's page, and follows that job to the end.
Printed: each request's time (they only queue a job), each job's wait in the queue and its run time (from
its row), the stages as the fragment showed them, the end-to-end wall time from the upload to the page
saying "Imported", the peak RSS of the web child (with the test client's own encoding of the upload) and
of the worker (VmHWM), the worker's CPU time, and the load average before and after (the machine may be
shared: wall time then says little and CPU time more).

**--inline**: `people_import` called in one process, 10,000 and 50,000 people, no worker, each size in a
child against a fresh database (SQLite in a temporary folder when DATABASE_URL is unset): import time,
rows/s, a re-import of the same file (every row found unchanged), the child's peak RSS, and (in a second,
untimed child) the import's tracemalloc peak.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import date
from pathlib import Path
from typing import Any

from _admin_db import admin, bench_database  # bench/ is on sys.path when a benchmark runs as a script

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 1)  # fixed, so that every run imports the same file
HR_EMAIL = "bench-hr@example.com"
LEFT_OUT = ("employee_number", "time_zone")  # optional columns the background run's file does without
POLL_SECONDS = 0.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=93852, help="people in the background run's file")
    parser.add_argument("--inline", action="store_true", help="the in-process benchmark instead")
    parser.add_argument("--sizes", default="10000,50000", help="--inline: comma-separated numbers of people")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--db-name", default="bench_import", help="the database made (and dropped) on the server")
    parser.add_argument("--no-tracemalloc", action="store_true", help="--inline: skip the tracemalloc run")
    parser.add_argument("--child", choices=["timed", "traced", "prepare", "web"], help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(CHILDREN[args.child](args)))
    elif args.inline:
        inline(args)
    else:
        background(args)


# --- The parent ----------------------------------------------------------------------------------------------


def child_env() -> dict[str, str]:
    return dict(os.environ, DJANGO_DEBUG="0", DJANGO_SECRET_KEY="bench-only-" + "x" * 50, LOG_LEVEL="WARNING")


def run_child(env: dict[str, str], *arguments: str) -> dict[str, Any]:
    """Run this script as a child with `arguments`; returns the JSON it printed last."""
    command = [sys.executable, __file__, *arguments]
    # Our own script with fixed arguments; the child's errors go straight to our stderr.
    done = subprocess.run(command, env=env, cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True)  # noqa: S603
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def fresh_postgres(url: str, name: str) -> str:
    """Drop and create the benchmark's own database; return its URL."""
    return bench_database(url, name)


def background(args: argparse.Namespace) -> None:
    url, redis = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not url.startswith(("postgres://", "postgresql://")) or not redis:
        sys.exit("the background run needs DATABASE_URL=postgres://… and REDIS_URL=redis://…")
    load_before = os.getloadavg()
    print(f"HRIS import in the background, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        env = dict(child_env(), DATABASE_URL=fresh_postgres(url, args.db_name), DJANGO_MEDIA_ROOT=f"{folder}/media")
        env["PEOPLE_IMPORT_INLINE_BYTES"] = "0"  # a smaller --people goes to the worker too, as files over 1 MB do
        path = f"{folder}/nusantara-{args.people}.csv"
        try:
            prepared = run_child(
                env, "--child", "prepare", "--size", str(args.people), "--seed", str(args.seed), "--file", path
            )
            print(
                f"file: {args.people:,} people, {prepared['bytes']:,} bytes ({prepared['bytes'] / 2**20:.1f} MiB), "
                f"generated in {prepared['generate_s']:.0f} s",
                flush=True,
            )
            with Worker(env, Path(folder)) as worker:
                flow = run_child(env, "--child", "web", "--size", str(args.people), "--file", path)
                worker_peak_mb, worker_cpu_s = worker.figures()
        finally:
            admin(url, f"DROP DATABASE IF EXISTS {args.db_name}")
    report(flow, worker_peak_mb, worker_cpu_s, load_before, os.getloadavg())


def report(
    flow: dict[str, Any], worker_mb: float, worker_cpu: float, before: tuple[float, ...], after: tuple[float, ...]
) -> None:
    for name in ("preview", "import"):
        job = flow[name]
        stages = ", ".join(f"{stage or '-'} at {at:.1f} s" for stage, at in job["stages"])
        print(
            f"{name:>7}: request {job['request_s']:.2f} s, queued {job['queued_s']:.1f} s, ran {job['ran_s']:.1f} s "
            f"(stages seen: {stages})"
        )
    print(f"end to end (upload to 'Imported' on the page): {flow['wall_s']:.1f} s")
    print(f"peak RSS: web {flow['web_peak_mb']:.0f} MB, worker {worker_mb:.0f} MB; worker CPU {worker_cpu:.1f} s")
    print(
        "load average (1, 5, 15 min): before "
        + " ".join(f"{x:.2f}" for x in before)
        + ", after "
        + " ".join(f"{x:.2f}" for x in after)
    )


class Worker:
    """A Celery worker (solo pool) on REDIS_URL with the children's settings; stopped on exit."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.env, self.log = env, folder / "worker.log"

    def __enter__(self) -> Worker:
        command = [str(Path(sys.executable).with_name("celery")), "-A", "mentoring", "worker", "--pool", "solo"]
        command += [
            "--loglevel",
            "INFO",
            "-n",
            f"bench-import-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
        ]
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        deadline = time.monotonic() + 120
        while b" ready." not in self.log.read_bytes():
            if self.process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"the worker did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.2)
        return self

    def figures(self) -> tuple[float, float]:
        """The worker's peak RSS (MB) and CPU time (s) so far."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        peak_kb = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
        return peak_kb / 1024, cpu

    def __exit__(self, *exc: object) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def inline(args: argparse.Namespace) -> None:
    url = os.environ.get("DATABASE_URL", "")
    engine = "postgresql" if url.startswith(("postgres://", "postgresql://")) else "sqlite"
    print(f"HRIS import benchmark (inline) on {engine}, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print(
        f"{'people':>7} {'units':>6} {'ratings':>8} {'generate s':>10} {'import s':>9} {'rows/s':>8} "
        f"{'re-import s':>11} {'peak RSS MB':>11} {'traced MB':>9}"
    )
    for size in (int(s) for s in args.sizes.split(",") if s.strip()):
        timed = inline_child("timed", size, args, url)
        traced = "-" if args.no_tracemalloc else f"{inline_child('traced', size, args, url)['traced_peak_mb']:.0f}"
        print(
            f"{size:>7} {timed['units']:>6} {timed['ratings']:>8} {timed['generate_s']:>10.1f} "
            f"{timed['import_s']:>9.1f} {size / timed['import_s']:>8.0f} {timed['reimport_s']:>11.1f} "
            f"{timed['peak_rss_mb']:>11.0f} {traced:>9}",
            flush=True,
        )


def inline_child(mode: str, size: int, args: argparse.Namespace, url: str) -> dict[str, Any]:
    """One size in a child process against a fresh database."""
    arguments = ("--child", mode, "--size", str(size), "--seed", str(args.seed))
    if url:
        try:
            return run_child(dict(child_env(), DATABASE_URL=fresh_postgres(url, args.db_name)), *arguments)
        finally:
            admin(url, f"DROP DATABASE IF EXISTS {args.db_name}")
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        return run_child(dict(child_env(), DATABASE_URL=f"sqlite:///{folder}/bench.sqlite3"), *arguments)


# --- The children --------------------------------------------------------------------------------------------


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")
    import django

    django.setup()


def prepare(args: argparse.Namespace) -> dict[str, Any]:
    """Migrate, add the catalogue and the HR analyst, write the file (the README's columns but LEFT_OUT)."""
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    from people import demo
    from people.models import PrivacyNoticeAcceptance, User
    from people.services.hris_columns import COLUMNS

    call_command("migrate", verbosity=0)
    demo.ensure_catalogue()
    hr = User.objects.create_user(email=HR_EMAIL, password=None, full_name="Bench HR", is_hr_analyst=True)
    PrivacyNoticeAcceptance.objects.create(user=hr, version=settings.PRIVACY_NOTICE_VERSION)
    started = time.perf_counter()
    buffer = io.StringIO()
    columns = [name for name in COLUMNS if name not in LEFT_OUT]
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(demo.generate_rows(people=args.size, seed=args.seed, today=TODAY))
    content = buffer.getvalue().encode()
    Path(args.file).write_bytes(content)
    return {"bytes": len(content), "generate_s": time.perf_counter() - started}


def web(args: argparse.Namespace) -> dict[str, Any]:
    """Upload, preview, confirm and follow, as the analyst's browser would; the figures of each step."""
    setup_django()
    from django.conf import settings
    from django.test import override_settings
    from django.test.utils import setup_test_environment

    setup_test_environment()  # lets the test client's host in; DEBUG stays off
    # Pages name static files through {% static %}: unhashed names, so that no collectstatic is needed.
    plain = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    with override_settings(STORAGES=plain):
        return web_flow(args)


def web_flow(args: argparse.Namespace) -> dict[str, Any]:
    from django.test import Client
    from django.urls import reverse

    from people.models import BackgroundJob, User

    client = Client()
    client.force_login(User.objects.get(email=HR_EMAIL))
    started = time.perf_counter()
    with open(args.file, "rb") as upload:
        response = client.post(reverse("people:import"), {"file": upload, "preview": "on"}, secure=True)
    preview = {"request_s": time.perf_counter() - started}
    assert response.status_code == 302, response.content[:2000]
    page = follow(client, response["Location"], preview, started)
    assert "is ready to import" in page, page[-3000:]
    job = BackgroundJob.objects.get()
    assert job.result["summary"]["people_created"] == args.size

    at = time.perf_counter()
    response = client.post(reverse("people:import_job_import", args=[job.pk]), secure=True)
    imported = {"request_s": time.perf_counter() - at}
    assert response.status_code == 302
    page = follow(client, response["Location"], imported, started)
    wall = time.perf_counter() - started
    assert f"Imported: {args.size} people created" in page, page[-3000:]
    assert User.objects.count() == args.size + 1
    for figures, row in zip((preview, imported), BackgroundJob.objects.order_by("pk"), strict=True):
        figures["queued_s"] = (row.started_at - row.created_at).total_seconds()
        figures["ran_s"] = (row.finished_at - row.started_at).total_seconds()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"preview": preview, "import": imported, "wall_s": wall, "web_peak_mb": peak}


def follow(client: Any, page_url: str, figures: dict[str, Any], started: float) -> str:
    """Poll the job's progress fragment until it sends the page on (HX-Redirect); the page then."""
    from django.urls import reverse

    job_id = int(page_url.rstrip("/").split("/")[-1])
    url, seen = reverse("people:job_progress", args=[job_id]), [("", 0.0)]
    deadline = time.monotonic() + 1800
    while time.monotonic() < deadline:
        fragment = client.get(url, headers={"HX-Request": "true"}, secure=True)
        if "HX-Redirect" in fragment:
            figures["stages"] = [*seen[1:], ("done", time.perf_counter() - started)]
            return str(client.get(fragment["HX-Redirect"], secure=True).content.decode())
        body = fragment.content.decode()
        if 'data-state="failed"' in body:
            sys.exit(f"job {job_id} failed: {body}")
        stage = re.search(r'data-stage="([^"]*)"', body)
        if stage and stage.group(1) != seen[-1][0]:
            seen.append((stage.group(1), time.perf_counter() - started))
        time.sleep(POLL_SECONDS)
    sys.exit(f"job {job_id} did not finish in 30 minutes")


def inline_run(args: argparse.Namespace) -> dict[str, Any]:
    """Migrate the fresh database, generate the file, import it (and import it again, or trace it)."""
    setup_django()
    from django.core.management import call_command

    from people import demo
    from people.models import CompetencyRating, OrgUnit
    from people.services.hris_import import people_import

    call_command("migrate", verbosity=0)
    demo.ensure_catalogue()
    started = time.perf_counter()
    content = demo.to_csv(demo.generate_rows(people=args.size, seed=args.seed, today=TODAY))
    generate_s = time.perf_counter() - started

    if args.child == "traced":
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
    assert result.summary.people_created == args.size
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    started = time.perf_counter()
    again = people_import(actor=None, content=content)
    reimport_s = time.perf_counter() - started
    assert again.ok
    assert again.summary.people_unchanged == args.size
    return {
        "generate_s": generate_s,
        "import_s": import_s,
        "reimport_s": reimport_s,
        "peak_rss_mb": peak_rss_mb,
        "units": OrgUnit.objects.count(),
        "ratings": CompetencyRating.objects.count(),
    }


CHILDREN = {"timed": inline_run, "traced": inline_run, "prepare": prepare, "web": web}


if __name__ == "__main__":
    main()
