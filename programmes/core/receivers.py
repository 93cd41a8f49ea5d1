"""Audit rows for what the lower app (people) announces but cannot record itself."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse

from people.models import HrisSync, User
from programmes.enrolment.services.enrolment import enrolment_withdraw
from programmes.models import AuditEvent, Enrolment

from .services.notifications import notification_create_many
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


def notify_hris_sync_failed(sender: Any, *, sync: HrisSync, **kwargs: Any) -> None:
    """Every HR analyst and site admin hears, once per refused run, that the HRIS sync changed nothing and why."""
    readers = User.objects.filter(is_active=True).filter(models.Q(is_hr_analyst=True) | models.Q(is_superuser=True))
    notification_create_many(
        recipients=readers,
        kind="hris_sync_failed",
        dedupe_key=lambda person: f"hris-sync-failed:{sync.pk}:{person.pk}",
        context={"problems": len(sync.problems)},
        url=reverse("people:hris_sync", args=[sync.pk]),
    )
