"""`manage.py seed_demo [--people N] [--seed S] [--if-empty]`: the demo organisation and its programmes.

It lives in the highest app because the demo spans every app; each app builds its own part, in this
order, inside ONE transaction (a failure anywhere leaves the database as it was):

1. `people.demo.build(people=N, seed=S, stdout=out) -> people.demo.DemoPeople` (always): PT Nusantara
   Niaga, its org units, competency catalogue, ratings and the five demo logins.
2. `programmes.demo.build(people=<DemoPeople>, seed=S, stdout=out) -> object`, only when the module
   `programmes/demo.py` exists.
3. `evaluation.demo.build(people=<DemoPeople>, programmes=<what step 2 returned, or None>, seed=S,
   stdout=out) -> object`, only when the module `evaluation/demo.py` exists.

Contract for steps 2 and 3: a module-level `build` taking exactly those keyword-only arguments; it writes
into the caller's transaction (no commits of its own), uses bulk inserts for anything that grows with
--people, gives the same data for the same seed, and may write progress lines to `stdout`.

Running it on a database that already has people is refused with a message (it never tops up or
duplicates); with --if-empty it then does nothing and says so, which is what `make run` uses.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from people import demo
from people.models import User


def optional_builder(module: str) -> Callable[..., Any] | None:
    """The `build` function of a demo module that may not exist yet."""
    try:
        return importlib.import_module(module).build
    except ModuleNotFoundError as exc:
        if exc.name != module:  # the module exists but something it imports does not: a real error
            raise
        return None


class Command(BaseCommand):
    help = "Build a realistic demo organisation (PT Nusantara Niaga) and its programmes into an empty database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when people already exist.")
        parser.add_argument("--people", type=int, default=300, help="How many people (60 to 50,000 or more).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed: the same seed, the same company.")

    def handle(self, *args: Any, **options: Any) -> None:
        existing = User.objects.count()
        if existing:
            if options["if_empty"]:
                self.stdout.write(f"seed_demo: the database already has {existing} people; nothing to do.")
                return
            raise CommandError(
                f"The database already has {existing} people; seed_demo builds the demo into an empty database "
                "only (it never adds a second copy). Use --if-empty to skip quietly, or empty the database first "
                "(python manage.py flush)."
            )
        started = time.perf_counter()
        try:
            people = self._build(options["people"], options["seed"])
        except demo.DemoError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Built in {time.perf_counter() - started:.1f} s.")
        self._print_logins(people)

    @transaction.atomic
    def _build(self, size: int, seed: int) -> demo.DemoPeople:
        people = demo.build(people=size, seed=seed, stdout=self.stdout)
        programmes = None
        build_programmes = optional_builder("programmes.demo")
        if build_programmes is not None:
            programmes = build_programmes(people=people, seed=seed, stdout=self.stdout)
        build_evaluation = optional_builder("evaluation.demo")
        if build_evaluation is not None:
            build_evaluation(people=people, programmes=programmes, seed=seed, stdout=self.stdout)
        return people

    def _print_logins(self, people: demo.DemoPeople) -> None:
        self.stdout.write(f"Demo logins, all with the password {people.password} (demo data only):")
        for role, user in (
            ("coordinator", people.coordinator),
            ("mentor", people.mentor),
            ("mentee", people.mentee),
            ("HR analyst", people.hr),
            ("site admin", people.admin),
        ):
            self.stdout.write(f"  {role:<12} {user.email:<28} {user.full_name}")
