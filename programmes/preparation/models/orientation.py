"""Orientation: modules per programme and audience, their texts per language, quizzes, and completions.

A module is one topic for one audience (mentor, mentee, the mentee's manager, coordinator). Its title,
Markdown body and quiz are kept per language (OrientationText), so a reader sees the variant in their own
language and a completion counts whichever variant they read. The matching-pool gate and the
implementation guard (programmes.preparation.guards) read these rows.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.core.models.programme import Enrolment, Programme

LANGUAGE_CHOICES: list[tuple[str, Any]] = [(code, name) for code, name in settings.LANGUAGES]
MAX_CHOICES = 6


class OrientationModule(models.Model):
    """One orientation topic for one audience of a programme: how long, required or not, and how it is checked."""

    class Audience(models.TextChoices):
        MENTOR = "mentor", _("Mentors")
        MENTEE = "mentee", _("Mentees")
        MANAGER = "manager", _("Mentees' managers")
        COORDINATOR = "coordinator", _("Coordinators")

    class Check(models.TextChoices):
        ACKNOWLEDGE = "acknowledge", _("Acknowledgement")
        QUIZ = "quiz", _("Short quiz")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="orientation_modules")
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices)
    # Groups a topic across audiences and marks the default set ("roles", "confidentiality").
    key = models.SlugField(_("key"), max_length=60)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    minutes = models.PositiveSmallIntegerField(
        _("estimated minutes"), default=10, validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    required = models.BooleanField(_("required"), default=True)
    check_kind = models.CharField(_("check"), max_length=20, choices=Check.choices, default=Check.ACKNOWLEDGE)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("The share of quiz answers that must be right."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["audience", "position", "pk"]
        verbose_name = _("orientation module")
        verbose_name_plural = _("orientation modules")
        constraints = [
            models.UniqueConstraint(fields=["programme", "audience", "key"], name="orientation_module_unique_key"),
            models.CheckConstraint(
                condition=models.Q(pass_mark__gte=1, pass_mark__lte=100), name="orientation_pass_mark_1_100"
            ),
            models.CheckConstraint(condition=models.Q(minutes__gte=1), name="orientation_minutes_positive"),
        ]
        indexes = [models.Index(fields=["programme", "audience", "required"])]

    def __str__(self) -> str:
        return f"{self.programme_id} · {self.get_audience_display()} · {self.key}"

    def text_for(self, language: str) -> OrientationText | None:
        """The variant in `language`, else English, else any (use with prefetch_related("texts"))."""
        texts = list(self.texts.all())
        for wanted in (language, "en"):
            for text in texts:
                if text.language == wanted:
                    return text
        return texts[0] if texts else None

    @property
    def is_quiz(self) -> bool:
        return self.check_kind == self.Check.QUIZ


class OrientationText(models.Model):
    """A module's title and Markdown body in one language (the body is rendered and sanitised on display)."""

    module = models.ForeignKey(OrientationModule, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=20000, help_text=_("Markdown: # headings, *emphasis*, - lists."))

    class Meta:
        ordering = ["module", "language"]
        verbose_name = _("orientation text")
        verbose_name_plural = _("orientation texts")
        constraints = [models.UniqueConstraint(fields=["module", "language"], name="orientation_text_one_per_language")]

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"


class OrientationQuestion(models.Model):
    """One multiple-choice question of a module's quiz, in the language of its text."""

    text = models.ForeignKey(OrientationText, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(default=0)
    prompt = models.CharField(_("question"), max_length=500)
    choices = models.JSONField(_("choices"), default=list)
    answer = models.PositiveSmallIntegerField(_("right answer"), help_text=_("The index of the right choice, from 0."))

    class Meta:
        ordering = ["text", "position", "pk"]
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")

    def __str__(self) -> str:
        return self.prompt

    def clean(self) -> None:
        super().clean()
        choices = self.choices
        if not isinstance(choices, list) or not 2 <= len(choices) <= MAX_CHOICES:
            raise ValidationError({"choices": _("A question has between two and six choices.")})
        if not all(isinstance(c, str) and c.strip() for c in choices):
            raise ValidationError({"choices": _("Every choice needs some text.")})
        if self.answer is None or self.answer >= len(choices):
            raise ValidationError({"answer": _("Mark which choice is right.")})


class OrientationCompletion(models.Model):
    """A person finished one module: when, in which language, and their quiz score (if it had a quiz)."""

    module = models.ForeignKey(OrientationModule, on_delete=models.CASCADE, related_name="completions")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="orientation_completions"
    )
    completed_at = models.DateTimeField(_("completed"), default=timezone.now)
    language = models.CharField(_("language"), max_length=8, blank=True)
    score = models.PositiveSmallIntegerField(_("quiz score (%)"), null=True, blank=True)

    class Meta:
        ordering = ["-completed_at", "-pk"]
        verbose_name = _("orientation completion")
        verbose_name_plural = _("orientation completions")
        constraints = [models.UniqueConstraint(fields=["module", "person"], name="orientation_completion_once")]
        indexes = [models.Index(fields=["person", "module"])]

    def __str__(self) -> str:
        return f"{self.person_id} finished {self.module_id}"


# Which audience's modules an enrolment reads: the giving side reads the mentors' modules.
AUDIENCE_FOR_ROLE: dict[str, str] = {
    Enrolment.Role.MENTOR: OrientationModule.Audience.MENTOR,
    Enrolment.Role.FACILITATOR: OrientationModule.Audience.MENTOR,
    Enrolment.Role.MENTEE: OrientationModule.Audience.MENTEE,
    Enrolment.Role.PEER: OrientationModule.Audience.MENTEE,
}
