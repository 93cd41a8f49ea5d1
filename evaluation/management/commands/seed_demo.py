"""`manage.py seed_demo`: the demo organisation and programmes.

It lives in the highest app because the demo spans every app; each app builds its own part
(people.demo, and later programmes.demo and evaluation.demo).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Build a realistic demo organisation and programme."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when people already exist.")
        parser.add_argument("--people", type=int, default=300, help="How many people (up to 50,000).")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("seed_demo: nothing yet")
