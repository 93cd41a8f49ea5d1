"""Audit rows for what the lower app (people) announces but cannot record itself."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType

from people.models import User

from .models import AuditEvent, Enrolment
from .services.enrolment import enrolment_withdraw
from .states import WITHDRAWABLE

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


def withdraw_deactivated_person(sender: Any, *, person: User, reason: str, **kwargs: Any) -> None:
    """A deactivated person's open enrolments are withdrawn through the one withdrawal path.

    That path ends their relationships through the state machine, releases seats and tells the others and the
    coordinators, exactly as when the person withdraws themselves; the audit rows carry the reason.
    """
    for enrolment in Enrolment.objects.filter(person=person, state__in=WITHDRAWABLE).order_by("pk"):
        enrolment_withdraw(actor=person, enrolment=enrolment, reason=reason)
