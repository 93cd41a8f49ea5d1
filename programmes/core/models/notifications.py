"""The notification outbox: rows written with the change that causes them, sent later by the sweeper."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message to one person. E-mail rows are also listed in-app; in-app rows are never e-mailed.

    The dedupe key is unique, so whatever writes a notification twice (a retry, a second worker, a
    periodic task that runs again) writes one row, and the sweeper's conditional claim sends it once.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        IN_APP = "in_app", _("In-app")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=60)
    dedupe_key = models.CharField(_("dedupe key"), max_length=255, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    context = models.JSONField(_("context"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    due_at = models.DateTimeField(_("due at"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-due_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["due_at"], name="notification_unsent_due", condition=models.Q(sent_at__isnull=True)),
            models.Index(fields=["recipient", "-due_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient}"
