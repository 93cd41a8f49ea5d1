"""`manage.py seed_demo [--people N] [--seed S] [--if-empty] [--allow-production]`: the living demo.

It lives in the highest app because the demo spans every app. Inside ONE transaction (a failure anywhere
leaves the database as it was):

1. `people.demo.build`: PT Nusantara Niaga through the HRIS import, its competency catalogue, ratings,
   the demo logins, and the demo password for everyone.
2. `evaluation.demo.build`: the two programmes' stories told along their timelines through the pages'
   services (the 2025 pilot, finished and reported; the 2026 programme, running today).
3. For a big organisation (more than BULK_FROM people), `evaluation.demo_bulk.build`: a company-wide
   buddy programme whose thousands of pairs and sessions are bulk-inserted (a load-test filler; the story
   programmes above never are).

Running it on a database that already has people is refused with a message (it never tops up or
duplicates); with --if-empty it then does nothing and says so, which is what `make run` uses. It refuses
to run with DJANGO_DEBUG=0 (a production configuration) unless --allow-production is given: every demo
person can sign in with a published password.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from evaluation.demo import build as build_story
from evaluation.demo_bulk import BULK_FROM
from evaluation.demo_bulk import build as build_bulk
from people import demo
from people.models import User

DEFAULT_PEOPLE = 500


class Command(BaseCommand):
    help = "Build a realistic demo organisation (PT Nusantara Niaga) and its programmes into an empty database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when people already exist.")
        parser.add_argument("--people", type=int, default=DEFAULT_PEOPLE, help="How many people (200 to 50,000+).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed: the same seed, the same company.")
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Run even with DJANGO_DEBUG=0. Every demo person can then sign in with the published password.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError(
                "seed_demo refuses to run with DJANGO_DEBUG=0: it gives every demo person a published password. "
                "Use it on a local or staging database; pass --allow-production only for a throw-away database."
            )
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
        build_story(people=people, seed=seed, stdout=self.stdout)
        if size > BULK_FROM:
            build_bulk(people=people, seed=seed, stdout=self.stdout)
        return people

    def _print_logins(self, people: demo.DemoPeople) -> None:
        self.stdout.write(f"Demo logins, all with the password {people.password} (demo data only):")
        for role, user in (
            ("coordinator", people.coordinator),
            ("mentor", people.mentor),
            ("mentee", people.mentee),
            ("manager", people.manager),
            ("HR analyst", people.hr),
            ("site admin", people.admin),
            ("koordinator (Bahasa Indonesia)", people.koordinator),
            ("mentee (Bahasa Indonesia)", people.mentee_id),
        ):
            self.stdout.write(f"  {role:<31} {user.email:<28} {user.full_name}")
