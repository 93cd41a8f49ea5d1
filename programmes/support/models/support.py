"""Ongoing support of running relationships: check-ins, coordinator contacts, resources (concerns and closure
are in models/concerns.py and models/closure.py).

Also the rollup the coordinator's dashboard reads (RelationshipHealth: started, last activity, at risk and
why, next contact due), the coordinator's to-do list (CoordinatorTask), the programme's support schedule
and each person's muted reminder kinds. Who sees what: a member's check-in answers are theirs and the
coordinators'; concerns are the raiser's and the coordinators'; coordinator contacts, tasks and health
are the coordinators' only.
"""

from __future__ import annotations

import math
import os
import uuid
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.core.models.programme import Programme
from programmes.matching.models import Relationship

SCALE = [MinValueValidator(1), MaxValueValidator(5)]
FIRST_MONTH_DAYS = 30


class SupportSettings(models.Model):
    """A programme's support schedule: when check-ins fall due (one row per programme, defaults 30 and 60 days).

    Meeting cadence, contact policy and term are programme policies (Programme); these are the pulse's own.
    """

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="support_settings")
    checkin_first_days = models.PositiveSmallIntegerField(
        _("first check-in (days after the start)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    checkin_interval_days = models.PositiveSmallIntegerField(
        _("then every (days)"), default=60, validators=[MinValueValidator(7), MaxValueValidator(365)]
    )

    class Meta:
        verbose_name = _("support settings")
        verbose_name_plural = _("support settings")

    def __str__(self) -> str:
        return f"{self.programme}: {self.checkin_first_days}+{self.checkin_interval_days}n"

    def checkin_round(self, started: date, today: date) -> int:
        """The check-in round due on `today` for a relationship started on `started` (0: none due yet)."""
        elapsed = (today - started).days - self.checkin_first_days
        return 0 if elapsed < 0 else 1 + elapsed // self.checkin_interval_days

    def checkin_due_on(self, started: date, round_no: int) -> date:
        return started + timedelta(days=self.checkin_first_days + (round_no - 1) * self.checkin_interval_days)


def next_contact_due(*, started: date, contacts: list[date], first_month: int | None, interval: int | None) -> date:
    """When the coordinator's next contact with a pair is due under the programme's contact policy.

    `first_month` contacts spread evenly over the first 30 days (default 2: days 15 and 30), then one every
    `interval` days (default 30) after the latest contact. A first-month slot that was missed stays due
    (and overdue) until a contact is made.
    """
    per_month = 2 if first_month is None else first_month
    every = interval or 30
    month_end = started + timedelta(days=FIRST_MONTH_DAYS)
    latest = max(contacts) if contacts else None
    in_first_month = sum(1 for day in contacts if day <= month_end)
    if in_first_month < per_month and (latest is None or latest <= month_end):
        return started + timedelta(days=math.ceil(FIRST_MONTH_DAYS * (in_first_month + 1) / per_month))
    return (latest or started) + timedelta(days=every)


class RelationshipHealth(models.Model):
    """One running relationship as the coordinator sees it: started, last activity, at risk and why, contacts.

    A rollup kept by the services (a session logged, a contact logged) and the periodic support sweep, so
    that the dashboard reads one indexed row per relationship instead of scanning sessions.
    """

    class Risk(models.TextChoices):
        NONE = "", _("None")
        INACTIVE = "inactive", _("No activity")
        CHECKIN = "checkin", _("Check-in")
        CONTACT = "contact", _("Coordinator contact")
        CONCERN = "concern", _("Concern")

    class Health(models.TextChoices):
        UNKNOWN = "", _("Not assessed")
        GREEN = "green", _("Green")
        AMBER = "amber", _("Amber")
        RED = "red", _("Red")

    relationship = models.OneToOneField(Relationship, on_delete=models.CASCADE, related_name="health")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField(_("started"))
    last_session_at = models.DateTimeField(_("last session held"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"))
    at_risk = models.BooleanField(_("at risk"), default=False)
    at_risk_kind = models.CharField(_("risk"), max_length=20, choices=Risk.choices, blank=True)
    at_risk_reason = models.TextField(_("why at risk"), blank=True)
    at_risk_since = models.DateTimeField(null=True, blank=True)
    last_contact_on = models.DateField(_("last coordinator contact"), null=True, blank=True)
    next_contact_due = models.DateField(_("next contact due"), null=True, blank=True)
    health = models.CharField(_("health"), max_length=10, choices=Health.choices, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("relationship health")
        verbose_name_plural = _("relationship health")
        indexes = [
            models.Index(fields=["programme", "at_risk"]),
            models.Index(fields=["programme", "next_contact_due"]),
        ]

    def __str__(self) -> str:
        return f"{self.relationship_id}: {'at risk' if self.at_risk else 'ok'}"

    def term_ends_on(self, term_months: int | None) -> date | None:
        """The start plus the programme's term (months of 30.4 days, as people count them)."""
        if not term_months:
            return None
        return timezone.localdate(self.started_at) + timedelta(days=round(term_months * 30.4))


class CheckIn(models.Model):
    """One member's pulse in one round: satisfaction, progress, is it working, a concern, "contact me".

    Rows are created when a round falls due and answered by their respondent; the other members never see
    them, the coordinators see all.
    """

    class Working(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")

    relationship = models.ForeignKey(Relationship, on_delete=models.CASCADE, related_name="checkins")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkins")
    round = models.PositiveSmallIntegerField(_("round"))
    due_on = models.DateField(_("due on"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True, validators=SCALE)
    progress = models.PositiveSmallIntegerField(_("progress"), null=True, blank=True, validators=SCALE)
    working = models.CharField(_("is this relationship working?"), max_length=10, choices=Working.choices, blank=True)
    concern = models.TextField(_("concern"), max_length=2000, blank=True)
    contact_me = models.BooleanField(_("please contact me"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-due_on", "pk"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [
            models.UniqueConstraint(fields=["relationship", "respondent", "round"], name="checkin_one_per_round"),
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True) | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="checkin_satisfaction_1_5",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__isnull=True) | models.Q(progress__gte=1, progress__lte=5),
                name="checkin_progress_1_5",
            ),
        ]
        indexes = [
            models.Index(fields=["programme", "answered_at"]),
            models.Index(fields=["respondent", "answered_at"]),
        ]

    def __str__(self) -> str:
        return f"check-in {self.round} of {self.relationship_id} by {self.respondent_id}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class CoordinatorContact(models.Model):
    """The coordinator was in touch with a pair: when, how, how long, about what, and how healthy it looks."""

    class Channel(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        VIDEO = "video", _("Video call")
        PHONE = "phone", _("Phone")
        CHAT = "chat", _("Chat")
        EMAIL = "email", _("E-mail")

    class Nature(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled check")
        REQUESTED = "requested", _("Asked to be contacted")
        FOLLOW_UP = "follow_up", _("Follow-up")
        CONCERN = "concern", _("About a concern")
        CLOSURE = "closure", _("About closure")
        OTHER = "other", _("Other")

    relationship = models.ForeignKey(Relationship, on_delete=models.CASCADE, related_name="coordinator_contacts")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    contacted_on = models.DateField(_("date"), default=timezone.localdate)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.VIDEO)
    minutes = models.PositiveSmallIntegerField(
        _("minutes"), default=15, validators=[MinValueValidator(0), MaxValueValidator(600)]
    )
    nature = models.CharField(_("nature"), max_length=20, choices=Nature.choices, default=Nature.SCHEDULED)
    health = models.CharField(_("health"), max_length=10, choices=RelationshipHealth.Health.choices[1:])
    notes = models.TextField(_("notes"), max_length=5000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-contacted_on", "-pk"]
        verbose_name = _("coordinator contact")
        verbose_name_plural = _("coordinator contacts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(health__in=["green", "amber", "red"]), name="contact_health_known"
            )
        ]
        indexes = [
            models.Index(fields=["relationship", "contacted_on"]),
            models.Index(fields=["programme", "contacted_on"]),
        ]

    def __str__(self) -> str:
        return f"contact {self.contacted_on} with {self.relationship_id} ({self.health})"


# Uploads a resource may be: extension → (content type, leading bytes or None when text).
RESOURCE_TYPES: dict[str, tuple[str, bytes | None]] = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04"),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", b"PK\x03\x04"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
    ".txt": ("text/plain; charset=utf-8", None),
    ".md": ("text/markdown; charset=utf-8", None),
}
RESOURCE_MAX_BYTES = 10 * 1024 * 1024


def resource_upload_to(instance: Resource, filename: str) -> str:
    """Stored under a random name (the original is kept in `filename`), so names never collide or leak."""
    extension = os.path.splitext(filename)[1].lower()
    return f"resources/{instance.programme_id}/{uuid.uuid4().hex}{extension}"


class Resource(models.Model):
    """A link or a file in the programme's library, for an audience, with tags that modules and reminders use."""

    class Kind(models.TextChoices):
        LINK = "link", _("Link")
        FILE = "file", _("File")

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("Everyone in the programme")
        MENTORS = "mentors", _("Mentors and facilitators")
        MENTEES = "mentees", _("Mentees and peers")
        COORDINATORS = "coordinators", _("Coordinators")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.LINK)
    url = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(_("file"), upload_to=resource_upload_to, blank=True, max_length=300)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveIntegerField(default=0)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="link") & ~models.Q(url="")) | (models.Q(kind="file") & ~models.Q(file="")),
                name="resource_link_or_file",
            )
        ]
        indexes = [models.Index(fields=["programme", "audience"])]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.kind == self.Kind.LINK and not self.url:
            raise ValidationError({"url": _("A link needs its address.")})
        if self.kind == self.Kind.FILE and not self.file:
            raise ValidationError({"file": _("Choose a file to upload.")})
        if self.url and not self.url.lower().startswith(("https://", "http://")):
            raise ValidationError({"url": _("Links start with https:// or http://.")})
        if not isinstance(self.tags, list) or not all(isinstance(t, str) and 0 < len(t) <= 40 for t in self.tags):
            raise ValidationError({"tags": _("Tags are short words, separated by commas.")})

    @property
    def safe_url(self) -> str:
        """The link to show, only when it is http(s) (never javascript:, data: or the like); else empty."""
        url = (self.url or "").strip()
        return url if url.lower().startswith(("https://", "http://")) else ""

    def visible_to_roles(self, roles: frozenset[str]) -> bool:
        """Whether a participant with these enrolment roles is in the audience (coordinators see everything)."""
        if self.audience == self.Audience.EVERYONE:
            return True
        if self.audience == self.Audience.MENTORS:
            return bool(roles & {"mentor", "facilitator"})
        if self.audience == self.Audience.MENTEES:
            return bool(roles & {"mentee", "peer"})
        return False


class CoordinatorTask(models.Model):
    """Something a coordinator should do, created by the system (long inactivity, "please contact me")."""

    class Kind(models.TextChoices):
        INACTIVE = "inactive", _("Pair inactive")
        CONTACT_REQUESTED = "contact_requested", _("Asked to be contacted")
        CLOSURE = "closure", _("Closure to complete")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="coordinator_tasks")
    relationship = models.ForeignKey(
        Relationship, null=True, blank=True, on_delete=models.CASCADE, related_name="coordinator_tasks"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("task"), max_length=300)
    detail = models.TextField(_("detail"), blank=True)
    due_on = models.DateField(_("due on"), default=timezone.localdate)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    # Whatever creates a task twice (a retry, a second worker) creates one row.
    dedupe_key = models.CharField(max_length=255, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("coordinator task")
        verbose_name_plural = _("coordinator tasks")
        indexes = [models.Index(fields=["programme", "state", "due_on"])]

    def __str__(self) -> str:
        return self.title


# Reminder kinds a person may switch off; everything else (invites, proposals, closures, concerns) is essential.
MUTABLE_KINDS: tuple[tuple[str, Any], ...] = (
    ("session_log_reminder", _("Reminders to log your sessions")),
    ("session_tomorrow", _("A session tomorrow")),
    ("checkin_due", _("Check-ins due")),
    ("orientation_incomplete", _("Orientation not finished")),
    ("term_ending", _("Your relationship's term ends soon")),
)


class NotificationMute(models.Model):
    """A person switched off one non-essential reminder kind."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_mutes")
    # Not a choices field: the list of mutable kinds grows without a migration (the service validates it).
    kind = models.CharField(_("kind"), max_length=60)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("muted reminder")
        verbose_name_plural = _("muted reminders")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_mute_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} mutes {self.kind}"
