"""Recruitment and the application's profile: competencies to develop or offer, and ranked mentors.

The application itself is the Enrolment row (programmes.core.models.programme): its state machine, goals,
availability, languages, time zone and capacity. This module holds what hangs off it, the vocabularies
of its JSON fields (availability slots, attribute preferences) and their validators.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.models import LEVEL_MAX, LEVEL_MIN, LEVEL_VALIDATORS
from programmes.core.models.programme import Enrolment, Programme

DAYS: tuple[tuple[str, Any], ...] = (
    ("mon", _("Monday")),
    ("tue", _("Tuesday")),
    ("wed", _("Wednesday")),
    ("thu", _("Thursday")),
    ("fri", _("Friday")),
    ("sat", _("Saturday")),
    ("sun", _("Sunday")),
)
# Blocks of the day in the person's own time zone: (code, label, first hour, end hour).
BLOCKS: tuple[tuple[str, Any, int, int], ...] = (
    ("morning", _("Morning (08–12)"), 8, 12),
    ("afternoon", _("Afternoon (13–17)"), 13, 17),
    ("evening", _("Evening (18–21)"), 18, 21),
)
AVAILABILITY_SLOTS: tuple[str, ...] = tuple(f"{day}_{block[0]}" for day, _label in DAYS for block in BLOCKS)

# Opt-in preferences about the other side, scored (never required) when the person ticks them.
ATTRIBUTE_PREFERENCES: tuple[tuple[str, Any], ...] = (
    ("same_location", _("A mentor in my location")),
    ("same_time_zone", _("A mentor in my time zone")),
    ("other_unit", _("A mentor from another part of the organisation")),
)
MAX_RANKED_MENTORS = 5
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")


def slot_hours(slot: str) -> range:
    """The local hours of the day a slot covers ("mon_morning" → 8..11)."""
    block = slot.split("_", 1)[1]
    for code, _label, start, end in BLOCKS:
        if code == block:
            return range(start, end)
    raise ValueError(slot)


def validate_availability(value: Any) -> None:
    """A list of known slot codes, each once."""
    if not isinstance(value, list) or any(slot not in AVAILABILITY_SLOTS for slot in value):
        raise ValidationError({"availability": _("Choose times from the weekly grid.")})
    if len(set(value)) != len(value):
        raise ValidationError({"availability": _("Each time appears once.")})


def validate_attribute_preferences(value: Any) -> None:
    known = {code for code, _label in ATTRIBUTE_PREFERENCES}
    if not isinstance(value, list) or any(code not in known for code in value):
        raise ValidationError({"attribute_preferences": _("Choose preferences from the list.")})


def validate_languages(value: Any) -> None:
    """ISO 639 language codes, lower case (id, en, jv)."""
    if not isinstance(value, list) or any(not isinstance(c, str) or not _LANGUAGE_CODE.match(c) for c in value):
        raise ValidationError({"languages": _("Give languages as two-letter codes, e.g. id, en.")})


class Recruitment(models.Model):
    """A programme's recruitment page: what it asks of people, who may apply, and whether it is open.

    Open recruitment of a programme in implementation is visible to every signed-in employee; otherwise
    only the programme's own people see it.
    """

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="recruitment")
    is_open = models.BooleanField(_("open for applications"), default=False)
    commitment = models.TextField(
        _("expected commitment"), blank=True, help_text=_("For example: two hours a month for nine months.")
    )
    eligibility = models.TextField(_("who may apply"), blank=True)
    closes_on = models.DateField(_("applications close on"), null=True, blank=True)
    manager_approval_required = models.BooleanField(
        _("manager approval required"),
        default=False,
        help_text=_("Each applicant's manager approves the application before screening."),
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("recruitment")
        verbose_name_plural = _("recruitments")

    def __str__(self) -> str:
        return f"{self.programme} · {self.is_open}"

    def accepts_applications(self, today: date | None = None) -> bool:
        """Open, in implementation, and the closing date (if any) has not passed."""
        today = today or timezone.localdate()
        return (
            self.is_open
            and self.programme.phase == Programme.Phase.IMPLEMENTATION
            and (self.closes_on is None or today <= self.closes_on)
        )


class EnrolmentCompetency(models.Model):
    """One competency on an application: a mentee's current and target level, or a mentor's level."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="competencies")
    competency = models.ForeignKey("people.Competency", on_delete=models.CASCADE, related_name="+")
    # Mentees and peers: where they are now; mentors and facilitators leave it empty.
    current_level = models.PositiveSmallIntegerField(
        _("current level"), null=True, blank=True, validators=LEVEL_VALIDATORS
    )
    # Mentees and peers: the target; mentors and facilitators: the level they offer.
    level = models.PositiveSmallIntegerField(_("level"), validators=LEVEL_VALIDATORS)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("application competency")
        verbose_name_plural = _("application competencies")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "competency"], name="enrolment_competency_unique"),
            models.CheckConstraint(
                condition=models.Q(level__gte=LEVEL_MIN, level__lte=LEVEL_MAX)
                & (
                    models.Q(current_level__isnull=True)
                    | models.Q(current_level__gte=LEVEL_MIN, current_level__lte=LEVEL_MAX)
                ),
                name="enrolment_competency_levels_1_5",
            ),
        ]
        indexes = [models.Index(fields=["competency", "enrolment"])]

    def __str__(self) -> str:
        if self.current_level is not None:
            return f"{self.competency_id}: {self.current_level} → {self.level}"
        return f"{self.competency_id}: {self.level}"

    @property
    def gap(self) -> int:
        """How many levels a mentee wants to grow (0 for a mentor's offer)."""
        return max(self.level - self.current_level, 0) if self.current_level is not None else 0


class MentorPreference(models.Model):
    """A mentee's ranked wish for one mentor (rank 1 is the first choice, up to five)."""

    mentee = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="mentor_preferences")
    mentor = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="ranked_by")
    rank = models.PositiveSmallIntegerField(
        _("rank"), validators=[MinValueValidator(1), MaxValueValidator(MAX_RANKED_MENTORS)]
    )

    class Meta:
        ordering = ["mentee", "rank"]
        verbose_name = _("mentor preference")
        verbose_name_plural = _("mentor preferences")
        constraints = [
            models.UniqueConstraint(fields=["mentee", "rank"], name="mentor_preference_rank_unique"),
            models.UniqueConstraint(fields=["mentee", "mentor"], name="mentor_preference_mentor_unique"),
            models.CheckConstraint(
                condition=models.Q(rank__gte=1, rank__lte=MAX_RANKED_MENTORS), name="mentor_preference_rank_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mentee_id} → {self.mentor_id} #{self.rank}"
