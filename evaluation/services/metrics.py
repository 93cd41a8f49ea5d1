"""Defining outcome metrics: only before implementation, and never so that recorded values stop fitting."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from people.models import User
from programmes.models import Programme

from ..models import OutcomeMetric
from .common import EvaluationError, lock_for_metrics

# What a coordinator may set; programme follows the goal and the rest is bookkeeping.
METRIC_FIELDS = (
    "goal",
    "name",
    "unit",
    "level",
    "direction",
    "kind",
    "data_source",
    "value_per_unit",
    "target_change",
    "target_basis",
)


def _apply(metric: OutcomeMetric, fields: Mapping[str, Any]) -> None:
    for name in METRIC_FIELDS:
        if name in fields:
            setattr(metric, name, fields[name])


@transaction.atomic
def metric_create(*, actor: User, programme: Programme, fields: Mapping[str, Any]) -> OutcomeMetric:
    """Add an outcome metric to a programme, linked to one of its business goals."""
    programme = lock_for_metrics(programme)
    metric = OutcomeMetric(programme=programme, created_by=actor)
    _apply(metric, fields)
    metric.full_clean()
    metric.save()
    return metric


@transaction.atomic
def metric_update(*, actor: User, metric: OutcomeMetric, fields: Mapping[str, Any]) -> OutcomeMetric:
    """Change a metric's definition; a new kind must still fit every value already recorded."""
    lock_for_metrics(metric.programme)
    old_kind = metric.kind
    _apply(metric, fields)
    metric.full_clean()
    if metric.kind != old_kind:
        misfits = [v for v in metric.observations.values_list("value", flat=True) if metric.check_value(v)]
        if misfits:
            raise EvaluationError(
                _("%(n)d recorded values do not fit a metric of kind “%(kind)s”; correct them first.")
                % {"n": len(misfits), "kind": metric.get_kind_display()}
            )
    metric.save()
    return metric
