"""The one writer of a relationship's activity figures: RelationshipHealth.last_activity_at and last_session_at.

The dashboard and the inactivity sweep read these figures from one indexed row per relationship instead of
scanning sessions; every change to them goes through `activity_figures_update`, whoever causes it: a
session logged (sessions.py), the hourly sweep (reminders.py), a relationship or a programme resumed
(closure.py, core/services/cascades.py).

The rule: the last session is the latest held one; the last activity is the latest of what was known,
the latest held session and the latest session logged (a pair that schedules is in touch), never later
than now; a resume restarts the clock at now (the pause was not silence).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Max, Q, QuerySet

from programmes.models import MentoringSession, Relationship, RelationshipHealth

FIELDS = ["last_activity_at", "last_session_at", "updated_at"]


def activity_figures_update(*, relationships: QuerySet[Relationship], now: datetime, restart: bool = False) -> int:
    """Bring the activity figures of these relationships' health rows up to date; how many rows changed.

    Two queries and one bulk update, however many relationships. Relationships without a health row are
    left alone (support.health_for and the sweep create the rows).
    """
    latest = relationships.annotate(
        held=Max("sessions__held_at", filter=Q(sessions__status=MentoringSession.Status.HELD)),
        logged=Max("sessions__created_at", filter=~Q(sessions__status=MentoringSession.Status.CANCELLED)),
    ).values_list("pk", "held", "logged")
    seen = {pk: (held, logged) for pk, held, logged in latest}
    changed = []
    for health in RelationshipHealth.objects.filter(relationship_id__in=seen.keys()):
        held, logged = seen[health.relationship_id]
        if restart:
            activity = now
        else:
            activity = min(max(d for d in (health.last_activity_at, held, logged) if d is not None), now)
        if activity != health.last_activity_at or held != health.last_session_at:
            health.last_activity_at, health.last_session_at, health.updated_at = activity, held, now
            changed.append(health)
    RelationshipHealth.objects.bulk_update(changed, FIELDS)
    return len(changed)
