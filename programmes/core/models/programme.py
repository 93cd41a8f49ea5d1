"""The programme and who takes part in it, in which role."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

POLICY_FIELDS: tuple[str, ...] = (
    "term_months",
    "meeting_cadence_days",
    "contacts_first_month",
    "contact_interval_days",
    "mentor_capacity",
    "group_size_min",
    "group_size_max",
    "reporting_line_exclusion_depth",
    "max_time_zone_gap_hours",
    "agreement_template",
    "no_fault_clause",
)


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
    # The phase an on-hold programme returns to when it resumes.
    phase_before_hold = models.CharField(_("phase before hold"), max_length=20, choices=Phase.choices, blank=True)

    # Policies (see POLICY_FIELDS). Null means "not decided yet": the implementation guard asks for them all.
    term_months = models.PositiveSmallIntegerField(
        _("term (months)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    meeting_cadence_days = models.PositiveSmallIntegerField(
        _("meeting cadence (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("How often a pair or group is expected to meet."),
    )
    contacts_first_month = models.PositiveSmallIntegerField(
        _("coordinator contacts in the first month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    contact_interval_days = models.PositiveSmallIntegerField(
        _("coordinator contact interval after the first month (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(180)],
    )
    mentor_capacity = models.PositiveSmallIntegerField(
        _("default mentor capacity"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("How many mentees (or groups) one mentor takes on unless they say otherwise."),
    )
    group_size_min = models.PositiveSmallIntegerField(
        _("smallest group"), null=True, blank=True, validators=[MinValueValidator(2), MaxValueValidator(50)]
    )
    group_size_max = models.PositiveSmallIntegerField(
        _("largest group"), null=True, blank=True, validators=[MinValueValidator(2), MaxValueValidator(50)]
    )
    reporting_line_exclusion_depth = models.PositiveSmallIntegerField(
        _("reporting-line exclusion depth"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(10)],
        help_text=_("Never pair people within this many levels of each other's reporting line (0: no exclusion)."),
    )
    max_time_zone_gap_hours = models.PositiveSmallIntegerField(
        _("largest time-zone gap (hours)"), null=True, blank=True, validators=[MaxValueValidator(24)]
    )
    agreement_template = models.TextField(_("agreement template"), blank=True)
    no_fault_clause = models.TextField(_("no-fault clause"), blank=True)

    target_competencies = models.ManyToManyField(
        "people.Competency", verbose_name=_("target competencies"), blank=True, related_name="targeted_by_programmes"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(group_size_min__isnull=True)
                | models.Q(group_size_max__isnull=True)
                | models.Q(group_size_min__lte=models.F("group_size_max")),
                name="programme_group_size_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("programmes:detail", args=[self.pk])

    def clean(self) -> None:
        super().clean()
        low, high = self.group_size_min, self.group_size_max
        if low is not None and high is not None and low > high:
            raise ValidationError({"group_size_max": _("The largest group cannot be smaller than the smallest.")})

    @property
    def effective_phase(self) -> str:
        """The phase that counts for rules: the phase it left while on hold, else the phase."""
        if self.phase == self.Phase.ON_HOLD and self.phase_before_hold:
            return self.phase_before_hold
        return self.phase

    @property
    def policies_locked(self) -> bool:
        """Policies are read-only from implementation on (people have signed up to them), and when cancelled."""
        return self.phase == self.Phase.CANCELLED or self.effective_phase in LOCKED_FROM

    def missing_policies(self) -> list[str]:
        """The verbose names of the policies not decided yet (empty when all are filled in)."""
        missing = []
        for name in POLICY_FIELDS:
            value = getattr(self, name)
            if value is None or (isinstance(value, str) and not value.strip()):
                field = self._meta.get_field(name)
                assert isinstance(field, models.Field)
                missing.append(str(field.verbose_name))
        return missing


# Phases in which the policies can no longer change.
LOCKED_FROM = frozenset({Programme.Phase.IMPLEMENTATION, Programme.Phase.EVALUATION, Programme.Phase.CLOSED})


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

    class ManagerApproval(models.TextChoices):
        NOT_REQUIRED = "not_required", _("Not required")
        PENDING = "pending", _("Waiting for the manager")
        APPROVED = "approved", _("Approved by the manager")
        REFUSED = "refused", _("Refused by the manager")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="enrolments")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.APPLIED)
    created_at = models.DateTimeField(default=timezone.now)

    # The application's profile (programmes.enrolment.models.enrolment holds its competencies and ranked mentors).
    goals = models.TextField(_("goals"), max_length=2000, blank=True)
    # Weekly availability as slot codes "mon_morning" … "sun_evening" in the person's own time zone
    # (programmes.enrolment.models.enrolment.AVAILABILITY_SLOTS).
    availability = models.JSONField(_("weekly availability"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True, help_text=_("Language codes, e.g. id, en."))
    location = models.CharField(_("location"), max_length=200, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    capacity = models.PositiveSmallIntegerField(
        _("capacity"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("Mentors: how many mentees (or groups) you can take on."),
    )
    # Opt-in attribute preferences (programmes.enrolment.models.enrolment.ATTRIBUTE_PREFERENCES).
    attribute_preferences = models.JSONField(_("preferences"), default=list, blank=True)
    manager_approval = models.CharField(
        _("manager approval"), max_length=20, choices=ManagerApproval.choices, default=ManagerApproval.NOT_REQUIRED
    )
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    manager_decided_at = models.DateTimeField(null=True, blank=True)
    # Why the last decline or withdrawal happened, shown to the person; the audit trail keeps every reason.
    state_reason = models.TextField(_("reason"), blank=True)
    state_changed_at = models.DateTimeField(default=timezone.now)
    # The person's org unit, and every unit above it (ids, nearest first), when the enrolment was first
    # accepted; null before. Reports filter and count this programme's people by them, so a later move in
    # the HRIS changes none of its figures (evaluation.report_disclosure).
    frozen_org_unit = models.ForeignKey(
        "people.OrgUnit", null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    frozen_org_path = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["programme", "person", "role"], name="enrolment_unique_role"),
            models.CheckConstraint(
                condition=models.Q(capacity__isnull=True) | models.Q(capacity__gte=1, capacity__lte=20),
                name="enrolment_capacity_1_20",
            ),
        ]
        indexes = [models.Index(fields=["person", "state"]), models.Index(fields=["programme", "role", "state"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()} · {self.programme}"

    def clean(self) -> None:
        super().clean()
        # Imported here: the profile's vocabularies live with the enrolment models, which import this module.
        from people.models import validate_time_zone
        from programmes.enrolment.models.enrolment import (
            validate_attribute_preferences,
            validate_availability,
            validate_languages,
        )

        if self.time_zone:
            try:
                validate_time_zone(self.time_zone)
            except ValidationError as exc:
                raise ValidationError({"time_zone": exc.messages}) from exc
        validate_availability(self.availability)
        validate_attribute_preferences(self.attribute_preferences)
        validate_languages(self.languages)

    @property
    def is_mentor_side(self) -> bool:
        """Mentors and facilitators give; mentees and peers are matched to them."""
        return self.role in (self.Role.MENTOR, self.Role.FACILITATOR)

    @property
    def is_open(self) -> bool:
        """Still in the programme: neither declined, withdrawn nor completed (programmes.core.states)."""
        from ..states import enrolment_is_open

        return enrolment_is_open(self)

    @property
    def can_edit_profile(self) -> bool:
        from ..states import can_edit_profile

        return can_edit_profile(self)

    @property
    def can_screen(self) -> bool:
        from ..states import can_screen

        return can_screen(self)

    @property
    def can_manager_decide(self) -> bool:
        from ..states import can_manager_decide

        return can_manager_decide(self)

    def effective_capacity(self) -> int:
        """The mentor's own capacity, else the programme's default, else one."""
        return self.capacity or self.programme.mentor_capacity or 1

    def effective_time_zone(self) -> str:
        return self.time_zone or self.person.time_zone

    def effective_languages(self) -> list[str]:
        return list(self.languages or self.person.languages or [])
