"""The comparison group: people who will not be mentored, chosen by a stored rule and frozen."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The largest comparison group we will freeze: beyond this, more people add little precision.
MAX_GROUP_SIZE = 5000


def new_seed() -> int:
    """A fresh sampling seed; stored with the rule so the same rule draws the same people again."""
    return secrets.randbelow(1_000_000)


class ComparisonGroup(models.Model):
    """A programme's comparison group: the rule that chose it (as data) and, once frozen, its members.

    The rule and the members change together, only through the freeze service (comparison_group_freeze),
    so the stored rule always describes the members. The service refuses once the programme has entered
    implementation: from then on the group is what outcomes are compared against.
    """

    programme = models.OneToOneField("programmes.Programme", on_delete=models.CASCADE, related_name="comparison_group")
    org_units = models.ManyToManyField(
        "people.OrgUnit",
        verbose_name=_("org units"),
        blank=True,
        related_name="+",
        help_text=_("Leave empty for the whole organisation."),
    )
    include_sub_units = models.BooleanField(_("include their sub-units"), default=True)
    grade_min = models.PositiveSmallIntegerField(_("lowest grade"), null=True, blank=True)
    grade_max = models.PositiveSmallIntegerField(_("highest grade"), null=True, blank=True)
    exclude_enrolled = models.BooleanField(
        _("leave out people enrolled in this programme"),
        default=True,
        help_text=_("Untick only if you know why: enrolled people are the ones being mentored."),
    )
    max_size = models.PositiveIntegerField(
        _("largest size"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_GROUP_SIZE)],
        help_text=_("When more people match, this many are drawn at random."),
    )
    random_seed = models.PositiveIntegerField(
        _("random seed"), default=new_seed, help_text=_("The same rule and seed draw the same people again.")
    )
    matched_count = models.PositiveIntegerField(_("people matching the rule when frozen"), default=0)
    frozen_at = models.DateTimeField(_("frozen"), null=True, blank=True)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    freeze_count = models.PositiveSmallIntegerField(_("times frozen"), default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("comparison group")
        verbose_name_plural = _("comparison groups")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(grade_min__isnull=True)
                | models.Q(grade_max__isnull=True)
                | models.Q(grade_min__lte=models.F("grade_max")),
                name="comparison_grade_range",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Comparison group of %(programme)s") % {"programme": self.programme})

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    def clean(self) -> None:
        super().clean()
        if self.grade_min is not None and self.grade_max is not None and self.grade_min > self.grade_max:
            raise ValidationError({"grade_max": _("The highest grade cannot be below the lowest.")})


class ComparisonMember(models.Model):
    """One person in a frozen comparison group."""

    group = models.ForeignKey(ComparisonGroup, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    # The person's org unit, and every unit above it (ids, nearest first), when they were first frozen into
    # the group: the report filters and counts them by these (evaluation.report_disclosure), never by where
    # the HRIS puts them later.
    frozen_org_unit = models.ForeignKey(
        "people.OrgUnit", null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    frozen_org_path = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["group", "person"]
        verbose_name = _("comparison group member")
        verbose_name_plural = _("comparison group members")
        constraints = [models.UniqueConstraint(fields=["group", "person"], name="comparison_member_unique")]
        indexes = [models.Index(fields=["person"])]

    def __str__(self) -> str:
        return f"{self.group} · {self.person}"
