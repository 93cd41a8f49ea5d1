"""Permission cases for the programmes app's URLs (collected by mentoring/tests/test_permission_matrix.py)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import reverse

from mentoring.tests.matrix import NOT_FOUND, OK, REDIRECT, Case, everyone
from programmes.models import Notification

CASES: list[Case] = []

# --- Notifications: programmes:notifications, programmes:notification_read --------------------------------
# A person only ever sees and marks their own notifications; anyone else's id is out of scope (404), for
# site administrators too.

MENTEE_KEY = "matrix:mentee-welcome"


def _mentee_notification(p: Any) -> Notification:
    row, _ = Notification.objects.get_or_create(
        dedupe_key=MENTEE_KEY,
        defaults={"recipient": p.mentee, "kind": "welcome", "channel": Notification.Channel.IN_APP},
    )
    return row


def _fresh_mentee_notification(p: Any) -> None:
    Notification.objects.filter(pk=_mentee_notification(p).pk).update(read_at=None)


def _list_shows_own_notifications_only(response: HttpResponse, p: Any, persona: str) -> None:
    if persona == "anonymous":
        return
    keys = [n.dedupe_key for n in response.context["page"].object_list]
    assert keys == ([MENTEE_KEY] if persona == "mentee" else [])


def _marked_read(response: HttpResponse, p: Any, persona: str) -> None:
    if persona == "anonymous":
        assert Notification.objects.get(dedupe_key=MENTEE_KEY).read_at is None
        return
    assert persona == "mentee"
    assert Notification.objects.get(dedupe_key=MENTEE_KEY).read_at is not None
    assert response["Location"] == reverse("programmes:notifications")


def _mark_all_touches_own_only(response: HttpResponse, p: Any, persona: str) -> None:
    read = Notification.objects.get(dedupe_key=MENTEE_KEY).read_at is not None
    assert read == (persona == "mentee")


CASES += [
    Case(
        name="programmes:notifications",
        url=lambda p: reverse("programmes:notifications"),
        expect=everyone(OK),
        setup=_fresh_mentee_notification,
        check=_list_shows_own_notifications_only,
    ),
    Case(
        name="programmes:notification_read",
        url=lambda p: reverse("programmes:notification_read", args=[_mentee_notification(p).pk]),
        method="post",
        expect=everyone(NOT_FOUND, mentee=REDIRECT),
        setup=_fresh_mentee_notification,
        check=_marked_read,
    ),
    Case(
        name="programmes:notification_read",
        url=lambda p: reverse("programmes:notification_read", args=[0]),
        method="post",
        expect=everyone(REDIRECT),
        setup=_fresh_mentee_notification,
        check=_mark_all_touches_own_only,
    ),
]
# --- end of notifications -----------------------------------------------------------------------------------
