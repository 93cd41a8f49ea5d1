"""The programme and who takes part in it, in which role."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Programme(models.Model):
    """A facilitated mentoring programme, tied to business goals and owned by a coordination team."""

    class Format(models.TextChoices):
        ONE_TO_ONE = "one_to_one", _("Facilitated one-to-one")
        REVERSE = "reverse", _("Reverse mentoring")
        GROUP = "group", _("Group mentoring")
        PEER_CIRCLE = "peer_circle", _("Peer mentoring circle")

    class Phase(models.TextChoices):
        NEEDS_ASSESSMENT = "needs_assessment", _("Needs assessment")
        PLANNING = "planning", _("Planning")
        DESIGN = "design", _("Design")
        IMPLEMENTATION = "implementation", _("Implementation")
        EVALUATION = "evaluation", _("Evaluation")
        CLOSED = "closed", _("Closed")
        ON_HOLD = "on_hold", _("On hold")
        CANCELLED = "cancelled", _("Cancelled")

    name = models.CharField(_("name"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices, default=Format.ONE_TO_ONE)
    phase = models.CharField(
        _("phase"), max_length=20, choices=Phase.choices, default=Phase.NEEDS_ASSESSMENT, db_index=True
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programmes:detail", args=[self.pk])


class ProgrammeRole(models.Model):
    """A staff role in one programme: a member of its coordination team, or an HR analyst who reads it."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        HR_ANALYST = "hr_analyst", _("HR analyst")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="staff_roles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="programme_roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("programme role")
        verbose_name_plural = _("programme roles")
        constraints = [models.UniqueConstraint(fields=["programme", "user", "role"], name="programme_role_unique")]
        indexes = [models.Index(fields=["user", "role"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.programme}"


class Enrolment(models.Model):
    """A person taking part in a programme as mentor, mentee, facilitator or peer.

    The application, screening and matching flow (issue: enrolment and matching) builds on this row.
    """

    class Role(models.TextChoices):
        MENTOR = "mentor", _("Mentor")
        MENTEE = "mentee", _("Mentee")
        FACILITATOR = "facilitator", _("Facilitator")
        PEER = "peer", _("Peer")

    class State(models.TextChoices):
        APPLIED = "applied", _("Applied")
        SCREENING = "screening", _("Screening")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        ORIENTED = "oriented", _("Oriented")
        AVAILABLE = "available", _("Available")
        MATCHED = "matched", _("Matched")
        COMPLETED = "completed", _("Completed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="enrolments")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.APPLIED)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [models.UniqueConstraint(fields=["programme", "person", "role"], name="enrolment_unique_role")]
        indexes = [models.Index(fields=["person", "state"]), models.Index(fields=["programme", "role", "state"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()} · {self.programme}"
