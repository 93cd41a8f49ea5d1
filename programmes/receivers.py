"""Audit rows for what the lower app (people) announces but cannot record itself."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType

from people.models import User

from .models import AuditEvent

IMPORT_REFUSED = "import_refused"


def audit_import_refused(sender: Any, *, actor: User, problems: list[Any], dry_run: bool, **kwargs: Any) -> None:
    """One AuditEvent on the importer for a people import refused for separation of duties."""
    lines = [f"row {p.row}, {p.column}: {p.message}" for p in problems]
    AuditEvent.objects.create(
        actor=actor,
        content_type=ContentType.objects.get_for_model(User),
        object_id=actor.pk,
        from_state="preview" if dry_run else "import",
        to_state=IMPORT_REFUSED,
        reason="\n".join(lines),
    )
