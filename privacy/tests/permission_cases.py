"""Permission cases for the privacy app: everyone signed in has their own data page and downloads (their own
data only); erasure is for site admins; nobody else (HR included) erases anyone."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.urls import reverse

from mentoring.tests.matrix import FORBIDDEN, OK, REDIRECT, Case, everyone
from people.models import User


def _own_data_only(response: HttpResponse, p: Any, persona: str) -> None:
    if persona == "anonymous":
        return
    data = json.loads(response.content)
    me: User = p.all()[persona]
    assert data["person"]["id"] == me.pk
    others = [u.email for name, u in p.all().items() if u is not None and name != persona]
    assert not any(email in response.content.decode() for email in others)


def _mentee_erased(response: HttpResponse, p: Any, persona: str) -> None:
    if persona != "admin":
        return
    mentee = User.objects.get(pk=p.mentee.pk)
    assert not mentee.is_active
    assert mentee.email.endswith("@erased.invalid")


CASES: list[Case] = [
    Case(name="privacy:my_data", url=lambda p: reverse("privacy:my_data"), expect=everyone(OK)),
    Case(
        name="privacy:my_data_json",
        url=lambda p: reverse("privacy:my_data_json"),
        expect=everyone(OK),
        check=_own_data_only,
    ),
    Case(name="privacy:my_data_html", url=lambda p: reverse("privacy:my_data_html"), expect=everyone(OK)),
    Case(name="privacy:erase", url=lambda p: reverse("privacy:erase"), expect=everyone(FORBIDDEN, admin=OK)),
    Case(
        name="privacy:erase",
        url=lambda p: reverse("privacy:erase"),
        method="post",
        data=lambda p: {"email": p.mentee.email, "confirm": "on"},
        expect=everyone(FORBIDDEN, admin=REDIRECT),
        check=_mentee_erased,
    ),
]
