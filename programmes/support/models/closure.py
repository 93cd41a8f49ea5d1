"""No-fault closure of a relationship and each member's exit survey."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.core.models.programme import Programme
from programmes.matching.models import Relationship
from programmes.support.models.support import SCALE


class Closure(models.Model):
    """How a relationship ended: anticipated or not, no-fault, the reason when one was given, the final
    meeting, rematch eligibility and the rematch it led to. Created when the relationship starts closing.
    """

    relationship = models.OneToOneField(Relationship, on_delete=models.CASCADE, related_name="closure")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+")
    # None: the term ran out (the periodic sweep started the closure).
    initiated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    initiated_at = models.DateTimeField(_("started closing"), default=timezone.now)
    anticipated = models.BooleanField(
        _("anticipated"), default=False, help_text=_("Planned: the term is over or the goals are reached.")
    )
    no_fault = models.BooleanField(_("no-fault"), default=True)
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    final_meeting_at = models.DateTimeField(_("final meeting"), null=True, blank=True)
    rematch_eligible = models.BooleanField(_("may be rematched"), default=True)
    rematched_to = models.OneToOneField(
        Relationship, null=True, blank=True, on_delete=models.SET_NULL, related_name="rematch_of"
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        indexes = [models.Index(fields=["programme", "closed_at"])]

    def __str__(self) -> str:
        return f"closure of {self.relationship_id} ({'anticipated' if self.anticipated else 'early'})"

    @property
    def can_rematch(self) -> bool:
        """The state machine's predicate (programmes.core.states.can_rematch), for templates."""
        from programmes.core.states import can_rematch

        return can_rematch(self)


class ExitSurvey(models.Model):
    """One member's look back when a relationship closes; read by them and the coordinators."""

    closure = models.ForeignKey(Closure, on_delete=models.CASCADE, related_name="exit_surveys")
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(_("overall satisfaction"), null=True, blank=True, validators=SCALE)
    goals_met = models.PositiveSmallIntegerField(
        _("how far your goals were met"), null=True, blank=True, validators=SCALE
    )
    would_take_part_again = models.BooleanField(_("would take part again"), null=True, blank=True)
    wants_rematch = models.BooleanField(_("would like a new match"), null=True, blank=True)
    comments = models.TextField(_("comments"), max_length=5000, blank=True)

    class Meta:
        verbose_name = _("exit survey")
        verbose_name_plural = _("exit surveys")
        constraints = [models.UniqueConstraint(fields=["closure", "respondent"], name="exit_survey_one_per_member")]

    def __str__(self) -> str:
        return f"exit survey of {self.respondent_id} for {self.closure_id}"
