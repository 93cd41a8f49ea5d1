"""The session log: what a pair (or group) did when they met, and what each author keeps to themselves.

A MentoringSession is shared by the members of its relationship; the coordinators of the programme read
it. Private notes are a separate table on purpose: nothing that loads, serialises or exports sessions can
carry them by accident, and there is no reverse accessor from a session to its notes. The only way in is
`PrivateNote.objects.by(author)`, which the author's own pages use.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.models import User
from programmes.core.models.programme import Programme
from programmes.matching.models import Relationship

#: A held session can be edited (by either member) for this long after it was logged as held.
EDIT_WINDOW = timedelta(days=7)
#: Sessions are logged "now" from a phone: allow a clock a little ahead of the server's.
CLOCK_SLACK = timedelta(minutes=15)

# The ten mentor roles of the orientation: what the mentor did in the session.
MENTOR_ROLES: tuple[tuple[str, Any], ...] = (
    ("guiding", _("Guiding")),
    ("coaching", _("Coaching")),
    ("listening", _("Listening")),
    ("counselling", _("Counselling")),
    ("teaching", _("Teaching")),
    ("modelling", _("Modelling")),
    ("giving_feedback", _("Giving feedback")),
    ("demonstrating", _("Demonstrating")),
    ("informing", _("Informing")),
    ("facilitating", _("Facilitating")),
)
MENTOR_ROLE_CODES = frozenset(code for code, _label in MENTOR_ROLES)
MAX_GOALS = 20


def validate_mentor_roles(value: Any) -> None:
    """A list of distinct role codes from MENTOR_ROLES."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(_("Mentor roles are a list of role names."))
    unknown = sorted(set(value) - MENTOR_ROLE_CODES)
    if unknown:
        raise ValidationError(_("Unknown mentor roles: %(roles)s.") % {"roles": ", ".join(unknown)})
    if len(set(value)) != len(value):
        raise ValidationError(_("Each mentor role is listed once."))


def validate_goal_texts(value: Any) -> None:
    """A short list of short goal texts."""
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValidationError(_("Goals addressed are a list of goal texts."))
    if len(value) > MAX_GOALS or any(len(v) > 300 for v in value):
        raise ValidationError(_("List at most %(n)d goals of up to 300 characters each.") % {"n": MAX_GOALS})


def _new_uid() -> str:
    return f"session-{uuid.uuid4()}"


class MentoringSession(models.Model):
    """One meeting of a relationship, planned or past: when, how long, how, what was covered.

    `held_at` is when it happened (or, for a scheduled session, when it is planned to start). A held session
    is editable until `editable_until` (7 days after it was logged as held), then locked. The other member
    confirms it or corrects it. `uid` and `sequence` make its calendar invite stable across changes.
    """

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        VIDEO = "video", _("Video call")
        PHONE = "phone", _("Phone")
        CHAT = "chat", _("Chat")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show")

    class Confirmation(models.TextChoices):
        PENDING = "pending", _("Waiting for the other side")
        CONFIRMED = "confirmed", _("Confirmed")
        CORRECTED = "corrected", _("Corrected")

    relationship = models.ForeignKey(Relationship, on_delete=models.CASCADE, related_name="sessions")
    # Copied from the relationship so that a programme's dashboard aggregates one indexed table.
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    held_at = models.DateTimeField(_("when"))
    minutes = models.PositiveSmallIntegerField(
        _("minutes"), default=60, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices, default=Mode.VIDEO)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.HELD)
    topics = models.CharField(_("topics"), max_length=300, blank=True)
    mentor_roles = models.JSONField(
        _("mentor roles used"), default=list, blank=True, validators=[validate_mentor_roles]
    )
    # TODO(issue 5): link DevelopmentGoal rows once that model lands; until then the texts of the goals.
    goals_addressed = models.JSONField(_("goals addressed"), default=list, blank=True, validators=[validate_goal_texts])
    shared_notes = models.TextField(_("shared notes"), max_length=5000, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    editable_until = models.DateTimeField(null=True, blank=True)
    confirmation = models.CharField(
        _("confirmation"), max_length=20, choices=Confirmation.choices, default=Confirmation.PENDING
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    correction_note = models.TextField(_("correction"), max_length=2000, blank=True)
    uid = models.CharField(max_length=100, unique=True, default=_new_uid, editable=False)
    sequence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-held_at", "-pk"]
        verbose_name = _("mentoring session")
        verbose_name_plural = _("mentoring sessions")
        constraints = [
            models.CheckConstraint(condition=models.Q(minutes__gte=1, minutes__lte=600), name="session_minutes_1_600"),
            models.CheckConstraint(
                condition=models.Q(status__in=["scheduled", "held", "cancelled", "no_show"]),
                name="session_status_known",
            ),
        ]
        indexes = [
            models.Index(fields=["relationship", "status", "held_at"]),
            models.Index(fields=["programme", "status", "held_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_status_display()} · {self.held_at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        super().clean()
        if self.held_at is None:
            return
        now = timezone.now()
        if self.status == self.Status.HELD and self.held_at > now + CLOCK_SLACK:
            raise ValidationError({"held_at": _("A held session cannot be in the future; schedule it instead.")})
        if self.status == self.Status.SCHEDULED and self.held_at < now - CLOCK_SLACK and self._state.adding:
            raise ValidationError({"held_at": _("A scheduled session is in the future; log a past one as held.")})

    @property
    def ends_at(self) -> datetime:
        return self.held_at + timedelta(minutes=self.minutes)

    def is_locked(self, now: datetime | None = None) -> bool:
        """Held and past its edit window (scheduled, cancelled and no-show rows stay editable until held)."""
        if self.status != self.Status.HELD or self.editable_until is None:
            return False
        return (now or timezone.now()) > self.editable_until

    def is_upcoming(self, now: datetime | None = None) -> bool:
        return self.status == self.Status.SCHEDULED and self.held_at >= (now or timezone.now())

    def mentor_role_labels(self) -> list[str]:
        labels = dict(MENTOR_ROLES)
        return [str(labels[code]) for code in self.mentor_roles if code in labels]


class PrivateNoteQuerySet(models.QuerySet["PrivateNote"]):
    """The only read path of private notes: always by one author."""

    def by(self, author: User) -> PrivateNoteQuerySet:
        return self.filter(author_id=author.pk)


class PrivateNote(models.Model):
    """What one member notes for themselves about one session; readable by its author only, anywhere.

    No reverse accessor (related_name "+"): a session, its serialisers and its exports cannot reach it.
    """

    session = models.ForeignKey(MentoringSession, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField(_("private notes"), max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = PrivateNoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("private note")
        verbose_name_plural = _("private notes")
        constraints = [models.UniqueConstraint(fields=["session", "author"], name="private_note_one_per_author")]

    def __str__(self) -> str:
        # Never the text: a note's string form reaches logs, the admin and error pages.
        return f"private note #{self.pk} by {self.author_id}"
