"""Invitations to apply to a programme: who was invited, and whether they opened the link or applied."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.core.models.programme import Enrolment, Programme


def _token() -> str:
    return secrets.token_urlsafe(24)


class Invitation(models.Model):
    """One person invited by a coordinator to apply to a programme in a role.

    Sent when made (the welcome e-mail goes through the outbox in the person's language); opened when the
    person follows the link; applied when they have an application in the programme (read from the
    enrolment, not stored twice). Reminded once, INVITATION_REMINDER_DAYS after sending, if they did neither.
    """

    class State(models.TextChoices):
        SENT = "sent", _("Sent")
        OPENED = "opened", _("Opened the link")
        APPLIED = "applied", _("Applied")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(_("role"), max_length=12, choices=Enrolment.Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("invited by")
    )
    token = models.CharField(max_length=40, unique=True, default=_token, editable=False)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [models.UniqueConstraint(fields=["programme", "person"], name="invitation_once_per_programme")]
        indexes = [models.Index(fields=["programme", "sent_at"])]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.programme_id}"

    def state_given(self, *, applied: bool) -> str:
        """The tracked state, given whether the person has an application in the programme."""
        if applied:
            return self.State.APPLIED
        return self.State.OPENED if self.opened_at else self.State.SENT
