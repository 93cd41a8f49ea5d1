"""The home page's "New for you" tells only what is still true: a logged session's "please confirm it" goes once
the session is confirmed, and a reminder written once a day shows once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import Personas
from programmes.core.services.notifications import notification_create
from programmes.models import Notification
from programmes.support.services.sessions import SessionInput, session_confirm, session_log
from programmes.tests.support_helpers import persona_pair

pytestmark = pytest.mark.django_db


def _new_for_you(client: Client, user: object) -> str:
    client.force_login(user)  # type: ignore[arg-type]
    page = client.get(reverse("home")).content.decode()
    start = page.find('data-testid="panel-unread"')
    return page[start : page.find("</section>", start)] if start >= 0 else ""


def test_please_confirm_goes_once_the_session_is_confirmed(client: Client, personas: Personas) -> None:
    relationship = persona_pair(personas)
    held = timezone.now() - timedelta(days=2)
    session = session_log(
        actor=personas.mentor,
        relationship=relationship,
        data=SessionInput(held_at=held, minutes=45, mode="video", status="held"),
    )
    Notification.objects.filter(recipient=personas.mentee).update(due_at=timezone.now() - timedelta(minutes=1))
    assert "Please confirm it" in _new_for_you(client, personas.mentee)
    session_confirm(actor=personas.mentee, session=session)
    assert "Please confirm it" not in _new_for_you(client, personas.mentee)


def test_a_reminder_repeated_daily_shows_once(client: Client, personas: Personas) -> None:
    for day in range(3):
        notification_create(
            recipient=personas.coordinator,
            kind="contact_overdue",
            dedupe_key=f"contact-overdue:test:{day}",
            context={"programme": personas.programme.name, "count": 21},
            url=reverse("programmes:dashboard", args=[personas.programme.pk]),
        )
    Notification.objects.filter(recipient=personas.coordinator).update(due_at=timezone.now() - timedelta(minutes=1))
    assert _new_for_you(client, personas.coordinator).count('data-testid="notification"') == 1
