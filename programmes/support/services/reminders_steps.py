"""Reminders of the earlier steps, run by the support sweep: proposals not answered, agreements not signed."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse

from programmes.core.services.notifications import notification_create_many
from programmes.core.states import ENROLMENT_GONE
from programmes.models import (
    Relationship,
    RelationshipMember,
)
from programmes.support.services.reminders import (
    AGREEMENT_WAIT,
    LIVE,
    LIVE_RELATIONSHIP,
    PROPOSAL_WAIT,
    RState,
    SweepReport,
    _keyed,
    _members_by_relationship,
)


def proposal_sweep(*, now: datetime, report: SweepReport) -> None:
    """Members who have not answered a proposal within 3 days hear about it once."""
    waiting = (
        RelationshipMember.objects.filter(
            LIVE_RELATIONSHIP,
            relationship__state=RState.PROPOSED,
            relationship__created_at__lte=now - PROPOSAL_WAIT,
            response=RelationshipMember.Response.PENDING,
        )
        .exclude(enrolment__state__in=ENROLMENT_GONE)
        .select_related("enrolment__person", "relationship__programme")
    )
    for member in waiting:
        relationship = member.relationship
        rows = notification_create_many(
            recipients=[member.enrolment.person],
            kind="proposal_waiting",
            dedupe_key=_keyed(f"proposal_waiting:{relationship.pk}"),
            context={"programme": relationship.programme.name},
            url=reverse("programmes:relationship_detail", args=[relationship.programme_id, relationship.pk]),
        )
        report.add("proposal_waiting", len(rows))


def agreement_sweep(*, now: datetime, report: SweepReport) -> None:
    """Accepted for 7 days and still not active: the agreement waits for signatures (or the first meeting)."""
    stuck = list(
        Relationship.objects.filter(
            LIVE, state=RState.ACCEPTED, state_changed_at__lte=now - AGREEMENT_WAIT
        ).select_related("programme")
    )
    people = _members_by_relationship([r.pk for r in stuck])
    for relationship in stuck:
        rows = notification_create_many(
            recipients=people[relationship.pk],
            kind="agreement_unsigned",
            dedupe_key=_keyed(f"agreement_unsigned:{relationship.pk}"),
            context={"programme": relationship.programme.name},
            url=reverse("programmes:relationship_detail", args=[relationship.programme_id, relationship.pk]),
        )
        report.add("agreement_unsigned", len(rows))
