"""Matching and pairing: the coordinator's settings, match runs and their proposals, and relationships.

A MatchRun is one solve of the whole pool; its MatchProposals are drafts until the coordinator
publishes them, when each becomes a Relationship in state `proposed` that its members accept or decline.
PairRules (lock, forbid) belong to the programme, not to a run, so a re-run keeps them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.core.models.programme import Enrolment, Programme


class MatchingSettings(models.Model):
    """How a programme matches: criterion weights, hard rules and the objective (one row per programme).

    The reporting-line exclusion depth and the largest time-zone gap are programme policies; these are the
    matcher's own knobs, which the coordinator may tune between runs.
    """

    class Objective(models.TextChoices):
        MAXIMISE_MATCHED = "maximise_matched", _("Match as many mentees as possible, then the best total score")
        TOTAL_SCORE = "total_score", _("Best total score only, with a minimum score per pair")

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="matching_settings")
    # Criterion name → weight (0 switches a criterion off); missing names take the matcher's default.
    weights = models.JSONField(_("weights"), default=dict, blank=True)
    min_shared_hours = models.FloatField(
        _("least shared availability (hours a week)"),
        default=2.0,
        help_text=_("A pair with fewer common hours than this is never proposed (0: no rule)."),
    )
    require_shared_language = models.BooleanField(_("require a shared language"), default=True)
    exclude_past_pairs = models.BooleanField(_("never repeat a closed or declined pair"), default=True)
    apply_format_rule = models.BooleanField(
        _("apply the format's seniority rule"),
        default=True,
        help_text=_(
            "One-to-one: the mentor's level is above the mentee's in what they need; reverse: the mentor is "
            "the more junior; peer circles: similar grades."
        ),
    )
    objective = models.CharField(
        _("objective"), max_length=20, choices=Objective.choices, default=Objective.MAXIMISE_MATCHED
    )
    min_score = models.FloatField(
        _("minimum score per pair"),
        null=True,
        blank=True,
        help_text=_("Used with “best total score only”: weaker pairs stay unmatched."),
    )
    self_service = models.BooleanField(
        _("mentees may request a mentor"),
        default=False,
        help_text=_("Mentees in the pool see their best-fitting mentors and request one; the mentor accepts."),
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("matching settings")
        verbose_name_plural = _("matching settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(min_shared_hours__gte=0), name="matching_min_hours_positive")
        ]

    def __str__(self) -> str:
        return f"{self.programme} · {self.get_objective_display()}"


class PairRule(models.Model):
    """A coordinator's decision about one pair that every later run respects: lock it in, or forbid it."""

    class Kind(models.TextChoices):
        LOCK = "lock", _("Locked")
        FORBID = "forbid", _("Forbidden")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="pair_rules")
    mentee = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="pair_rules_as_mentee")
    mentor = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="pair_rules_as_mentor")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "pk"]
        verbose_name = _("pair rule")
        verbose_name_plural = _("pair rules")
        constraints = [
            models.UniqueConstraint(fields=["mentee", "mentor"], name="pair_rule_unique"),
            # A mentee is locked to at most one mentor.
            models.UniqueConstraint(
                fields=["mentee"], condition=models.Q(kind="lock"), name="pair_rule_one_lock_per_mentee"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.mentee_id} × {self.mentor_id}"


class MatchRun(models.Model):
    """One solve of a programme's pool: its settings as they were, its figures, and its proposals."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="match_runs")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("run at"), default=timezone.now)
    # The weights, rules and objective the run used, so a later change of settings does not rewrite history.
    settings_snapshot = models.JSONField(default=dict, blank=True)
    mentees = models.PositiveIntegerField(_("mentees in the pool"), default=0)
    mentors = models.PositiveIntegerField(_("mentors in the pool"), default=0)
    matched = models.PositiveIntegerField(_("mentees matched"), default=0)
    total_score = models.FloatField(_("total score"), default=0.0)
    seconds = models.FloatField(_("seconds to solve"), default=0.0)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("match run")
        verbose_name_plural = _("match runs")
        indexes = [models.Index(fields=["programme", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.programme} · {self.created_at:%Y-%m-%d %H:%M} · {self.get_state_display()}"


class MatchProposal(models.Model):
    """One proposed pair of a run (or one mentee's seat in a proposed group): score, why, and what became of it."""

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="proposals")
    mentee = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="proposals_as_mentee")
    mentor = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="proposals_as_mentor")
    # Group and peer-circle formats: proposals with the same mentor and group number form one group.
    group_no = models.PositiveIntegerField(null=True, blank=True)
    score = models.FloatField(_("score"))
    # Criterion name → weighted contribution to the score.
    breakdown = models.JSONField(_("score breakdown"), default=dict, blank=True)
    explanation = models.TextField(_("why this pair"), blank=True)
    notes = models.TextField(_("constraint notes"), blank=True)
    # Other mentors this mentee could have: [{"mentor": enrolment id, "score": float}], best first.
    alternatives = models.JSONField(default=list, blank=True)
    locked = models.BooleanField(_("locked"), default=False)
    edited = models.BooleanField(_("changed by hand"), default=False)
    relationship = models.ForeignKey(
        "Relationship", null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals"
    )

    class Meta:
        ordering = ["-score", "pk"]
        verbose_name = _("match proposal")
        verbose_name_plural = _("match proposals")
        constraints = [models.UniqueConstraint(fields=["run", "mentee"], name="match_proposal_one_per_mentee")]
        indexes = [models.Index(fields=["run", "mentor"])]

    def __str__(self) -> str:
        return f"{self.mentee_id} × {self.mentor_id} ({self.score:.2f})"


class UnmatchedMentee(models.Model):
    """A mentee a run could not match, and why: no eligible mentor (and which rules excluded them) or capacity."""

    class Reason(models.TextChoices):
        NO_ELIGIBLE_MENTOR = "no_eligible_mentor", _("No eligible mentor")
        CAPACITY = "capacity", _("Mentor capacity ran out")
        BELOW_MIN_SCORE = "below_min_score", _("No pair reached the minimum score")
        GROUP_SIZE = "group_size", _("Too few mentees with shared needs for a group")

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="unmatched")
    mentee = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    detail = models.TextField(_("detail"), blank=True)
    # Hard rule name → how many mentors it excluded for this mentee.
    excluded_by = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["reason", "pk"]
        verbose_name = _("unmatched mentee")
        verbose_name_plural = _("unmatched mentees")
        constraints = [models.UniqueConstraint(fields=["run", "mentee"], name="unmatched_one_per_mentee")]

    def __str__(self) -> str:
        return f"{self.mentee_id}: {self.get_reason_display()}"


class Relationship(models.Model):
    """A mentoring relationship: one pair, or a group or circle, with its members.

    `proposed → accepted → active ⇄ on_hold → closing → closed`, and `declined` from proposed. It
    becomes accepted when every member has accepted, declined when any member declines.
    """

    class Kind(models.TextChoices):
        PAIR = "pair", _("Pair")
        GROUP = "group", _("Group")
        CIRCLE = "circle", _("Peer circle")

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACCEPTED = "accepted", _("Accepted")
        ACTIVE = "active", _("Active")
        ON_HOLD = "on_hold", _("On hold")
        CLOSING = "closing", _("Closing")
        CLOSED = "closed", _("Closed")
        DECLINED = "declined", _("Declined")

    class Origin(models.TextChoices):
        MATCH_RUN = "match_run", _("Proposed by the matcher")
        REQUEST = "request", _("Requested by the mentee")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="relationships")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PAIR)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.PROPOSED)
    origin = models.CharField(_("origin"), max_length=20, choices=Origin.choices, default=Origin.MATCH_RUN)
    run = models.ForeignKey(MatchRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    score = models.FloatField(_("score"), null=True, blank=True)
    explanation = models.TextField(_("why this match"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    state_changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")
        indexes = [models.Index(fields=["programme", "state"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} · {self.get_state_display()}"

    @property
    def title(self) -> str:
        """Who is in it, as people name it ("Budi Santoso & Dewi Lestari"), never a raw number; one query
        unless the members and their people were prefetched."""
        members = sorted(self.members.all(), key=lambda m: (m.role != RelationshipMember.Role.MENTOR, m.pk))
        names = [m.enrolment.person.full_name or m.enrolment.person.email for m in members]
        return " & ".join(names) if names else str(self.get_kind_display())

    # The state machine's predicates (programmes.core.states), for templates; services call the functions.
    @property
    def is_running(self) -> bool:
        from programmes.core.states import is_running

        return is_running(self)

    @property
    def can_hold(self) -> bool:
        from programmes.core.states import can_hold

        return can_hold(self)

    @property
    def can_resume(self) -> bool:
        from programmes.core.states import can_resume

        return can_resume(self)

    @property
    def can_close(self) -> bool:
        from programmes.core.states import can_close

        return can_close(self)

    @property
    def can_sign_agreement(self) -> bool:
        from programmes.core.states import can_sign_agreement

        return can_sign_agreement(self)

    @property
    def can_record_first_meeting(self) -> bool:
        from programmes.core.states import can_record_first_meeting

        return can_record_first_meeting(self)

    @property
    def is_awaiting_answers(self) -> bool:
        return self.state == self.State.PROPOSED

    @property
    def is_closing(self) -> bool:
        return self.state == self.State.CLOSING

    @property
    def is_active(self) -> bool:
        return self.state == self.State.ACTIVE

    @property
    def is_declined(self) -> bool:
        return self.state == self.State.DECLINED

    @property
    def is_awaiting_start(self) -> bool:
        """Everyone accepted; the agreement and the first meeting come next."""
        return self.state == self.State.ACCEPTED


class RelationshipMember(models.Model):
    """One person in a relationship, in a role, with their answer to the proposal."""

    class Role(models.TextChoices):
        MENTOR = "mentor", _("Mentor")
        MENTEE = "mentee", _("Mentee")
        FACILITATOR = "facilitator", _("Facilitator")
        PEER = "peer", _("Peer")

    class Response(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    relationship = models.ForeignKey(Relationship, on_delete=models.CASCADE, related_name="members")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    response = models.CharField(_("answer"), max_length=10, choices=Response.choices, default=Response.PENDING)
    responded_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["relationship", "role", "pk"]
        verbose_name = _("relationship member")
        verbose_name_plural = _("relationship members")
        constraints = [models.UniqueConstraint(fields=["relationship", "enrolment"], name="relationship_member_unique")]
        indexes = [models.Index(fields=["enrolment", "relationship"])]

    def __str__(self) -> str:
        return f"{self.enrolment_id} in {self.relationship_id} ({self.get_role_display()})"

    @property
    def gives(self) -> bool:
        return self.role in (self.Role.MENTOR, self.Role.FACILITATOR)
