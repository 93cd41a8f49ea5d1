"""The retention schedule: pair content goes PRIVACY_RETENTION_MONTHS after the programme closed, once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import Personas
from mentoring.celery import app
from privacy.tasks import apply_retention
from privacy.tests.test_export_erasure import _pair_with_content
from programmes.core.services.lifecycle import audit_event_record
from programmes.models import AuditEvent, CheckIn, Concern, MentoringSession, PrivateNote, Programme

pytestmark = pytest.mark.django_db


def _closed(programme: Programme, days_ago: int) -> None:
    """The programme closed `days_ago` days ago (its closing, as the lifecycle records it, is the input here)."""
    Programme.objects.filter(pk=programme.pk).update(phase=Programme.Phase.CLOSED)
    event = audit_event_record(actor=None, obj=programme, from_state="evaluation", to_state="closed")
    AuditEvent.objects.filter(pk=event.pk).update(at=timezone.now() - timedelta(days=days_ago))


def test_pair_content_is_deleted_after_the_retention_period_once_and_counts_stay(
    personas: Personas, settings: object
) -> None:
    settings.PRIVACY_RETENTION_MONTHS = 24  # type: ignore[attr-defined]
    _pair_with_content(personas)
    sessions = MentoringSession.objects.count()

    _closed(personas.programme, days_ago=700)  # 23 months: kept
    assert apply_retention() == 0
    assert PrivateNote.objects.exists()

    AuditEvent.objects.filter(to_state="closed").update(at=timezone.now() - timedelta(days=740))  # over 24 months
    assert apply_retention() == 1
    assert not PrivateNote.objects.exists()
    assert set(MentoringSession.objects.values_list("shared_notes", flat=True)) == {""}
    assert set(CheckIn.objects.values_list("concern", flat=True)) == {""}
    assert set(Concern.objects.values_list("description", flat=True)) == {""}
    assert MentoringSession.objects.count() == sessions  # the figures keep their counts
    assert CheckIn.objects.filter(answered_at__isnull=False).count() == 2
    assert AuditEvent.objects.filter(to_state="content_purged", object_id=personas.programme.pk).count() == 1

    assert apply_retention() == 0  # idempotent: a second run (a retry, a second beat) purges nothing


def test_an_open_programme_is_never_purged(personas: Personas, settings: object) -> None:
    settings.PRIVACY_RETENTION_MONTHS = 0  # type: ignore[attr-defined]
    _pair_with_content(personas)
    assert apply_retention() == 0
    assert PrivateNote.objects.exists()


def test_the_retention_task_is_in_the_beat_schedule() -> None:
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "privacy.tasks.apply_retention" in tasks
