"""The demo pairs' lives, through the pages' services: answers, agreements, sessions, check-ins, concerns, ends.

Each function is one thing a person does on a page, at the moment the caller set on the demo clock
(people.demo_clock). No row of a relationship, session or check-in is written here directly.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from people.models import User
from programmes.core.errors import DomainError
from programmes.enrolment.services.enrolment import enrolment_withdraw
from programmes.preparation.services.agreements import AgreementTerms, agreement_update, current_version
from programmes.preparation.services.development import (
    GoalInput,
    ProgressInput,
    development_goal_create,
    goal_progress_add,
)
from programmes.preparation.services.signing import agreement_sign
from programmes.support.services.closure import exit_survey_submit, relationship_close_begin
from programmes.support.services.concerns import concern_raise
from programmes.support.services.reminders import support_sweep
from programmes.support.services.sessions import SessionInput, session_confirm, session_log
from programmes.support.services.support import CheckInAnswer, checkin_answer

from .models import (
    Agreement,
    CheckIn,
    Closure,
    Concern,
    DevelopmentGoal,
    Enrolment,
    ExitSurvey,
    MentoringSession,
    Notification,
    Relationship,
    RelationshipMember,
)

TOPICS = (
    "Preparing the annual terms with a modern-trade chain",
    "Reading the territory's sell-out report together",
    "A role play of a price-increase conversation",
    "How to say no to a discount without losing the deal",
    "Planning the first quarterly business review",
    "Feedback on a recorded customer call",
    "Introductions to the pricing team",
)
ROLES = (["guiding", "giving_feedback"], ["coaching", "listening"], ["teaching", "modelling"], ["informing"])


def people_of(relationship: Relationship) -> tuple[Enrolment, Enrolment]:
    """(mentor, mentee) enrolments of a pair."""
    members = {m.role: m.enrolment for m in relationship.members.select_related("enrolment__person")}
    return members[RelationshipMember.Role.MENTOR], members[RelationshipMember.Role.MENTEE]


def answer(relationship: Relationship, *, accept: bool = True, note: str = "") -> None:
    """Every member who has not answered answers the proposal (the match page's buttons)."""
    from programmes.matching.services.relationships import relationship_respond

    for member in relationship.members.select_related("enrolment__person").filter(response="pending"):
        relationship.refresh_from_db()
        if relationship.state != Relationship.State.PROPOSED:
            return
        relationship_respond(
            actor=member.enrolment.person,
            relationship=relationship,
            enrolment=member.enrolment,
            accept=accept,
            note=note,
        )


def plan(mentee: Enrolment, rng: random.Random) -> list[DevelopmentGoal]:
    """The mentee writes two development goals on their plan page."""
    goals = []
    business_goal = mentee.programme.business_goals.order_by("priority", "pk").first()
    for entry in list(mentee.competencies.select_related("competency"))[:2]:
        data = GoalInput(
            competency=entry.competency,
            business_goal=business_goal,
            statement=f"Reach level {entry.level} in {entry.competency.name.lower()} and show it with a real case.",
            baseline_level=entry.current_level or 2,
            target_level=entry.level,
            due_on=timezone.localdate() + timedelta(days=rng.randint(150, 240)),
            shared_with_manager=rng.random() < 0.5,
        )
        try:
            goals.append(development_goal_create(actor=mentee.person, enrolment=mentee, data=data))
        except DomainError:
            continue
    return goals


def agree(relationship: Relationship, goals: list[DevelopmentGoal]) -> None:
    """The mentee writes both sides' expectations into the agreement, then both sign it."""
    agreement = Agreement.objects.get(relationship=relationship)
    mentor, mentee = people_of(relationship)
    version = current_version(agreement)
    terms = AgreementTerms.of(version)
    terms.mentee_expects = "Honest feedback on my customer calls, and an introduction to the pricing team."
    terms.mentor_expects = "An agenda two days before we meet, and a short note after each call you lead."
    terms.linked_goals = goals
    agreement_update(actor=mentee.person, agreement=agreement, terms=terms, based_on=(version.number, version.revision))
    number = current_version(agreement).number
    for person in (mentor.person, mentee.person):
        agreement_sign(actor=person, agreement=agreement, version_number=number, typed_name=person.full_name)


def meet(
    relationship: Relationship, rng: random.Random, *, confirm: bool = True, minutes: int = 60, by: User | None = None
) -> None:
    """The mentor (or `by`) logs a session held two hours ago; the other side confirms it (unless `confirm` is off)."""
    mentor_enrolment, mentee_enrolment = people_of(relationship)
    logger = by or mentor_enrolment.person
    other = mentee_enrolment.person if logger.pk == mentor_enrolment.person_id else mentor_enrolment.person
    data = SessionInput(
        held_at=timezone.now() - timedelta(hours=2),
        minutes=minutes,
        mode=rng.choice(["in_person", "video", "video", "phone"]),
        status=MentoringSession.Status.HELD,
        topics=rng.choice(TOPICS),
        mentor_roles=list(rng.choice(ROLES)),
        shared_notes="Next time: bring the numbers of the last quarter.",
    )
    session = session_log(actor=logger, relationship=relationship, data=data)
    if confirm:
        session_confirm(actor=other, session=session)


def schedule(relationship: Relationship, when: datetime) -> None:
    """The mentor puts the next session in both calendars."""
    mentor, _mentee = people_of(relationship)
    data = SessionInput(
        held_at=when, minutes=60, mode="video", status=MentoringSession.Status.SCHEDULED, topics=TOPICS[0]
    )
    session_log(actor=mentor.person, relationship=relationship, data=data)


def progress(goals: list[DevelopmentGoal], level: int) -> None:
    """The mentee records progress on each goal."""
    for goal in goals:
        data = ProgressInput(timezone.localdate(), min(level, goal.target_level), "Discussed with my mentor.")
        try:
            goal_progress_add(actor=goal.plan.enrolment.person, goal=goal, data=data)
        except DomainError:
            continue


def answer_checkins(rng: random.Random, *, skip: frozenset[int] | set[int] = frozenset()) -> int:
    """Everyone answers the check-ins that are due (except the people in `skip`); how many were answered."""
    answered = 0
    due = CheckIn.objects.filter(answered_at__isnull=True, due_on__lte=timezone.localdate()).select_related(
        "respondent"
    )
    for checkin in due.exclude(respondent_id__in=skip):
        reply = CheckInAnswer(satisfaction=rng.choice([4, 4, 5, 3]), progress=rng.choice([3, 4, 4, 5]), working="yes")
        try:
            checkin_answer(actor=checkin.respondent, checkin=checkin, answer=reply)
            answered += 1
        except DomainError:
            continue
    return answered


def sweep() -> None:
    """The hourly support sweep, run at the demo clock's moment (check-ins due, quiet pairs flagged, ...)."""
    support_sweep(now=timezone.now())


def raise_concern(relationship: Relationship, person: User) -> Concern:
    """A member tells the coordinator that meetings keep slipping (not confidential, medium severity)."""
    return concern_raise(
        actor=person,
        relationship=relationship,
        category=Concern.Category.TIME,
        severity=Concern.Severity.MEDIUM,
        description="We have moved our last three meetings; month-end closing keeps getting in the way.",
        confidential=False,
    )


def withdraw(enrolment: Enrolment) -> None:
    """The person leaves the programme from their application page."""
    enrolment_withdraw(
        actor=enrolment.person, enrolment=enrolment, reason="I have moved to a new role with a heavy travel load."
    )


def close(relationship: Relationship, person: User, rng: random.Random) -> Closure:
    """A member ends the pair (no fault) and both answer their exit survey, which closes it."""
    closure = relationship_close_begin(
        actor=person, relationship=relationship, reason="We reached our goals early.", anticipated=True
    )
    for survey in ExitSurvey.objects.filter(closure=closure).select_related("respondent"):
        exit_survey_submit(
            actor=survey.respondent,
            survey=survey,
            satisfaction=rng.choice([4, 5]),
            goals_met=4,
            would_take_part_again=True,
            wants_rematch=False,
            comments="Practical and friendly; the role plays helped most.",
        )
    return closure


def mark_past_notifications_sent(before: datetime) -> int:
    """The story's e-mails belong to the past: mark outbox rows made before `before` as sent, so the
    sweeper does not send months of history when the demo starts. Later ones (to-dos of today) stay."""
    return Notification.objects.filter(created_at__lt=before, sent_at__isnull=True).update(sent_at=before)
