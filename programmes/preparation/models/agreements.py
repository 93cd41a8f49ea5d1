"""The mentoring agreement: what a pair (or group) agrees before it starts, in signed, immutable versions.

An Agreement belongs to one relationship and is drafted from the programme's template when the
relationship is accepted. Its terms live in AgreementVersions: members edit the current version together
while nobody has signed it; a change after any signature makes a new version that everyone signs again,
and earlier versions stay readable. The relationship becomes active when every member has signed the
current version and the first meeting is recorded (programmes.preparation.services.signing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.matching.models import Relationship

if TYPE_CHECKING:
    from .development import DevelopmentGoal

CHANNELS: tuple[tuple[str, Any], ...] = (
    ("in_person", _("In person")),
    ("video", _("Video call")),
    ("phone", _("Phone")),
    ("chat", _("Chat")),
)
CHANNEL_CODES = frozenset(code for code, _label in CHANNELS)


def validate_channels(value: Any) -> None:
    """A non-empty list of distinct channel codes."""
    if not isinstance(value, list) or not value or any(v not in CHANNEL_CODES for v in value):
        raise ValidationError({"channels": _("Choose at least one way to meet.")})
    if len(set(value)) != len(value):
        raise ValidationError({"channels": _("Each way to meet is listed once.")})


class Agreement(models.Model):
    """A relationship's agreement: its versions, and when the first meeting took place."""

    relationship = models.OneToOneField(Relationship, on_delete=models.CASCADE, related_name="agreement")
    created_at = models.DateTimeField(default=timezone.now)
    # Set by a member on the agreement page, or by the session log from the first held session.
    first_meeting_at = models.DateTimeField(_("first meeting"), null=True, blank=True)
    first_meeting_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("mentoring agreement")
        verbose_name_plural = _("mentoring agreements")

    def __str__(self) -> str:
        return f"Agreement of relationship {self.relationship_id}"


class AgreementVersion(models.Model):
    """One version of the terms. Editable in place until someone signs it; after that, changes make a new one."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    meeting_cadence_days = models.PositiveSmallIntegerField(
        _("meet every (days)"), validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    meeting_minutes = models.PositiveSmallIntegerField(
        _("meeting length (minutes)"), validators=[MinValueValidator(15), MaxValueValidator(480)]
    )
    channels = models.JSONField(_("ways to meet"), default=list)
    confidentiality = models.TextField(_("confidentiality"), max_length=4000)
    mentee_expects = models.TextField(_("what the mentee expects of the mentor"), max_length=4000, blank=True)
    mentor_expects = models.TextField(_("what the mentor expects of the mentee"), max_length=4000, blank=True)
    goals = models.TextField(
        _("our goals"),
        max_length=4000,
        blank=True,
        help_text=_("What we want to achieve together, beyond the development goals linked below."),
    )
    linked_goals: models.ManyToManyField[DevelopmentGoal, Any] = models.ManyToManyField(
        "DevelopmentGoal", verbose_name=_("development goals"), blank=True, related_name="agreement_versions"
    )
    # The linked goals' wording when the version was last saved, so a signed version keeps what was signed.
    goal_snapshot = models.JSONField(default=list, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    terms = models.TextField(_("other terms"), max_length=8000, blank=True)
    no_fault_clause = models.TextField(_("no-fault clause"), max_length=4000)
    change_note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Raised by every in-place edit: an edit based on an older revision is refused, not silently merged.
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["agreement", "-number"]
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="agreement_version_number_unique"),
            models.CheckConstraint(condition=models.Q(ends_on__gt=models.F("starts_on")), name="agreement_term_order"),
        ]

    def __str__(self) -> str:
        return f"Agreement {self.agreement_id} v{self.number}"

    def clean(self) -> None:
        super().clean()
        validate_channels(self.channels)
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            raise ValidationError({"ends_on": _("The end date comes after the start date.")})

    def channel_labels(self) -> list[str]:
        labels = dict(CHANNELS)
        return [str(labels[code]) for code in self.channels if code in labels]

    def missing_for_signature(self) -> list[str]:
        """What must be written down before anyone signs (expectations are the point of the agreement)."""
        missing = []
        for name in ("mentee_expects", "mentor_expects", "confidentiality", "no_fault_clause"):
            if not str(getattr(self, name)).strip():
                field = self._meta.get_field(name)
                assert isinstance(field, models.Field)
                missing.append(str(field.verbose_name))
        return missing


class AgreementSignature(models.Model):
    """A member signed one version: the full name they typed, when, and from which address."""

    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="signatures")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    typed_name = models.CharField(_("typed full name"), max_length=200)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["signed_at", "pk"]
        verbose_name = _("agreement signature")
        verbose_name_plural = _("agreement signatures")
        constraints = [models.UniqueConstraint(fields=["version", "person"], name="agreement_signature_once")]

    def __str__(self) -> str:
        return f"{self.typed_name} signed v{self.version_id}"
