"""Concerns a member raises about their relationship, confidential to the coordinators."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.core.models.programme import Programme
from programmes.matching.models import Relationship


class Concern(models.Model):
    """ "This isn't working", or another concern, raised by a member; confidential to the coordinators.

    `open → mediating → resolved | escalated` (resolved or escalated straight from open too). A concern that
    is not confidential may also be read by the other members of the relationship.
    """

    class Category(models.TextChoices):
        NOT_WORKING = "not_working", _("This isn't working")
        TIME = "time", _("Time and availability")
        FIT = "fit", _("Fit or expectations")
        CONDUCT = "conduct", _("Conduct")
        CONFIDENTIALITY = "confidentiality", _("Confidentiality")
        OTHER = "other", _("Something else")

    class Severity(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        MEDIATING = "mediating", _("Mediating")
        RESOLVED = "resolved", _("Resolved")
        ESCALATED = "escalated", _("Escalated")

    relationship = models.ForeignKey(Relationship, on_delete=models.CASCADE, related_name="concerns")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    description = models.TextField(_("what is happening"), max_length=5000, blank=True)
    confidential = models.BooleanField(
        _("confidential"), default=True, help_text=_("Only the coordinators read it (and you).")
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.OPEN)
    mediation_notes = models.TextField(_("mediation notes"), max_length=10000, blank=True)
    outcome = models.TextField(_("outcome"), max_length=5000, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    state_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        indexes = [models.Index(fields=["programme", "state"]), models.Index(fields=["relationship", "state"])]

    def __str__(self) -> str:
        return f"concern #{self.pk} ({self.category}, {self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.OPEN, self.State.MEDIATING)
