"""The programme's costs for its ROI: add and remove cost items (each change makes results stale)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from people.models import User
from programmes.core.figures_cache import programme_data_changed
from programmes.models import Programme

from ..models import CostItem, OutcomeResult
from .common import EvaluationError


def _stale(programme: Programme) -> None:
    # Costs enter every ROI: every current result of the programme is out of date until recomputed.
    OutcomeResult.objects.filter(programme=programme, superseded_at__isnull=True, stale=False).update(stale=True)
    programme_data_changed(programme.pk)


def _check_open(programme: Programme) -> None:
    if programme.phase in (Programme.Phase.CLOSED, Programme.Phase.CANCELLED):
        raise EvaluationError(_("The programme is closed: its costs can no longer change."))


@transaction.atomic
def cost_item_add(*, actor: User, programme: Programme, category: str, description: str, amount: Decimal) -> CostItem:
    """Add one fully loaded cost to the programme."""
    _check_open(programme)
    item = CostItem(programme=programme, category=category, description=description, amount=amount, created_by=actor)
    item.full_clean()
    item.save()
    _stale(programme)
    return item


@transaction.atomic
def cost_item_remove(*, actor: User, item: CostItem) -> None:
    """Remove a cost entered by mistake."""
    _check_open(item.programme)
    item.delete()
    _stale(item.programme)
