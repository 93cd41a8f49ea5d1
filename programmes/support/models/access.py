"""Reads of a pair's content by people outside the pair: each is recorded, with the reader's reason."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.matching.models import Relationship


class ContentRead(models.Model):
    """A coordinator (or site admin) who is not a member read a pair's shared notes, check-in answers or a concern.

    One row per page that showed the content; the members see these rows ("who read what about us").
    """

    class Kind(models.TextChoices):
        SESSION_NOTES = "session_notes", _("Session log and shared notes")
        CHECKIN_ANSWERS = "checkin_answers", _("Check-in answers")
        CONCERN = "concern", _("Concern details")

    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="content_reads"
    )
    relationship = models.ForeignKey(Relationship, on_delete=models.CASCADE, related_name="content_reads")
    kind = models.CharField(_("what was read"), max_length=20, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    reason = models.TextField(_("reason"), max_length=500)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("content read")
        verbose_name_plural = _("content reads")
        indexes = [models.Index(fields=["relationship", "-at"]), models.Index(fields=["reader", "-at"])]

    def __str__(self) -> str:
        return f"{self.reader_id} read {self.kind} of relationship {self.relationship_id}"
