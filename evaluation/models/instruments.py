"""Instruments: configurable questionnaires a cycle sends (Kirkpatrick levels 1 to 3), and their answers.

An instrument is a template: Likert items on one scale (1 to 5 by default), some reverse-scored, each
belonging to a named scale whose score is the mean of its items after reversing. A re-rating instrument
has no fixed items: it asks for the level (1 to 5) of each of the programme's target competencies. The
shipped defaults (evaluation.instruments_default, translatable) are copied into a programme, in the
coordinator's language, when its plan is made, so a programme's copy can change without touching others.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Instrument(models.Model):
    """A questionnaire: who answers it, about whom, on which scale, and its items."""

    class Level(models.IntegerChoices):
        REACTION = 1, _("1 · Reaction")
        LEARNING = 2, _("2 · Learning")
        BEHAVIOUR = 3, _("3 · Behaviour")

    class Kind(models.TextChoices):
        LIKERT = "likert", _("Likert items")
        RERATING = "rerating", _("Re-rating of the target competencies")

    class Subject(models.TextChoices):
        SELF = "self", _("Their own experience")
        MENTEE = "mentee", _("The mentee")

    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE, related_name="instruments")
    key = models.SlugField(_("key"), max_length=40, help_text=_("Stable name of a default instrument."))
    name = models.CharField(_("name"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    level = models.PositiveSmallIntegerField(_("Kirkpatrick level"), choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.LIKERT)
    subject = models.CharField(_("answers are about"), max_length=10, choices=Subject.choices, default=Subject.SELF)
    ask_mentee = models.BooleanField(_("mentees answer"), default=True)
    ask_mentor = models.BooleanField(_("mentors answer"), default=False)
    ask_manager = models.BooleanField(_("mentees' managers answer"), default=False)
    scale_min = models.PositiveSmallIntegerField(_("lowest point"), default=1)
    scale_max = models.PositiveSmallIntegerField(_("highest point"), default=5)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["level", "name", "pk"]
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        constraints = [
            models.UniqueConstraint(fields=["programme", "key"], name="instrument_key_per_programme"),
            models.CheckConstraint(condition=models.Q(scale_min__lt=models.F("scale_max")), name="instrument_scale"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.scale_min is not None and self.scale_max is not None and self.scale_min >= self.scale_max:
            raise ValidationError({"scale_max": _("The highest point must be above the lowest.")})
        if not (self.ask_mentee or self.ask_mentor or self.ask_manager):
            raise ValidationError(_("Choose at least one group of people to answer."))

    def score(self, value: int, *, reverse: bool) -> float:
        """A point as it counts in a scale score: reversed items count from the other end."""
        return float(self.scale_min + self.scale_max - value if reverse else value)


class InstrumentItem(models.Model):
    """One Likert statement of an instrument, in the scale it scores."""

    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("statement"), max_length=300)
    scale = models.SlugField(_("scale"), max_length=40, help_text=_("Items of one scale are averaged together."))
    reverse_scored = models.BooleanField(
        _("reverse-scored"), default=False, help_text=_("Agreeing is the worse answer (for example “a waste of time”).")
    )

    class Meta:
        ordering = ["instrument", "position", "pk"]
        verbose_name = _("instrument item")
        verbose_name_plural = _("instrument items")

    def __str__(self) -> str:
        return self.text


class InstrumentResponse(models.Model):
    """One person asked to answer one instrument in one cycle, about one subject; answered or not yet.

    The subject is the respondent for "their own experience" instruments, else the mentee being rated
    (by themselves, their mentor or their manager). Only the respondent ever sees the answers; everyone
    else sees scale scores of groups of five or more.
    """

    class Role(models.TextChoices):
        MENTEE = "mentee", _("Mentee")
        MENTOR = "mentor", _("Mentor")
        MANAGER = "manager", _("Manager")

    cycle = models.ForeignKey("evaluation.EvaluationCycle", on_delete=models.CASCADE, related_name="responses")
    instrument = models.ForeignKey(Instrument, on_delete=models.CASCADE, related_name="responses")
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subject = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("answers as"), max_length=10, choices=Role.choices)
    invited_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["cycle", "instrument", "pk"]
        verbose_name = _("instrument response")
        verbose_name_plural = _("instrument responses")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "instrument", "respondent", "subject"], name="response_once_per_subject"
            )
        ]
        indexes = [models.Index(fields=["respondent", "cycle"]), models.Index(fields=["cycle", "answered_at"])]

    def __str__(self) -> str:
        return f"{self.instrument} · {self.respondent_id} about {self.subject_id}"


class Answer(models.Model):
    """One point given to one item (or, in a re-rating, to one competency)."""

    response = models.ForeignKey(InstrumentResponse, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(InstrumentItem, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    competency = models.ForeignKey(
        "people.Competency", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    value = models.PositiveSmallIntegerField(_("answer"))

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(item__isnull=False, competency__isnull=True)
                | models.Q(item__isnull=True, competency__isnull=False),
                name="answer_item_or_competency",
            ),
            models.UniqueConstraint(fields=["response", "item"], name="answer_once_per_item"),
            models.UniqueConstraint(fields=["response", "competency"], name="answer_once_per_competency"),
        ]

    def __str__(self) -> str:
        return f"{self.response_id}: {self.value}"
