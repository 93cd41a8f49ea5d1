"""Individual development plans: a mentee's goals, tied to competencies and business goals, and their progress.

One plan per mentee enrolment. Each DevelopmentGoal names a competency, the business goal it serves, a
SMART statement, where the mentee starts (baseline) and wants to be (target) and by when. Its status
moves `open → on_track ⇄ at_risk → achieved | dropped`; dated GoalProgress entries record the level
reached, with a note and evidence. The mentee decides which goals their manager may see.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.models import LEVEL_MAX, LEVEL_MIN, LEVEL_VALIDATORS
from programmes.core.models.programme import Enrolment, Programme
from programmes.design.models import BusinessGoal


class DevelopmentPlan(models.Model):
    """A mentee's development plan in one programme, and the manager's acknowledgement of it."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="development_plan")
    # Denormalised from the enrolment so that programme-wide counts are one indexed query.
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="development_plans")
    created_at = models.DateTimeField(default=timezone.now)
    manager_acknowledged_at = models.DateTimeField(_("acknowledged by the manager"), null=True, blank=True)
    manager_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("development plan")
        verbose_name_plural = _("development plans")

    def __str__(self) -> str:
        return f"Plan of enrolment {self.enrolment_id}"


class DevelopmentGoal(models.Model):
    """One goal of a plan: competency, business goal, SMART statement, baseline → target by a date, and status."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ON_TRACK = "on_track", _("On track")
        AT_RISK = "at_risk", _("At risk")
        ACHIEVED = "achieved", _("Achieved")
        DROPPED = "dropped", _("Dropped")

    class BaselineSource(models.TextChoices):
        SURVEY = "survey", _("needs survey")
        RATING = "rating", _("latest rating")
        APPLICATION = "application", _("application")
        ENTERED = "entered", _("entered by the mentee")

    plan = models.ForeignKey(DevelopmentPlan, on_delete=models.CASCADE, related_name="goals")
    competency = models.ForeignKey("people.Competency", verbose_name=_("competency"), on_delete=models.PROTECT)
    business_goal = models.ForeignKey(
        BusinessGoal,
        verbose_name=_("business goal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="development_goals",
    )
    statement = models.TextField(
        _("goal (SMART)"),
        max_length=2000,
        help_text=_("Specific, measurable, achievable, relevant and time-bound: what you will be able to do."),
    )
    baseline_level = models.PositiveSmallIntegerField(_("baseline level"), validators=LEVEL_VALIDATORS)
    baseline_source = models.CharField(
        _("baseline from"), max_length=20, choices=BaselineSource.choices, default=BaselineSource.ENTERED
    )
    target_level = models.PositiveSmallIntegerField(_("target level"), validators=LEVEL_VALIDATORS)
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    shared_with_manager = models.BooleanField(_("my manager may see this goal"), default=False)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["plan", "position", "pk"]
        verbose_name = _("development goal")
        verbose_name_plural = _("development goals")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(baseline_level__gte=LEVEL_MIN, baseline_level__lte=LEVEL_MAX)
                & models.Q(target_level__gte=LEVEL_MIN, target_level__lte=LEVEL_MAX),
                name="development_goal_levels_1_5",
            ),
            models.CheckConstraint(
                condition=models.Q(target_level__gt=models.F("baseline_level")), name="development_goal_target_above"
            ),
        ]
        indexes = [models.Index(fields=["plan", "status"])]

    def __str__(self) -> str:
        return f"{self.competency_id}: {self.baseline_level} → {self.target_level}"

    def clean(self) -> None:
        super().clean()
        baseline, target = self.baseline_level, self.target_level
        if baseline is not None and target is not None and target <= baseline:
            raise ValidationError({"target_level": _("The target level must be above the baseline.")})

    @property
    def is_closed(self) -> bool:
        return self.status in (self.Status.ACHIEVED, self.Status.DROPPED)

    @property
    def current_level(self) -> int:
        """The level last recorded, else the baseline (reads prefetched progress, newest last)."""
        entries = list(self.progress.all())
        return entries[-1].level if entries else self.baseline_level


# The goal status machine: open → on_track ⇄ at_risk → achieved | dropped (and dropped from open).
GOAL_TRANSITIONS: dict[str, tuple[str, ...]] = {
    DevelopmentGoal.Status.OPEN: (DevelopmentGoal.Status.ON_TRACK, DevelopmentGoal.Status.DROPPED),
    DevelopmentGoal.Status.ON_TRACK: (
        DevelopmentGoal.Status.AT_RISK,
        DevelopmentGoal.Status.ACHIEVED,
        DevelopmentGoal.Status.DROPPED,
    ),
    DevelopmentGoal.Status.AT_RISK: (
        DevelopmentGoal.Status.ON_TRACK,
        DevelopmentGoal.Status.ACHIEVED,
        DevelopmentGoal.Status.DROPPED,
    ),
    DevelopmentGoal.Status.ACHIEVED: (),
    DevelopmentGoal.Status.DROPPED: (),
}


class GoalProgress(models.Model):
    """A dated progress entry of one goal: the level reached, a note, and the evidence for it."""

    goal = models.ForeignKey(DevelopmentGoal, on_delete=models.CASCADE, related_name="progress")
    recorded_on = models.DateField(_("date"), default=timezone.localdate)
    level = models.PositiveSmallIntegerField(_("level reached"), validators=LEVEL_VALIDATORS)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    evidence = models.CharField(
        _("evidence"), max_length=500, blank=True, help_text=_("What shows it: a link, a document, a result.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["goal", "recorded_on", "pk"]
        verbose_name = _("goal progress")
        verbose_name_plural = _("goal progress")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=LEVEL_MIN, level__lte=LEVEL_MAX), name="goal_progress_level_1_5"
            )
        ]
        indexes = [models.Index(fields=["goal", "recorded_on"])]

    def __str__(self) -> str:
        return f"{self.goal_id} @ {self.recorded_on}: {self.level}"


class GoalComment(models.Model):
    """A comment on a goal, mostly the mentor's (mentees and coordinators may answer)."""

    goal = models.ForeignKey(DevelopmentGoal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("comment"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["goal", "created_at", "pk"]
        verbose_name = _("goal comment")
        verbose_name_plural = _("goal comments")

    def __str__(self) -> str:
        return f"Comment on {self.goal_id}"


def goal_choices_for_status(status: str) -> list[tuple[str, Any]]:
    """The statuses a goal may move to from `status`, with their labels."""
    return [(s, DevelopmentGoal.Status(s).label) for s in GOAL_TRANSITIONS.get(status, ())]
