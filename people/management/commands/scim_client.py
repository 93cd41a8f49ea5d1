"""Make a SCIM client for an identity provider and print its bearer token (shown once, never stored)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from people.models import ScimClient
from people.scim.auth import scim_client_create


class Command(BaseCommand):
    help = "Create a SCIM client (e.g. 'Entra ID') and print its token, or --revoke one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="A name for the identity provider, e.g. 'Entra ID'.")
        parser.add_argument("--revoke", action="store_true", help="Revoke the named client's token instead.")

    def handle(self, *args: Any, name: str, revoke: bool, **options: Any) -> None:
        if revoke:
            if not ScimClient.objects.filter(name=name).update(is_active=False):
                raise CommandError(f"No SCIM client named {name!r}.")
            self.stdout.write(f"Revoked the SCIM token of {name}.")
            return
        try:
            _, token = scim_client_create(name=name)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"SCIM base URL: <SITE_URL>/scim/v2/\nSecret token for {name} (shown once): {token}")
