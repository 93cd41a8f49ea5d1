"""Individual development plans: goals, their status, progress entries, comments, sharing and acknowledgement.

Who may do what (the views check access first; the services check again, so no caller can skip it):
- the mentee owns the plan: adds and edits goals, moves their status, records progress, decides which goals
  their manager may see;
- their mentors (members of an accepted or running relationship with the mentee) comment, record progress
  and move a goal's status;
- coordinators comment;
- the mentee's manager (User.manager) acknowledges the plan and sees only the shared goals.

Goal status: open → on_track ⇄ at_risk → achieved | dropped (and dropped straight from open); each move is
audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.models import Competency, CompetencyRating, User
from programmes.core.errors import DomainError, InvalidTransition
from programmes.core.services.lifecycle import audit_event_record
from programmes.core.services.notifications import notification_create
from programmes.models import (
    GOAL_TRANSITIONS,
    BusinessGoal,
    DevelopmentGoal,
    DevelopmentPlan,
    Enrolment,
    EnrolmentCompetency,
    GoalComment,
    GoalProgress,
    ProgrammeRole,
    SurveyAnswer,
)
from programmes.preparation.selectors.development import MENTEE_SIDE, PLAN_STATES, mentor_ids_for

Status = DevelopmentGoal.Status
Source = DevelopmentGoal.BaselineSource
MAX_GOALS = 10


def plan_url(enrolment: Enrolment) -> str:
    return reverse("programmes:plan", args=[enrolment.programme_id, enrolment.pk])


def manager_plan_url(enrolment: Enrolment) -> str:
    return reverse("programmes:plan_manager", args=[enrolment.programme_id, enrolment.pk])


def _is_coordinator(user: User, programme_id: int) -> bool:
    return (
        user.is_site_admin
        or ProgrammeRole.objects.filter(
            programme_id=programme_id, user=user, role=ProgrammeRole.Role.COORDINATOR
        ).exists()
    )


def _require_owner(actor: User, enrolment: Enrolment) -> None:
    if enrolment.person_id != actor.pk:
        raise DomainError(_("Only the mentee changes their own plan."))


def _require_pair(actor: User, enrolment: Enrolment) -> None:
    if enrolment.person_id != actor.pk and actor.pk not in mentor_ids_for(enrolment):
        raise DomainError(_("Only the mentee and their mentor do this."))


# --- Baselines ------------------------------------------------------------------------------------------------


def baseline_for(enrolment: Enrolment, competency: Competency) -> tuple[int, str] | None:
    """Where the mentee starts in `competency`: the programme's needs survey, else the latest rating, else the
    application's current level; None when nothing is known."""
    answer = (
        SurveyAnswer.objects.filter(
            invitation__person_id=enrolment.person_id,
            invitation__survey__programme_id=enrolment.programme_id,
            competency=competency,
        )
        .order_by("-invitation__responded_at", "-pk")
        .values_list("current_level", flat=True)
        .first()
    )
    if answer is not None:
        return answer, Source.SURVEY
    rating = (
        CompetencyRating.objects.filter(person_id=enrolment.person_id, competency=competency)
        .order_by("-rated_on", "-pk")
        .values_list("level", flat=True)
        .first()
    )
    if rating is not None:
        return rating, Source.RATING
    applied = (
        EnrolmentCompetency.objects.filter(enrolment=enrolment, competency=competency, current_level__isnull=False)
        .values_list("current_level", flat=True)
        .first()
    )
    if applied is not None:
        return applied, Source.APPLICATION
    return None


# --- Goals ------------------------------------------------------------------------------------------------------


@dataclass
class GoalInput:
    """A goal as the form cleaned it; `baseline_level` None means "take it from the survey or the ratings"."""

    competency: Competency
    business_goal: BusinessGoal | None
    statement: str
    target_level: int
    due_on: date
    baseline_level: int | None = None
    shared_with_manager: bool = False


def _plan_for(enrolment: Enrolment) -> DevelopmentPlan:
    plan, _created = DevelopmentPlan.objects.select_for_update().get_or_create(
        enrolment=enrolment, defaults={"programme_id": enrolment.programme_id}
    )
    return plan


def _check_links(enrolment: Enrolment, data: GoalInput, *, due_was: date | None = None) -> None:
    """The business goal belongs to the programme; the due date is not in the past (unless it was already)."""
    if data.business_goal is not None and data.business_goal.programme_id != enrolment.programme_id:
        raise DomainError(_("Link a business goal of this programme."))
    if data.due_on < timezone.localdate() and data.due_on != due_was:
        raise DomainError(_("The due date cannot be in the past."))


def _baseline(enrolment: Enrolment, data: GoalInput) -> tuple[int, str]:
    """The level entered, else the survey's or the ratings'; refuse when none is known."""
    if data.baseline_level is not None:
        return data.baseline_level, Source.ENTERED
    found = baseline_for(enrolment, data.competency)
    if found is None:
        raise DomainError(
            _("No survey answer or rating of %(competency)s is known for you: enter your current level.")
            % {"competency": data.competency}
        )
    return found


def _fill(goal: DevelopmentGoal, data: GoalInput, baseline: tuple[int, str]) -> None:
    goal.competency = data.competency
    goal.business_goal = data.business_goal
    goal.statement = data.statement.strip()
    goal.baseline_level, goal.baseline_source = baseline
    goal.target_level = data.target_level
    goal.due_on = data.due_on
    goal.shared_with_manager = data.shared_with_manager
    goal.updated_at = timezone.now()
    if goal.target_level <= goal.baseline_level:
        raise DomainError(
            _("The target level (%(target)d) must be above the baseline (%(baseline)d).")
            % {"target": goal.target_level, "baseline": goal.baseline_level}
        )
    goal.full_clean(exclude=["plan"])


@transaction.atomic
def development_goal_create(*, actor: User, enrolment: Enrolment, data: GoalInput) -> DevelopmentGoal:
    """The mentee adds a goal to their plan (the plan is created with its first goal)."""
    _require_owner(actor, enrolment)
    if enrolment.role not in MENTEE_SIDE:
        raise DomainError(_("Development plans belong to mentees."))
    if enrolment.state not in PLAN_STATES:
        raise DomainError(
            _("Your enrolment is %(state)s; the plan opens once you are accepted.")
            % {"state": enrolment.get_state_display().lower()}
        )
    plan = _plan_for(enrolment)
    if plan.goals.exclude(status=Status.DROPPED).count() >= MAX_GOALS:
        raise DomainError(_("A plan holds at most %(n)d goals: focus on fewer.") % {"n": MAX_GOALS})
    _check_links(enrolment, data)
    baseline = _baseline(enrolment, data)
    goal = DevelopmentGoal(plan=plan, position=(plan.goals.aggregate(m=Max("position"))["m"] or 0) + 1)
    _fill(goal, data, baseline)
    goal.save()
    audit_event_record(actor=actor, obj=goal, from_state="", to_state=Status.OPEN, programme=enrolment.programme)
    if goal.shared_with_manager:
        _notify_manager(plan, enrolment)
    return goal


def _locked_goal(goal: DevelopmentGoal) -> DevelopmentGoal:
    return (
        DevelopmentGoal.objects.select_for_update(of=("self",))
        .select_related("plan__enrolment__programme", "plan__enrolment__person", "competency")
        .get(pk=goal.pk)
    )


@transaction.atomic
def development_goal_update(*, actor: User, goal: DevelopmentGoal, data: GoalInput) -> DevelopmentGoal:
    """The mentee rewrites a goal that is still open or running; an entered baseline stays unless changed."""
    goal = _locked_goal(goal)
    enrolment = goal.plan.enrolment
    _require_owner(actor, enrolment)
    if goal.is_closed:
        raise InvalidTransition(_("An achieved or dropped goal is kept as it was."))
    _check_links(enrolment, data, due_was=goal.due_on)
    if data.baseline_level is None and data.competency.pk == goal.competency_id:
        baseline = (goal.baseline_level, goal.baseline_source)  # unchanged competency keeps its baseline
    else:
        baseline = _baseline(enrolment, data)
    was_shared = goal.shared_with_manager
    _fill(goal, data, baseline)
    goal.save()
    if goal.shared_with_manager and not was_shared:
        _notify_manager(goal.plan, enrolment)
    return goal


def _status_label(status: str) -> str:
    return str(Status(status).label).lower() if status in Status.values else status


@transaction.atomic
def development_goal_set_status(*, actor: User, goal: DevelopmentGoal, status: str, note: str = "") -> DevelopmentGoal:
    """Move a goal along open → on_track ⇄ at_risk → achieved | dropped (the mentee or their mentor)."""
    goal = _locked_goal(goal)
    enrolment = goal.plan.enrolment
    _require_pair(actor, enrolment)
    if status not in GOAL_TRANSITIONS.get(goal.status, ()):
        raise InvalidTransition(
            _("A goal that is %(from)s cannot become %(to)s.")
            % {"from": goal.get_status_display().lower(), "to": _status_label(status)}
        )
    from_state = goal.status
    goal.status = status
    goal.status_changed_at = timezone.now()
    goal.save(update_fields=["status", "status_changed_at"])
    audit_event_record(
        actor=actor, obj=goal, from_state=from_state, to_state=status, reason=note, programme=enrolment.programme
    )
    return goal


@transaction.atomic
def development_goal_share(*, actor: User, goal: DevelopmentGoal, shared: bool) -> DevelopmentGoal:
    """The mentee decides whether their manager may see this goal."""
    goal = _locked_goal(goal)
    _require_owner(actor, goal.plan.enrolment)
    if goal.shared_with_manager != shared:
        goal.shared_with_manager = shared
        goal.updated_at = timezone.now()
        goal.save(update_fields=["shared_with_manager", "updated_at"])
        if shared:
            _notify_manager(goal.plan, goal.plan.enrolment)
    return goal


def _notify_manager(plan: DevelopmentPlan, enrolment: Enrolment) -> None:
    """Tell the mentee's manager, once per plan, that goals are shared with them to read and acknowledge."""
    manager = enrolment.person.manager
    if manager is None:
        return
    notification_create(
        recipient=manager,
        kind="plan_shared",
        dedupe_key=f"plan:{plan.pk}:shared:{manager.pk}",
        context={"programme": enrolment.programme.name, "person": str(enrolment.person)},
        url=manager_plan_url(enrolment),
    )


# --- Progress and comments -------------------------------------------------------------------------------------


@dataclass
class ProgressInput:
    recorded_on: date
    level: int
    note: str = ""
    evidence: str = ""


@transaction.atomic
def goal_progress_add(*, actor: User, goal: DevelopmentGoal, data: ProgressInput) -> GoalProgress:
    """The mentee or their mentor records the level reached on a date, with a note and evidence."""
    goal = _locked_goal(goal)
    _require_pair(actor, goal.plan.enrolment)
    if goal.status == Status.DROPPED:
        raise InvalidTransition(_("A dropped goal takes no more progress."))
    if data.recorded_on > timezone.localdate():
        raise DomainError(_("Progress is recorded for today or an earlier day, not the future."))
    if data.recorded_on < goal.plan.created_at.date() - timedelta(days=366):
        raise DomainError(_("That date is more than a year before the plan started."))
    entry = GoalProgress(
        goal=goal,
        recorded_on=data.recorded_on,
        level=data.level,
        note=data.note.strip(),
        evidence=data.evidence.strip(),
        recorded_by=actor,
    )
    entry.full_clean(exclude=["goal", "recorded_by"])
    entry.save()
    return entry


@transaction.atomic
def goal_comment_add(*, actor: User, goal: DevelopmentGoal, body: str) -> GoalComment:
    """The mentor (or the mentee, or a coordinator) comments on a goal; the mentee hears about the mentor's."""
    goal = _locked_goal(goal)
    enrolment = goal.plan.enrolment
    is_owner = enrolment.person_id == actor.pk
    is_mentor = actor.pk in mentor_ids_for(enrolment)
    if not (is_owner or is_mentor or _is_coordinator(actor, enrolment.programme_id)):
        raise DomainError(_("Only the mentee, their mentor and the coordinators comment on this plan."))
    if not body.strip():
        raise DomainError(_("Write a comment first."))
    comment = GoalComment(goal=goal, author=actor, body=body.strip())
    comment.full_clean(exclude=["goal", "author"])
    comment.save()
    if not is_owner:
        notification_create(
            recipient=enrolment.person,
            kind="plan_comment",
            dedupe_key=f"plan-comment:{comment.pk}",
            context={"programme": enrolment.programme.name, "who": str(actor), "competency": goal.competency.name},
            url=plan_url(enrolment),
            channel="in_app",
        )
    return comment


# --- The manager ----------------------------------------------------------------------------------------------


@transaction.atomic
def development_plan_acknowledge(*, actor: User, plan: DevelopmentPlan) -> DevelopmentPlan:
    """The mentee's manager acknowledges the plan (the goals shared with them); the mentee is told."""
    plan = DevelopmentPlan.objects.select_for_update().select_related("enrolment__person", "programme").get(pk=plan.pk)
    enrolment = plan.enrolment
    if enrolment.person.manager_id != actor.pk:
        raise DomainError(_("Only the mentee's manager acknowledges the plan."))
    if not plan.goals.filter(shared_with_manager=True).exists():
        raise DomainError(_("No goal is shared with you yet, so there is nothing to acknowledge."))
    plan.manager_acknowledged_at = timezone.now()
    plan.manager_acknowledged_by = actor
    plan.save(update_fields=["manager_acknowledged_at", "manager_acknowledged_by"])
    audit_event_record(actor=actor, obj=plan, from_state="", to_state="acknowledged", programme=plan.programme)
    notification_create(
        recipient=enrolment.person,
        kind="plan_acknowledged",
        dedupe_key=f"plan:{plan.pk}:acknowledged:{plan.manager_acknowledged_at.timestamp():.0f}",
        context={"programme": plan.programme.name, "who": str(actor)},
        url=plan_url(enrolment),
        channel="in_app",
    )
    return plan
