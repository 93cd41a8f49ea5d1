"""Outcome results (immutable snapshots) and the programme's costs for ROI."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .metrics import FORMULA_PREFIXES

# The only columns of a result that may change after it was written: its bookkeeping, never its figures.
RESULT_BOOKKEEPING = frozenset({"stale", "superseded_at"})


class OutcomeResult(models.Model):
    """What one metric showed in one cycle, computed once from its inputs and never changed.

    `figures` holds every number with its n (see evaluation.outcomes.compute); cells with fewer than
    stats.MIN_CELL people are stored without figures, so no page, export or API can show them.
    `fingerprint` is a hash of the inputs (values, groups, the metric's definition, costs, the method
    version): the task recomputes when the inputs' hash differs, writes a new snapshot and marks the old
    one superseded. New data marks the current snapshot `stale` at once, so pages can say so until then.
    """

    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE, related_name="outcome_results")
    metric = models.ForeignKey("evaluation.OutcomeMetric", on_delete=models.CASCADE, related_name="results")
    cycle = models.ForeignKey("evaluation.EvaluationCycle", on_delete=models.CASCADE, related_name="results")
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)
    method_version = models.CharField(_("method version"), max_length=20)
    fingerprint = models.CharField(_("fingerprint of the inputs"), max_length=64)
    figures = models.JSONField(_("figures"), default=dict)
    suppressed = models.BooleanField(
        _("suppressed"), default=False, help_text=_("A group had fewer than 5 people: its figures are not shown.")
    )
    stale = models.BooleanField(_("stale"), default=False)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["programme", "metric", "cycle", "-computed_at"]
        verbose_name = _("outcome result")
        verbose_name_plural = _("outcome results")
        constraints = [
            # One current snapshot per metric and cycle.
            models.UniqueConstraint(
                fields=["metric", "cycle"], condition=models.Q(superseded_at__isnull=True), name="result_one_current"
            )
        ]
        indexes = [models.Index(fields=["programme", "superseded_at"])]

    def __str__(self) -> str:
        return f"{self.metric_id} · {self.cycle_id} · {self.computed_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A snapshot is written once; later saves may touch only its bookkeeping.
        if self.pk is not None:
            fields = set(kwargs.get("update_fields") or ())
            if not fields or not fields <= RESULT_BOOKKEEPING:
                raise ValueError("An outcome result is immutable: write a new snapshot instead.")
        super().save(*args, **kwargs)

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None


class CostItem(models.Model):
    """One fully loaded cost of a programme (people's time, coordination, materials), for its ROI."""

    class Category(models.TextChoices):
        PARTICIPANT_TIME = "participant_time", _("Participants' time")
        COORDINATION = "coordination", _("Coordination")
        MATERIALS = "materials", _("Materials and tools")
        EVENTS = "events", _("Events and travel")
        EVALUATION = "evaluation", _("Evaluation")
        OTHER = "other", _("Other")

    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE, related_name="cost_items")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.OTHER)
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(_("amount"), max_digits=18, decimal_places=2, validators=[MinValueValidator(0)])
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["programme", "category", "pk"]
        verbose_name = _("cost item")
        verbose_name_plural = _("cost items")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gte=0), name="cost_not_negative")]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"

    def clean(self) -> None:
        super().clean()
        self.description = (self.description or "").strip()
        if self.description.startswith(FORMULA_PREFIXES):
            raise ValidationError({"description": _("A description cannot start with = + - or @.")})
