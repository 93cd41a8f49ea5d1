"""Observations: one metric's value for one person in one period (the baseline, later each cycle)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .metrics import OutcomeMetric


class Observation(models.Model):
    """A value of an outcome metric for one person, in the baseline or (issue 7) in an evaluation cycle.

    `group` is fixed when the value is recorded: "participant" for a person enrolled in the programme,
    "comparison" for a member of its frozen comparison group. A person has at most one baseline per
    metric (re-entering or re-importing updates it); `period_end` says which period the value covers.
    In an evaluation cycle the value belongs to that cycle (`period_kind` "cycle", `cycle` set), again at
    most one per metric, person and cycle; a baseline has no cycle.
    """

    class Group(models.TextChoices):
        PARTICIPANT = "participant", _("Participants")
        COMPARISON = "comparison", _("Comparison group")

    class PeriodKind(models.TextChoices):
        BASELINE = "baseline", _("Baseline")
        CYCLE = "cycle", _("Evaluation cycle")

    class Source(models.TextChoices):
        IMPORT = "import", _("Imported file")
        SURVEY = "survey", _("Survey")
        MANUAL = "manual", _("Entered by hand")

    metric = models.ForeignKey(OutcomeMetric, on_delete=models.CASCADE, related_name="observations")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="observations")
    group = models.CharField(_("group"), max_length=12, choices=Group.choices)
    period_kind = models.CharField(_("period"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.BASELINE)
    period_end = models.DateField(_("period end"))
    value = models.FloatField(_("value"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    cycle = models.ForeignKey(
        "evaluation.EvaluationCycle",
        verbose_name=_("evaluation cycle"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="observations",
    )

    class Meta:
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "person"],
                condition=models.Q(period_kind="baseline"),
                name="observation_one_baseline_per_person",
            ),
            models.UniqueConstraint(
                fields=["metric", "person", "cycle"],
                condition=models.Q(cycle__isnull=False),
                name="observation_one_per_person_and_cycle",
            ),
            models.CheckConstraint(
                condition=models.Q(group__in=["participant", "comparison"]), name="observation_group"
            ),
            # A cycle's value names its cycle; a baseline has none.
            models.CheckConstraint(
                condition=models.Q(period_kind="baseline", cycle__isnull=True)
                | models.Q(period_kind="cycle", cycle__isnull=False),
                name="observation_cycle_matches_period",
            ),
        ]
        # The summaries read (metric, period, group) and aggregate value.
        indexes = [models.Index(fields=["metric", "period_kind", "group"]), models.Index(fields=["cycle", "metric"])]

    def __str__(self) -> str:
        return f"{self.metric} · {self.person} · {self.get_period_kind_display()} · {self.value:g}"

    def clean(self) -> None:
        super().clean()
        if self.value is not None and self.metric_id is not None:
            problem = self.metric.check_value(float(self.value))
            if problem:
                raise ValidationError({"value": problem})
