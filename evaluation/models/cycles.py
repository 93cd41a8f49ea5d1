"""Evaluation cycles: the programme's evaluation plan, one dated window per measurement occasion."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EvaluationCycle(models.Model):
    """One measurement occasion of a programme: its kind, its window and where it is in its life.

    `planned → open → closed → analysed → reported`. The periodic task opens a planned cycle on
    `opens_on` (sending its instruments) and closes an open one after `closes_on`; the outcome task marks
    a closed cycle analysed once every metric has a current result; a coordinator marks it reported. Each
    move is a service in evaluation.services.cycles that writes an AuditEvent. The programme's cycles
    together are its evaluation plan.
    """

    class Kind(models.TextChoices):
        BASELINE = "baseline", _("Baseline")
        MIDPOINT = "midpoint", _("Midpoint")
        END = "end", _("End of programme")
        FOLLOW_UP_3 = "follow_up_3", _("Follow-up after 3 months")
        FOLLOW_UP_6 = "follow_up_6", _("Follow-up after 6 months")
        FOLLOW_UP_12 = "follow_up_12", _("Follow-up after 12 months")
        PULSE = "pulse", _("Pulse")

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        ANALYSED = "analysed", _("Analysed")
        REPORTED = "reported", _("Reported")

    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE, related_name="evaluation_cycles")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PLANNED)
    instruments = models.ManyToManyField(
        "evaluation.Instrument",
        verbose_name=_("instruments"),
        blank=True,
        related_name="cycles",
        help_text=_("The questionnaires this cycle sends when it opens."),
    )
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    analysed_at = models.DateTimeField(null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["programme", "opens_on", "pk"]
        verbose_name = _("evaluation cycle")
        verbose_name_plural = _("evaluation cycles")
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_on__gte=models.F("opens_on")), name="cycle_closes_after"),
            # Pulses may repeat; every other kind happens once per programme.
            models.UniqueConstraint(
                fields=["programme", "kind"], condition=~models.Q(kind="pulse"), name="cycle_kind_once"
            ),
        ]
        # The periodic task looks for planned cycles due to open and open cycles due to close.
        indexes = [models.Index(fields=["state", "opens_on"]), models.Index(fields=["state", "closes_on"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.opens_on:%d %b %Y})"

    def clean(self) -> None:
        super().clean()
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": _("A cycle cannot close before it opens.")})

    @property
    def accepts_responses(self) -> bool:
        """Invitees may answer while the cycle is open."""
        return self.state == self.State.OPEN

    @property
    def accepts_observations(self) -> bool:
        """Metric values may be recorded from opening until the cycle is reported (then it is final)."""
        return self.state in (self.State.OPEN, self.State.CLOSED, self.State.ANALYSED)

    @property
    def is_follow_up(self) -> bool:
        """Cycles measured against the baseline: every kind except the baseline itself."""
        return self.kind != self.Kind.BASELINE

    def is_due_to_open(self, today: date) -> bool:
        return self.state == self.State.PLANNED and self.opens_on <= today

    def is_missed(self, today: date) -> bool:
        """Still planned although its whole window has passed: the plan needs new dates for it."""
        return self.state == self.State.PLANNED and self.closes_on < today

    def is_due_to_close(self, today: date) -> bool:
        return self.state == self.State.OPEN and self.closes_on < today
