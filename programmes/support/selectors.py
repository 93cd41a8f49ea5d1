"""Queries that feed the support pages of one relationship, the resource library and the participant home.

Scoping happens here: a member gets their own check-ins and exit survey, the concerns they may read and
their own private notes; coordinators get everything but private notes, which nobody but their author
ever gets (PrivateNote.objects.by(author) is the only read path).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from people.models import User
from programmes.core.states import RUNNING, can_log_sessions
from programmes.models import (
    CheckIn,
    Closure,
    Concern,
    CoordinatorContact,
    CoordinatorTask,
    Enrolment,
    ExitSurvey,
    MentoringSession,
    PrivateNote,
    Relationship,
    RelationshipHealth,
    RelationshipMember,
    Resource,
)

if TYPE_CHECKING:  # the access policy reads these; selectors only take the Standing a page was given
    from programmes.access import Standing

Status = MentoringSession.Status


def session_list_for_relationship(*, relationship: Relationship) -> QuerySet[MentoringSession]:
    """Every session of a relationship, newest first, with who logged and confirmed it (no private notes)."""
    return MentoringSession.objects.filter(relationship=relationship).select_related("logged_by", "confirmed_by")


def private_notes_for(*, author: User, sessions: list[MentoringSession]) -> dict[int, str]:
    """The author's own private notes on these sessions: {session id: text}."""
    rows = PrivateNote.objects.by(author).filter(session_id__in=[s.pk for s in sessions])
    return dict(rows.values_list("session_id", "text"))


def goal_texts_for(relationship: Relationship) -> list[str]:
    """Goals a session may address: the mentees' goals, one a line.

    TODO(issue 5): offer the mentee's DevelopmentGoal rows instead once the development plan exists.
    """
    texts: list[str] = []
    mentees = relationship.members.exclude(
        role__in=(RelationshipMember.Role.MENTOR, RelationshipMember.Role.FACILITATOR)
    )
    for goals in mentees.values_list("enrolment__goals", flat=True):
        for line in (goals or "").splitlines():
            line = line.strip(" -•*\t")
            if line and line not in texts:
                texts.append(line[:300])
    return texts[:20]


@dataclass
class SupportOverview:
    """Everything the relationship's support page shows to one person, scoped to who they are."""

    relationship: Relationship
    members: list[RelationshipMember]
    is_member: bool
    is_coordinator: bool
    health: RelationshipHealth | None
    upcoming: list[MentoringSession]
    recent: list[MentoringSession]
    to_confirm: list[MentoringSession]
    my_checkins: list[CheckIn]
    checkins: list[CheckIn] = field(default_factory=list)  # coordinators: everyone's
    contacts: list[CoordinatorContact] = field(default_factory=list)
    concerns: list[Concern] = field(default_factory=list)
    tasks: list[CoordinatorTask] = field(default_factory=list)
    closure: Closure | None = None
    my_exit_survey: ExitSurvey | None = None
    exit_surveys: list[ExitSurvey] = field(default_factory=list)
    term_ends_on: date | None = None
    can_log: bool = False


def support_overview_for(*, found: Standing, user: User) -> SupportOverview:
    """The support page of one relationship for a member or a coordinator (a constant number of queries)."""
    relationship = found.pair
    now = timezone.now()
    members = list(relationship.members.select_related("enrolment__person").order_by("role", "pk"))
    sessions = session_list_for_relationship(relationship=relationship)
    health = RelationshipHealth.objects.filter(relationship=relationship).first()
    closure = Closure.objects.filter(relationship=relationship).select_related("rematched_to").first()
    overview = SupportOverview(
        relationship=relationship,
        members=members,
        is_member=found.is_member,
        is_coordinator=found.is_coordinator,
        health=health,
        upcoming=list(sessions.filter(status=Status.SCHEDULED, held_at__gte=now).order_by("held_at")[:5]),
        recent=list(sessions.exclude(status=Status.SCHEDULED, held_at__gte=now)[:10]),
        to_confirm=list(
            sessions.filter(
                status__in=(Status.HELD, Status.NO_SHOW), confirmation=MentoringSession.Confirmation.PENDING
            ).exclude(logged_by=user)
        )
        if found.is_member
        else [],
        my_checkins=list(CheckIn.objects.filter(relationship=relationship, respondent=user).order_by("-round")[:5]),
        closure=closure,
        can_log=found.is_member and can_log_sessions(relationship),
    )
    if health is not None:
        overview.term_ends_on = health.term_ends_on(relationship.programme.term_months)
    concerns = Concern.objects.filter(relationship=relationship).select_related("raised_by")
    if closure is not None:
        surveys = ExitSurvey.objects.filter(closure=closure).select_related("respondent")
        overview.my_exit_survey = surveys.filter(respondent=user).first()
    if found.is_coordinator:
        overview.checkins = list(
            CheckIn.objects.filter(relationship=relationship).select_related("respondent").order_by("-round", "pk")[:20]
        )
        overview.contacts = list(
            CoordinatorContact.objects.filter(relationship=relationship).select_related("coordinator")[:10]
        )
        overview.concerns = list(concerns)
        overview.tasks = list(
            CoordinatorTask.objects.filter(relationship=relationship, state=CoordinatorTask.State.OPEN)
        )
        if closure is not None:
            overview.exit_surveys = list(surveys)
    else:
        overview.concerns = list(concerns.filter(Q(raised_by=user) | Q(confidential=False)))
    return overview


def resource_list_for_user(*, access: Standing, tag: str = "") -> list[Resource]:
    """The programme's library as this person may see it: all for staff, their audience for participants.

    A library holds tens of items, so the tag and audience filters run here rather than as JSON lookups
    (which differ between SQLite and PostgreSQL).
    """
    rows = list(Resource.objects.filter(programme=access.programme).order_by("title", "pk"))
    if tag:
        rows = [r for r in rows if tag in r.tags]
    if access.is_coordinator or access.is_hr_analyst:
        return rows
    return [r for r in rows if r.visible_to_roles(access.participant_roles)]


# --- The participant's home page ----------------------------------------------------------------------------


@dataclass
class ParticipantItem:
    """One running relationship of a participant: what is next and what is due."""

    relationship: Relationship
    others: list[str]
    next_session: MentoringSession | None = None
    to_confirm: int = 0
    checkins_due: list[CheckIn] = field(default_factory=list)
    exit_survey_due: bool = False
    goals: list[str] = field(default_factory=list)
    last_held: datetime | None = None


def participant_panels_for(*, user: User) -> list[ParticipantItem]:
    """The person's running relationships with next session, open goals and what is due (six queries)."""
    memberships = list(
        RelationshipMember.objects.filter(enrolment__person=user, relationship__state__in=RUNNING)
        .select_related("relationship__programme")
        .order_by("relationship_id")
    )
    relationships = {m.relationship_id: m.relationship for m in memberships}
    if not relationships:
        return []
    items = {pk: ParticipantItem(relationship=r, others=[]) for pk, r in relationships.items()}
    everyone = RelationshipMember.objects.filter(relationship_id__in=relationships).select_related("enrolment__person")
    for member in everyone:
        item = items[member.relationship_id]
        if member.enrolment.person_id != user.pk:
            item.others.append(member.enrolment.person.get_full_name())
        elif not member.gives:
            item.goals = _goal_lines(member.enrolment)
    now = timezone.now()
    upcoming = MentoringSession.objects.filter(
        relationship_id__in=relationships, status=Status.SCHEDULED, held_at__gte=now
    ).order_by("held_at")
    for session in upcoming:
        if items[session.relationship_id].next_session is None:
            items[session.relationship_id].next_session = session
    pending = MentoringSession.objects.filter(
        relationship_id__in=relationships,
        status__in=(Status.HELD, Status.NO_SHOW),
        confirmation=MentoringSession.Confirmation.PENDING,
    ).exclude(logged_by=user)
    for relationship_id in pending.values_list("relationship_id", flat=True):
        items[relationship_id].to_confirm += 1
    for checkin in CheckIn.objects.filter(relationship_id__in=relationships, respondent=user, answered_at__isnull=True):
        items[checkin.relationship_id].checkins_due.append(checkin)
    surveys = ExitSurvey.objects.filter(
        closure__relationship_id__in=relationships, respondent=user, submitted_at__isnull=True
    )
    for relationship_id in surveys.values_list("closure__relationship_id", flat=True):
        items[relationship_id].exit_survey_due = True
    return list(items.values())


def _goal_lines(enrolment: Enrolment) -> list[str]:
    """A mentee's goals from their application, one a line.

    TODO(issue 5): the open DevelopmentGoal rows (open, on track, at risk) once the development plan exists.
    """
    return [line.strip(" -•*\t") for line in (enrolment.goals or "").splitlines() if line.strip(" -•*\t")][:5]
