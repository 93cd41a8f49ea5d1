"""Reads for invitations: who a coordinator's criteria reach, and each invitation with its tracked state."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from people.models import CompetencyRating, OrgUnit, User
from people.selectors import org_unit_ids_with_descendants
from programmes.models import Enrolment, Invitation, Programme


def invitation_audience(
    *,
    unit: OrgUnit | None = None,
    grade_min: int | None = None,
    grade_max: int | None = None,
    competency_id: int | None = None,
    below_level: int | None = None,
    emails: list[str] | None = None,
) -> QuerySet[User]:
    """Active people who meet every criterion given: a unit (with the units below it), a grade range,
    a latest rating in a competency below a level (a gap), or a pasted list of e-mails."""
    people = User.objects.filter(is_active=True).filter(
        Q(left_date__isnull=True) | Q(left_date__gt=timezone.localdate())
    )
    if unit is not None:
        people = people.filter(org_unit__in=org_unit_ids_with_descendants([unit.pk]))
    if grade_min is not None:
        people = people.filter(grade__gte=grade_min)
    if grade_max is not None:
        people = people.filter(grade__lte=grade_max)
    if competency_id is not None and below_level is not None:
        latest = CompetencyRating.objects.filter(person=OuterRef("pk"), competency_id=competency_id).order_by(
            "-rated_on", "-pk"
        )
        people = people.annotate(gap_level=Subquery(latest.values("level")[:1])).filter(gap_level__lt=below_level)
    if emails is not None:
        people = people.filter(email__in=[e.lower() for e in emails])
    return people.order_by("full_name")


def invitation_list_for_coordinator(*, programme: Programme) -> list[dict[str, Any]]:
    """Each invitation with its person and its state (applied is read from the enrolments)."""
    applied = Enrolment.objects.filter(programme=OuterRef("programme"), person=OuterRef("person"))
    rows = (
        Invitation.objects.filter(programme=programme)
        .select_related("person", "person__org_unit")
        .annotate(applied=Exists(applied))
        .order_by("-sent_at", "person__full_name")
    )
    return [{"invitation": i, "state": i.state_given(applied=i.applied)} for i in rows]


def invitation_counts(rows: list[dict[str, Any]]) -> dict[str, int]:
    counts = dict.fromkeys(Invitation.State.values, 0)
    for row in rows:
        counts[row["state"]] += 1
    return counts
