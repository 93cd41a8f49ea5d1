"""Queries compiled once (mentoring.prepared): each run binds its own values and answers as the ORM does, with
datetimes adapted as the backend adapts them; what a raw query cannot map is refused on first use."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import Personas
from mentoring.prepared import Prepared
from programmes.core.services.notifications import notification_create
from programmes.models import Enrolment, Notification

pytestmark = pytest.mark.django_db


def _due(user_id: int, now: object) -> object:
    return Notification.objects.filter(recipient_id=user_id, due_at__lte=now).order_by("due_at")


def test_each_run_binds_its_own_ids_and_times_and_answers_as_the_orm(personas: Personas) -> None:
    now = timezone.now()
    for person, days in ((personas.mentee, (-3, -1, 2)), (personas.mentor, (-2, 5))):
        for day in days:
            key = f"prepared-{person.pk}-{day}"
            notification_create(recipient=person, kind="welcome", dedupe_key=key, due_at=now + timedelta(days=day))
    due = Prepared(_due, user_id=int, now=type(now))  # type: ignore[arg-type]
    for person in (personas.mentee, personas.mentor, personas.outsider):
        for day in (-10, -2, 0, 3, 10):
            at = now + timedelta(days=day)
            assert due.run(user_id=person.pk, now=at) == list(_due(person.pk, at))  # type: ignore[call-overload]
    assert len(due.run(user_id=personas.mentee.pk, now=now)) == 2


def test_a_query_following_relations_is_refused() -> None:
    joined = Prepared(lambda pk: Enrolment.objects.select_related("person").filter(pk=pk), pk=int)
    with pytest.raises(ValueError, match="select_related"):
        joined.run(pk=1)
