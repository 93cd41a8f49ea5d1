"""Programme design: the audit trail, business goals, the readiness assessment and the needs survey."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.models import LEVEL_MAX, LEVEL_MIN, LEVEL_VALIDATORS
from programmes.core.models.programme import Programme


class AuditEvent(models.Model):
    """One state change of any object: who moved it, from which state to which, why and when.

    Generic (content type + object id) so that every state machine writes here; `programme` is set
    whenever the object belongs to one, so a programme's history is one indexed query.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    programme = models.ForeignKey(
        Programme, null=True, blank=True, on_delete=models.CASCADE, related_name="audit_events"
    )
    from_state = models.CharField(_("from"), max_length=40, blank=True)
    to_state = models.CharField(_("to"), max_length=40)
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"]),
            models.Index(fields=["programme", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.content_type_id}:{self.object_id} {self.from_state or '∅'} → {self.to_state}"


class BusinessGoal(models.Model):
    """A business goal the programme serves; outcome metrics and development goals link to it."""

    class Priority(models.IntegerChoices):
        HIGH = 1, _("High")
        MEDIUM = 2, _("Medium")
        LOW = 3, _("Low")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="business_goals")
    statement = models.TextField(_("statement"), max_length=1000)
    priority = models.PositiveSmallIntegerField(
        _("strategic priority"), choices=Priority.choices, default=Priority.MEDIUM
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_business_goals",
        help_text=_("The person in the business who answers for this goal."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["priority", "pk"]
        verbose_name = _("business goal")
        verbose_name_plural = _("business goals")
        constraints = [models.CheckConstraint(condition=models.Q(priority__in=[1, 2, 3]), name="goal_priority_1_3")]

    def __str__(self) -> str:
        return self.statement if len(self.statement) <= 80 else self.statement[:79] + "…"


class ReadinessAssessment(models.Model):
    """Is the organisation ready for this programme? A scored checklist and a decision."""

    class Decision(models.TextChoices):
        UNDECIDED = "", _("Not decided")
        GO = "go", _("Go")
        GO_WITH_CONDITIONS = "go_with_conditions", _("Go with conditions")
        NOT_READY = "not_ready", _("Not ready")

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="readiness")
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, blank=True)
    conditions = models.TextField(
        _("conditions"), blank=True, help_text=_("One condition a line; required for “go with conditions”.")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("readiness assessment")
        verbose_name_plural = _("readiness assessments")

    def __str__(self) -> str:
        return f"{self.programme} · {self.get_decision_display()}"

    @property
    def condition_list(self) -> list[str]:
        return [line.strip() for line in self.conditions.splitlines() if line.strip()]


class ReadinessItem(models.Model):
    """One line of the readiness checklist: a factor, its score 1–5 and the evidence for it."""

    assessment = models.ForeignKey(ReadinessAssessment, on_delete=models.CASCADE, related_name="items")
    name = models.CharField(_("factor"), max_length=200)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True, validators=LEVEL_VALIDATORS)
    evidence = models.TextField(_("evidence"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("readiness item")
        verbose_name_plural = _("readiness items")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=LEVEL_MIN, score__lte=LEVEL_MAX),
                name="readiness_score_1_5",
            )
        ]

    def __str__(self) -> str:
        return self.name


class NeedsSurvey(models.Model):
    """A needs-assessment survey: a population rates its current and needed level in chosen competencies.

    The population is stored as the rule that chose it (units with their sub-units, grades, e-mails);
    the invitations are the frozen list of who was asked.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="needs_surveys")
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True)
    competencies = models.ManyToManyField("people.Competency", verbose_name=_("competencies"), related_name="+")
    org_units = models.ManyToManyField(
        "people.OrgUnit",
        verbose_name=_("org units"),
        blank=True,
        related_name="+",
        help_text=_("Everyone in these units and their sub-units."),
    )
    grades = models.JSONField(_("grades"), default=list, blank=True)
    emails = models.TextField(_("e-mail addresses"), blank=True, help_text=_("One a line; added to the population."))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("needs survey")
        verbose_name_plural = _("needs surveys")

    def __str__(self) -> str:
        return self.title

    def accepts_responses(self, today: date | None = None) -> bool:
        """Open, and its closing date (if any) has not passed."""
        today = today or timezone.localdate()
        return self.state == self.State.OPEN and (self.closes_on is None or today <= self.closes_on)


class SurveyInvitation(models.Model):
    """One person asked to answer one survey; their unit and grade are kept as they were when asked.

    `org_unit` is the reporting unit of the heatmap: the person's unit rolled up to the direct sub-unit
    of a unit the survey chose (selectors.org_unit_rollup), or their own unit when chosen otherwise.
    """

    class State(models.TextChoices):
        INVITED = "invited", _("Invited")
        RESPONDED = "responded", _("Responded")

    survey = models.ForeignKey(NeedsSurvey, on_delete=models.CASCADE, related_name="invitations")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_invitations")
    org_unit = models.ForeignKey("people.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    grade = models.PositiveSmallIntegerField(null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.INVITED)
    invited_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [models.UniqueConstraint(fields=["survey", "person"], name="survey_invitation_unique")]
        indexes = [models.Index(fields=["survey", "state"]), models.Index(fields=["person", "state"])]

    def __str__(self) -> str:
        return f"{self.survey} → {self.person}"


class SurveyAnswer(models.Model):
    """One respondent's current and needed level in one competency (gap = needed − current)."""

    invitation = models.ForeignKey(SurveyInvitation, on_delete=models.CASCADE, related_name="answers")
    competency = models.ForeignKey("people.Competency", on_delete=models.CASCADE, related_name="+")
    current_level = models.PositiveSmallIntegerField(_("current level"), validators=LEVEL_VALIDATORS)
    needed_level = models.PositiveSmallIntegerField(_("needed level"), validators=LEVEL_VALIDATORS)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["invitation", "competency"], name="survey_answer_unique"),
            models.CheckConstraint(
                condition=models.Q(current_level__gte=LEVEL_MIN, current_level__lte=LEVEL_MAX)
                & models.Q(needed_level__gte=LEVEL_MIN, needed_level__lte=LEVEL_MAX),
                name="survey_answer_levels_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invitation} · {self.competency_id}: {self.current_level} → {self.needed_level}"


_AGREEMENT = _(
    "We agree to meet every {cadence} days for {term} months, in person or by video.\n"
    "We will set goals in the first meeting, and review them at each meeting.\n"
    "What we discuss stays between us, unless someone's safety is at risk.\n"
    "We will tell each other, and the coordinator, if something gets in the way."
)
_NO_FAULT = _(
    "Either of us may end this relationship at any time, for any reason or none, without blame. "
    "The coordinator will help each of us to a new match if we wish."
)

# Sensible defaults per format: applied when a programme is created (numbers) and offered on the
# policies page (everything). One-to-one pairs meet fortnightly for a year; groups and circles meet
# less often, for a shorter term, with a size range that lets a conversation go round.
FORMAT_DEFAULTS: dict[str, dict[str, int]] = {
    Programme.Format.ONE_TO_ONE: {
        "term_months": 12,
        "meeting_cadence_days": 14,
        "contacts_first_month": 2,
        "contact_interval_days": 30,
        "mentor_capacity": 2,
        "group_size_min": 2,
        "group_size_max": 2,
        "reporting_line_exclusion_depth": 2,
        "max_time_zone_gap_hours": 4,
    },
    Programme.Format.REVERSE: {
        "term_months": 6,
        "meeting_cadence_days": 14,
        "contacts_first_month": 2,
        "contact_interval_days": 30,
        "mentor_capacity": 1,
        "group_size_min": 2,
        "group_size_max": 2,
        "reporting_line_exclusion_depth": 3,
        "max_time_zone_gap_hours": 4,
    },
    Programme.Format.GROUP: {
        "term_months": 9,
        "meeting_cadence_days": 21,
        "contacts_first_month": 2,
        "contact_interval_days": 30,
        "mentor_capacity": 1,
        "group_size_min": 4,
        "group_size_max": 8,
        "reporting_line_exclusion_depth": 1,
        "max_time_zone_gap_hours": 3,
    },
    Programme.Format.PEER_CIRCLE: {
        "term_months": 6,
        "meeting_cadence_days": 14,
        "contacts_first_month": 1,
        "contact_interval_days": 45,
        "mentor_capacity": 1,
        "group_size_min": 4,
        "group_size_max": 6,
        "reporting_line_exclusion_depth": 1,
        "max_time_zone_gap_hours": 3,
    },
}


def format_defaults(fmt: str, *, with_texts: bool = True) -> dict[str, int | str]:
    """The default policies of a format; with the agreement template and no-fault clause in the current language."""
    numbers = FORMAT_DEFAULTS.get(fmt, FORMAT_DEFAULTS[Programme.Format.ONE_TO_ONE])
    values: dict[str, int | str] = dict(numbers)
    if with_texts:
        values["agreement_template"] = str(_AGREEMENT).format(
            cadence=numbers["meeting_cadence_days"], term=numbers["term_months"]
        )
        values["no_fault_clause"] = str(_NO_FAULT)
    return values
