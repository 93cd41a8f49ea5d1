"""Audited access to a pair's content (issue 12): coordinators give a reason before they read it.

Shared session notes, check-in answers and concern details belong to the pair. A coordinator or site admin
who is not a member of the relationship sees them only after recording why (a small form), remembered for
CONTENT_READ_REASON_MINUTES in their session for that relationship; every page that then shows the content
writes a ContentRead row, which the members see on the relationship's "who read what" page.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from people.models import User
from people.types import AuthedRequest
from programmes.access import Standing
from programmes.models import ContentRead, Relationship

SESSION_KEY = "content_reason:{relationship_id}"


def reason_remember(request: AuthedRequest, relationship_id: int, reason: str) -> None:
    """Keep the reason in the reader's session for this relationship, for a short while."""
    request.session[SESSION_KEY.format(relationship_id=relationship_id)] = {
        "reason": reason,
        "at": timezone.now().isoformat(),
    }


def reason_given(request: AuthedRequest, relationship_id: int) -> str | None:
    """The reason this reader gave for this relationship, if still fresh; else None."""
    stored = request.session.get(SESSION_KEY.format(relationship_id=relationship_id))
    if not isinstance(stored, dict):
        return None
    try:
        given_at = datetime.fromisoformat(str(stored["at"]))
    except (KeyError, ValueError):
        return None
    if timezone.now() - given_at > timedelta(minutes=settings.CONTENT_READ_REASON_MINUTES):
        return None
    return str(stored.get("reason") or "") or None


@transaction.atomic
def content_read_record(
    *, reader: User, relationship: Relationship, kind: str, reason: str, object_id: int | None = None
) -> ContentRead:
    """Write the audit row of one read of a pair's content."""
    read = ContentRead(reader=reader, relationship=relationship, kind=kind, object_id=object_id, reason=reason)
    read.full_clean()
    read.save()
    return read


def content_gate(
    request: AuthedRequest, found: Standing, kind: str, object_id: int | None = None
) -> HttpResponse | None:
    """None when the reader may see the content now (members; staff with a fresh reason, read recorded);
    otherwise the page that asks for the reason, which sends them back here once given."""
    if not found.reads_from_outside:
        return None
    reason = reason_given(request, found.pair.pk)
    if reason is None:
        relationship = found.pair
        context = {
            "programme": relationship.programme,
            "relationship": relationship,
            "kind_label": ContentRead.Kind(kind).label,
            "next": request.get_full_path(),
            "minutes": settings.CONTENT_READ_REASON_MINUTES,
        }
        return render(request, "programmes/support/content_reason.html", context)
    content_read_record(reader=request.user, relationship=found.pair, kind=kind, reason=reason, object_id=object_id)
    return None


def content_unlocked(request: AuthedRequest, found: Standing, kind: str) -> bool:
    """For a page that shows the content in one panel among others: whether to show it (and record the read)."""
    if not found.reads_from_outside:
        return True
    reason = reason_given(request, found.pair.pk)
    if reason is None:
        return False
    content_read_record(reader=request.user, relationship=found.pair, kind=kind, reason=reason)
    return True


def content_read_list_for_relationship(*, relationship: Relationship, limit: int = 200) -> list[ContentRead]:
    """The latest reads of a relationship's content, newest first, with their readers."""
    return list(ContentRead.objects.filter(relationship=relationship).select_related("reader")[:limit])


def content_read_list_for_person(*, person: User, limit: int = 200) -> list[ContentRead]:
    """Reads of the content of every relationship the person is (or was) a member of, newest first."""
    reads = ContentRead.objects.filter(relationship__members__enrolment__person=person).distinct()
    return list(reads.select_related("reader", "relationship__programme")[:limit])
