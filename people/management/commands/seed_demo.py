"""Placeholder: the demo organisation (being built)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Build a realistic demo organisation and programme."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true")
        parser.add_argument("--people", type=int, default=300)

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("seed_demo: nothing yet")
