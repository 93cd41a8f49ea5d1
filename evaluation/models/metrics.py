"""Outcome metrics: what a programme measures to show it served its business goals."""

from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A cell that starts with one of these is a formula in a spreadsheet; names we export must not.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class OutcomeMetric(models.Model):
    """A measure of a business goal (days in the sales cycle, retention), observed per person and period.

    `programme` repeats `goal.programme` so that a programme's metrics and observations are one indexed
    query; save() keeps it in step with the goal and clean() refuses a goal of another programme.

    `target_change` is the change the programme aims for, signed as the raw change goes: a sales cycle
    shortened by 10 days is -10 (with `target_basis` "absolute", in the metric's unit), revenue up 15 % is
    15 (with `target_basis` "percent", relative to the baseline mean). Its sign must agree with
    `direction`: a target never aims to get worse.
    """

    class Level(models.IntegerChoices):
        REACTION = 1, _("1 · Reaction")
        LEARNING = 2, _("2 · Learning")
        BEHAVIOUR = 3, _("3 · Behaviour")
        RESULTS = 4, _("4 · Results")
        ROI = 5, _("5 · Return on investment")

    class Direction(models.TextChoices):
        # The values are the ones evaluation.stats takes (signed_change, as_improvement).
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")

    class Kind(models.TextChoices):
        CONTINUOUS = "continuous", _("Continuous")
        RATE = "rate", _("Rate")
        COUNT = "count", _("Count")
        SCALE = "scale", _("Survey scale")

    class TargetBasis(models.TextChoices):
        ABSOLUTE = "absolute", _("in the metric's unit")
        PERCENT = "percent", _("percent of the baseline mean")

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="outcome_metrics", editable=False
    )
    goal = models.ForeignKey(
        "programmes.BusinessGoal",
        verbose_name=_("business goal"),
        on_delete=models.PROTECT,
        related_name="metrics",
        help_text=_("The business goal this metric shows progress on."),
    )
    name = models.CharField(_("name"), max_length=120)
    unit = models.CharField(_("unit"), max_length=40, help_text=_("For example days, IDR, %, points."))
    level = models.PositiveSmallIntegerField(_("Kirkpatrick level"), choices=Level.choices, default=Level.RESULTS)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    kind = models.CharField(
        _("kind"),
        max_length=12,
        choices=Kind.choices,
        default=Kind.CONTINUOUS,
        help_text=_(
            "Continuous: days, money, scores. Rate: each person 0 or 1 (or a share between 0 and 1). "
            "Count: whole numbers, 0 or more. Survey scale: points on a rating scale."
        ),
    )
    data_source = models.CharField(
        _("data source"), max_length=200, blank=True, help_text=_("Where the values come from, e.g. the CRM.")
    )
    value_per_unit = models.DecimalField(
        _("value per unit"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("What one unit of improvement is worth in money, for the ROI later."),
    )
    target_change = models.DecimalField(
        _("target change"),
        max_digits=18,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Signed as the value moves: -10 for ten days shorter, 15 for fifteen more."),
    )
    target_basis = models.CharField(
        _("target is"), max_length=10, choices=TargetBasis.choices, default=TargetBasis.ABSOLUTE
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["programme", "level", "name"]
        verbose_name = _("outcome metric")
        verbose_name_plural = _("outcome metrics")
        constraints = [
            models.UniqueConstraint("programme", Lower("name"), name="metric_name_unique_in_programme"),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="metric_level_1_5"),
            models.CheckConstraint(condition=models.Q(direction__in=["higher", "lower"]), name="metric_direction"),
            models.CheckConstraint(
                condition=models.Q(value_per_unit__isnull=True) | models.Q(value_per_unit__gte=0),
                name="metric_value_per_unit_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The programme always follows the goal, whoever saves the row.
        if self.goal_id is not None:
            self.programme_id = self.goal.programme_id
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("evaluation:metric_edit", args=[self.programme_id, self.pk])

    def clean(self) -> None:
        super().clean()
        errors: dict[str, object] = {}
        self.name = (self.name or "").strip()
        if self.name.startswith(FORMULA_PREFIXES):
            errors["name"] = _("A name cannot start with = + - or @ (spreadsheets would read it as a formula).")
        if self.programme_id is not None and self.goal_id is not None and self.goal.programme_id != self.programme_id:
            errors["goal"] = _("Choose a business goal of this programme.")
        if self.target_change is not None:
            if self.target_change == 0:
                errors["target_change"] = _("A target change of zero aims for nothing; leave it empty instead.")
            elif (self.target_change > 0) != (self.direction == self.Direction.HIGHER):
                errors["target_change"] = (
                    _("Higher is better, so the target change must be positive.")
                    if self.direction == self.Direction.HIGHER
                    else _("Lower is better, so the target change must be negative (e.g. -10).")
                )
        if errors:
            raise ValidationError(errors)

    def check_value(self, value: float) -> str:
        """Why `value` cannot be an observation of this metric, or "" when it can."""
        if not math.isfinite(value):
            return str(_("The value must be a finite number."))
        if self.kind == self.Kind.RATE and not 0 <= value <= 1:
            return str(_("A rate is between 0 and 1 (1 = yes, 0 = no, or a share such as 0.85)."))
        if self.kind == self.Kind.COUNT and (value < 0 or value != int(value)):
            return str(_("A count is a whole number, 0 or more."))
        return ""
