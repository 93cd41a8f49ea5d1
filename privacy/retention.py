"""The retention schedule: a closed programme's pair content is deleted PRIVACY_RETENTION_MONTHS after it closed.

"Pair content" is what the members and coordinators wrote about a relationship: private notes and goal
comments (deleted), shared and correction notes, check-in and exit-survey comments, concern texts and
coordinator contact notes (emptied). Counts, dates, states and outcome figures stay, so the programme's
reports read the same. Each programme is purged once: an audit row marks it, and a second run skips it.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max

from mentoring.dates import add_months
from programmes.models import (
    AuditEvent,
    CheckIn,
    Concern,
    CoordinatorContact,
    ExitSurvey,
    GoalComment,
    GoalProgress,
    MentoringSession,
    PrivateNote,
    Programme,
)

PURGED = "content_purged"


def programmes_due_for_purge(*, now: datetime) -> list[int]:
    """Ids of closed programmes whose closing is older than the retention period and not yet purged."""
    cutoff = datetime.combine(add_months(now.date(), -settings.PRIVACY_RETENTION_MONTHS), now.timetz())
    programme_type = ContentType.objects.get_for_model(Programme)
    closings = (
        AuditEvent.objects.filter(content_type=programme_type, to_state=Programme.Phase.CLOSED)
        .values("object_id")
        .annotate(closed_at=Max("at"))
        .filter(closed_at__lte=cutoff)
    )
    purged = AuditEvent.objects.filter(content_type=programme_type, to_state=PURGED).values("object_id")
    return list(
        Programme.objects.filter(phase=Programme.Phase.CLOSED, pk__in=closings.values("object_id"))
        .exclude(pk__in=purged)
        .values_list("pk", flat=True)
    )


@transaction.atomic
def programme_content_purge(*, programme_id: int) -> bool:
    """Delete one closed programme's pair content; False when it was already purged (idempotent)."""
    programme = Programme.objects.select_for_update().get(pk=programme_id)
    programme_type = ContentType.objects.get_for_model(Programme)
    if AuditEvent.objects.filter(content_type=programme_type, object_id=programme.pk, to_state=PURGED).exists():
        return False
    pair = {"relationship__programme": programme}
    PrivateNote.objects.filter(session__relationship__programme=programme).delete()
    GoalComment.objects.filter(goal__plan__programme=programme).delete()
    MentoringSession.objects.filter(**pair).update(shared_notes="", correction_note="")
    CheckIn.objects.filter(**pair).update(concern="")
    Concern.objects.filter(**pair).update(description="", mediation_notes="", outcome="")
    CoordinatorContact.objects.filter(**pair).update(notes="")
    ExitSurvey.objects.filter(closure__relationship__programme=programme).update(comments="")
    GoalProgress.objects.filter(goal__plan__programme=programme).update(note="")
    AuditEvent.objects.create(
        actor=None,
        content_type=programme_type,
        object_id=programme.pk,
        programme=programme,
        from_state=Programme.Phase.CLOSED,
        to_state=PURGED,
        reason=f"retention: pair content deleted {settings.PRIVACY_RETENTION_MONTHS} months after closing",
    )
    return True
