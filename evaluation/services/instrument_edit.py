"""Changing a programme's copy of an instrument, before anyone has answered it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.forms import BaseInlineFormSet
from django.utils.translation import gettext as _

from people.models import User

from ..models import Instrument, InstrumentResponse
from .common import EvaluationError


@transaction.atomic
def instrument_update(
    *, actor: User, instrument: Instrument, fields: dict[str, Any], items: BaseInlineFormSet[Any, Any, Any] | None
) -> Instrument:
    """Save the instrument's wording, audiences and items; refused once anyone has answered it.

    Answers are only comparable between cycles when the questions stay the same.
    """
    locked = Instrument.objects.select_for_update().get(pk=instrument.pk)
    if InstrumentResponse.objects.filter(instrument=locked, answered_at__isnull=False).exists():
        raise EvaluationError(_("People have answered this questionnaire: its questions can no longer change."))
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.save()
    if items is not None:
        items.instance = locked
        items.save()
    return locked
