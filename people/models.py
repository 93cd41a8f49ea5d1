"""The people directory: users (who are also the organisation's people), org units and competencies."""

from __future__ import annotations

import functools
import zoneinfo
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LEVEL_MIN, LEVEL_MAX = 1, 5
LEVEL_VALIDATORS = [MinValueValidator(LEVEL_MIN), MaxValueValidator(LEVEL_MAX)]


@functools.cache
def _time_zones() -> frozenset[str]:
    # available_timezones() walks the tzdata folders on every call (~0.1 s); the set never changes in a process.
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    """Accept only IANA time-zone names (Asia/Jakarta, Europe/London)."""
    if value not in _time_zones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class OrgUnit(models.Model):
    """A unit of the organisation (division, department, team), kept as a tree."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("org unit")
        verbose_name_plural = _("org units")

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    """Users log in with their e-mail address, compared without regard to case."""

    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person in the organisation; the ones who log in are the same rows as the directory's people."""

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        INDONESIAN = "id", "Bahasa Indonesia"

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Jakarta", validators=[validate_time_zone])
    employee_number = models.CharField(_("employee number"), max_length=40, blank=True)
    external_id = models.CharField(
        _("identity provider id"), max_length=200, blank=True, help_text=_("The SCIM externalId of this person.")
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("org unit"), null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    manager = models.ForeignKey(
        "self", verbose_name=_("manager"), null=True, blank=True, on_delete=models.SET_NULL, related_name="reports"
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True, help_text=_("Language codes, e.g. id, en."))
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    left_date = models.DateField(_("left date"), null=True, blank=True)
    is_hr_analyst = models.BooleanField(
        _("HR analyst"), default=False, help_text=_("Reads outcome reports across programmes and imports people.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="people_user_email_ci_unique"),
            models.CheckConstraint(condition=~models.Q(manager=models.F("id")), name="people_user_not_own_manager"),
        ]
        indexes = [models.Index(fields=["manager"]), models.Index(fields=["org_unit", "grade"])]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_site_admin(self) -> bool:
        """Site administrators manage the directory and every programme's set-up."""
        return bool(self.is_active and self.is_superuser)

    def has_accepted_privacy_notice(self) -> bool:
        """Whether the person accepted the current version of the privacy notice (PRIVACY_NOTICE_VERSION)."""
        return self.privacy_acceptances.filter(version=settings.PRIVACY_NOTICE_VERSION).exists()

    def has_left(self, on: Any = None) -> bool:
        """Whether the person had left the organisation on the given date (today by default)."""
        on = on or timezone.localdate()
        return self.left_date is not None and self.left_date <= on


class Competency(models.Model):
    """A skill in the organisation's catalogue, with a descriptor for each level 1–5."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    level_descriptors = models.JSONField(
        _("level descriptors"), default=list, blank=True, help_text=_("Five texts, for levels 1 to 5.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("competency")
        verbose_name_plural = _("competencies")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        descriptors = self.level_descriptors or []
        if descriptors and (len(descriptors) != LEVEL_MAX or not all(isinstance(d, str) for d in descriptors)):
            raise ValidationError({"level_descriptors": _("Give exactly five descriptors, one per level.")})

    def descriptor(self, level: int) -> str:
        """The descriptor of one level, or an empty string when the catalogue has none."""
        if self.level_descriptors and LEVEL_MIN <= level <= LEVEL_MAX:
            return str(self.level_descriptors[level - 1])
        return ""


class CompetencyRating(models.Model):
    """One rating of a person's level in a competency, by themselves, their manager or an assessment."""

    class Source(models.TextChoices):
        SELF = "self", _("self")
        MANAGER = "manager", _("manager")
        ASSESSMENT = "assessment", _("assessment")

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings")
    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="ratings")
    level = models.PositiveSmallIntegerField(_("level"), validators=LEVEL_VALIDATORS)
    source = models.CharField(_("rated by"), max_length=16, choices=Source.choices)
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rated_on = models.DateField(_("rated on"), default=timezone.localdate)

    class Meta:
        ordering = ["-rated_on"]
        verbose_name = _("competency rating")
        verbose_name_plural = _("competency ratings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=LEVEL_MIN, level__lte=LEVEL_MAX), name="rating_level_1_5"
            ),
            models.UniqueConstraint(
                fields=["person", "competency", "source", "rated_on"], name="rating_unique_per_day"
            ),
        ]
        indexes = [models.Index(fields=["person", "competency", "-rated_on"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.competency} · {self.level}"


class PrivacyNoticeAcceptance(models.Model):
    """A person read and accepted one version of the privacy notice (UU PDP art. 20–22, GDPR art. 13)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="privacy_acceptances")
    version = models.CharField(_("notice version"), max_length=20)
    accepted_at = models.DateTimeField(_("accepted at"), default=timezone.now)

    class Meta:
        ordering = ["-accepted_at"]
        verbose_name = _("privacy notice acceptance")
        verbose_name_plural = _("privacy notice acceptances")
        constraints = [models.UniqueConstraint(fields=["user", "version"], name="privacy_acceptance_once")]

    def __str__(self) -> str:
        return f"{self.user_id} accepted notice {self.version}"


class PendingPublish(models.Model):
    """A task a web request could not publish (the broker was down), waiting for the republish sweep.

    mentoring/background.py writes one when a publish fails; `people.tasks.republish_pending` (beat, every
    minute) publishes it again and deletes it, so work asked for while Redis was down starts within minutes
    of Redis coming back instead of waiting for the hourly catch-all jobs.
    """

    task = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"


class ScimClient(models.Model):
    """An identity provider (Entra ID, Okta) allowed to provision people over SCIM with its own bearer token.

    Only a SHA-256 digest of the token is kept; the token itself is shown once, when the client is made.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("SCIM client")
        verbose_name_plural = _("SCIM clients")

    def __str__(self) -> str:
        return self.name


class ScimGroup(models.Model):
    """A group the identity provider pushes (e.g. "Sales leaders"); kept for inviting people by group."""

    display_name = models.CharField(_("display name"), max_length=200, unique=True)
    external_id = models.CharField(_("external id"), max_length=200, blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="scim_groups", blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["display_name"]
        verbose_name = _("provisioned group")
        verbose_name_plural = _("provisioned groups")

    def __str__(self) -> str:
        return self.display_name


class HrisSync(models.Model):
    """One scheduled (or started by hand) run of the HRIS sync: what it read, what it changed or why it refused.

    `diff` lists e-mails by change: new, changed, moved (with from/to unit codes) and leavers. In review mode
    the file waits here (`content`) until an HR analyst applies it.
    """

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting for review")
        APPLIED = "applied", _("Applied")
        UNCHANGED = "unchanged", _("No change")
        FAILED = "failed", _("Refused")
        DISCARDED = "discarded", _("Discarded")

    source = models.CharField(_("source"), max_length=500)
    state = models.CharField(_("state"), max_length=12, choices=State.choices)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    content_digest = models.CharField(max_length=64, blank=True)
    content = models.BinaryField(null=True, blank=True, editable=False)
    full_file = models.BooleanField(_("full file"), default=False)
    diff = models.JSONField(default=dict, blank=True)
    problems = models.JSONField(default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("HRIS sync")
        verbose_name_plural = _("HRIS syncs")

    def __str__(self) -> str:
        return f"{self.source} · {self.get_state_display()}"


from .models_jobs import BackgroundJob as BackgroundJob  # noqa: E402  (its own module: this one is long enough)
