"""A running relationship after it became active: pause, resume, close (no-fault), exit surveys, rematch.

    active ⇄ on_hold → closing → closed     (accepted → closing too: a pair that never started may end)

Either member, or a coordinator, may end a relationship at any time and need not say why (no-fault).
Closing creates the Closure and an exit survey for each member; the relationship closes when every
member has answered (or the coordinator closes it). Enrolments are released: mentees who may be
rematched return to the pool, anticipated endings complete the programme. The coordinator's rematch
proposes a new relationship (issue 4's `relationship_propose`) linked from the old one's closure.
Every move writes an AuditEvent.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.models import User
from programmes.core.errors import DomainError, InvalidTransition
from programmes.core.services.notifications import notification_create, notification_create_many
from programmes.core.services.transitions import enrolment_move, open_relationships_of, relationship_move
from programmes.core.states import CLOSABLE, ENROLMENT_GONE
from programmes.matching.services.relationships import relationship_propose
from programmes.models import Closure, Enrolment, ExitSurvey, Relationship, RelationshipMember

from .activity import activity_figures_update
from .support import coordinators_of, members_of, support_url

RState = Relationship.State
EState = Enrolment.State


def _locked(relationship: Relationship, allowed: Collection[str], message: object) -> Relationship:
    locked = Relationship.objects.select_for_update().select_related("programme").get(pk=relationship.pk)
    if locked.state not in allowed:
        raise InvalidTransition(str(message) % {"state": locked.get_state_display().lower()})
    return locked


def _check_actor(relationship: Relationship, actor: User | None, *, is_coordinator: bool) -> None:
    if actor is None or is_coordinator:
        return
    if not any(m.enrolment.person_id == actor.pk for m in members_of(relationship)):
        raise DomainError(_("Only the people in this relationship, or its coordinator, can do that."))


@transaction.atomic
def relationship_hold(
    *, actor: User, relationship: Relationship, reason: str = "", is_coordinator: bool = False
) -> Relationship:
    """active → on_hold (leave, a busy quarter): reminders and inactivity checks pause."""
    locked = _locked(relationship, (RState.ACTIVE,), _("A relationship that is %(state)s cannot be paused."))
    _check_actor(locked, actor, is_coordinator=is_coordinator)
    return relationship_move(actor=actor, relationship=locked, to=RState.ON_HOLD, reason=reason)


@transaction.atomic
def relationship_resume(
    *, actor: User, relationship: Relationship, reason: str = "", is_coordinator: bool = False
) -> Relationship:
    """on_hold → active; the inactivity clock restarts now (the pause was not silence)."""
    locked = _locked(relationship, (RState.ON_HOLD,), _("A relationship that is %(state)s cannot resume."))
    _check_actor(locked, actor, is_coordinator=is_coordinator)
    activity_figures_update(relationships=Relationship.objects.filter(pk=locked.pk), now=timezone.now(), restart=True)
    return relationship_move(actor=actor, relationship=locked, to=RState.ACTIVE, reason=reason)


@transaction.atomic
def relationship_close_begin(
    *,
    actor: User | None,
    relationship: Relationship,
    reason: str = "",
    anticipated: bool = False,
    is_coordinator: bool = False,
) -> Closure:
    """Start ending the relationship (no-fault; a reason is optional): closure, exit surveys, notices.

    `actor` None: the term ended (the periodic sweep), which is anticipated by definition.
    """
    locked = _locked(relationship, CLOSABLE, _("A relationship that is %(state)s cannot be ended."))
    _check_actor(locked, actor, is_coordinator=is_coordinator)
    closure = Closure(
        relationship=locked,
        programme_id=locked.programme_id,
        initiated_by=actor,
        anticipated=anticipated or actor is None,
        reason=reason.strip(),
    )
    closure.full_clean()
    closure.save()
    # Someone who withdrew from the programme is neither asked nor told any more.
    members = [m for m in members_of(locked) if m.enrolment.state not in ENROLMENT_GONE]
    ExitSurvey.objects.bulk_create(
        [ExitSurvey(closure=closure, respondent=m.enrolment.person) for m in members], ignore_conflicts=True
    )
    audit_reason = closure.reason or str(_("No reason given (no-fault)."))
    if actor is None:
        audit_reason = str(_("The term ended."))
    relationship_move(actor=actor, relationship=locked, to=RState.CLOSING, reason=audit_reason)
    _notify_closing(locked, closure, members)
    return closure


def _notify_closing(relationship: Relationship, closure: Closure, members: list[RelationshipMember]) -> None:
    people = [m.enrolment.person for m in members]
    initiator = closure.initiated_by.get_full_name() if closure.initiated_by else ""
    context = {"programme": relationship.programme.name, "who": initiator, "term": closure.initiated_by is None}
    notification_create_many(
        recipients=people,
        kind="closure_started",
        dedupe_key=lambda person: f"closure:{closure.pk}:started:{person.pk}",
        context=context,
        url=lambda person: reverse("programmes:exit_survey", args=[relationship.programme_id, relationship.pk]),
    )
    notification_create_many(
        recipients=[c for c in coordinators_of(relationship.programme_id) if c not in people],
        kind="closure_started",
        dedupe_key=lambda person: f"closure:{closure.pk}:started:{person.pk}",
        context={**context, "coordinator": True},
        url=support_url(relationship),
        channel="in_app",
    )


def _others_open(enrolment: Enrolment, relationship: Relationship) -> int:
    return open_relationships_of(enrolment, exclude=relationship).count()


def _release_enrolments(*, actor: User | None, relationship: Relationship, closure: Closure) -> None:
    """Matched enrolments move on: back to the pool when a rematch may follow, completed when it ended as planned.

    A mentor keeps `matched` while other relationships fill their capacity.
    """
    ids = sorted(relationship.members.values_list("enrolment_id", flat=True))
    for enrolment in (
        Enrolment.objects.select_for_update().filter(pk__in=ids).order_by("pk").select_related("programme")
    ):
        if enrolment.state != EState.MATCHED:
            continue
        others = _others_open(enrolment, relationship)
        if enrolment.is_mentor_side:
            if others >= enrolment.effective_capacity():
                continue
            to = EState.COMPLETED if closure.anticipated and not others else EState.AVAILABLE
        elif others:
            continue
        else:
            to = EState.AVAILABLE if closure.rematch_eligible and not closure.anticipated else EState.COMPLETED
        reason = str(_("Relationship #%(pk)d closed.") % {"pk": relationship.pk})
        enrolment_move(actor=actor, enrolment=enrolment, to=to, reason=reason)


@transaction.atomic
def relationship_close_complete(
    *,
    actor: User | None,
    relationship: Relationship,
    final_meeting_at: datetime | None = None,
    rematch_eligible: bool | None = None,
) -> Closure:
    """closing → closed: the closure is stamped and the members' enrolments are released."""
    locked = _locked(relationship, (RState.CLOSING,), _("A relationship that is %(state)s cannot be closed."))
    closure = Closure.objects.select_for_update().get(relationship=locked)
    if final_meeting_at is not None:
        if final_meeting_at > timezone.now():
            raise DomainError(_("The final meeting is recorded after it took place."))
        closure.final_meeting_at = final_meeting_at
    if rematch_eligible is not None:
        closure.rematch_eligible = rematch_eligible
    closure.closed_at, closure.closed_by = timezone.now(), actor
    closure.full_clean()
    closure.save()
    relationship_move(actor=actor, relationship=locked, to=RState.CLOSED, reason=closure.reason)
    _release_enrolments(actor=actor, relationship=locked, closure=closure)
    return closure


@transaction.atomic
def exit_survey_submit(
    *,
    actor: User,
    survey: ExitSurvey,
    satisfaction: int,
    goals_met: int,
    would_take_part_again: bool | None,
    wants_rematch: bool | None,
    comments: str = "",
) -> ExitSurvey:
    """A member's exit survey, once; the last one closes the relationship."""
    survey = ExitSurvey.objects.select_for_update().select_related("closure__relationship").get(pk=survey.pk)
    if survey.respondent_id != actor.pk:
        raise DomainError(_("Only the person asked answers an exit survey."))
    if survey.submitted_at is not None:
        raise InvalidTransition(_("You have already answered. Thank you."))
    survey.satisfaction, survey.goals_met = satisfaction, goals_met
    survey.would_take_part_again, survey.wants_rematch = would_take_part_again, wants_rematch
    survey.comments, survey.submitted_at = comments.strip(), timezone.now()
    survey.full_clean()
    survey.save()
    relationship = survey.closure.relationship
    waiting = ExitSurvey.objects.filter(closure=survey.closure, submitted_at__isnull=True).exists()
    if not waiting and relationship.state == RState.CLOSING:
        relationship_close_complete(actor=actor, relationship=relationship)
    return survey


@transaction.atomic
def closure_rematch(*, actor: User, closure: Closure, mentor: Enrolment) -> Relationship:
    """The coordinator proposes a new mentor to the mentee of a closed pair; the closure links to it."""
    closure = Closure.objects.select_for_update().select_related("relationship__programme").get(pk=closure.pk)
    old = closure.relationship
    if old.state != RState.CLOSED:
        raise InvalidTransition(_("Close the relationship before rematching."))
    if not closure.rematch_eligible:
        raise DomainError(_("This closure is marked as not to be rematched."))
    if closure.rematched_to_id is not None:
        raise InvalidTransition(_("This relationship was already rematched."))
    members = members_of(old)
    mentees = [m.enrolment for m in members if not m.gives]
    if len(mentees) != 1:
        raise DomainError(_("Only a pair is rematched here; groups are rematched by a new matching run."))
    if mentor.programme_id != old.programme_id or not mentor.is_mentor_side:
        raise DomainError(_("Choose a mentor of this programme."))
    if any(m.enrolment_id == mentor.pk for m in members):
        raise DomainError(_("A rematch is with someone new."))
    mentee = Enrolment.objects.select_for_update().get(pk=mentees[0].pk)
    if mentee.state == EState.MATCHED and not _others_open(mentee, old):
        enrolment_move(actor=actor, enrolment=mentee, to=EState.AVAILABLE, reason=str(_("Rematch.")))
    new = relationship_propose(
        actor=actor,
        mentor=mentor,
        mentees=[mentee],
        explanation=str(_("A rematch after relationship #%(pk)d ended.") % {"pk": old.pk}),
    )
    closure.rematched_to = new
    closure.save(update_fields=["rematched_to"])
    return new


def closure_notify_term_ending(*, relationship: Relationship, ends_on: str) -> None:
    """Members (unless muted) and coordinators hear that the term ends soon: plan the final meeting."""
    from .support import not_muted

    people = [m.enrolment.person for m in members_of(relationship)]
    notification_create_many(
        recipients=not_muted("term_ending", people),
        kind="term_ending",
        dedupe_key=lambda person: f"term_ending:{relationship.pk}:{person.pk}",
        context={"programme": relationship.programme.name, "ends_on": ends_on},
        url=support_url(relationship),
    )
    for coordinator in coordinators_of(relationship.programme_id):
        notification_create(
            recipient=coordinator,
            kind="term_ending",
            dedupe_key=f"term_ending:{relationship.pk}:{coordinator.pk}",
            context={"programme": relationship.programme.name, "ends_on": ends_on, "coordinator": True},
            url=support_url(relationship),
            channel="in_app",
        )
