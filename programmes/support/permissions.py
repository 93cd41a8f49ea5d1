"""Who may see and change the ongoing support of a relationship. One access helper per guarded model.

- A relationship's support page, sessions and shared notes: its members and the programme's coordinators
  (site admins too); HR analysts 403 (counts only, on the dashboard of issue 7); anyone else 404.
- Writing sessions (log, edit, confirm, cancel, the invite): members only; coordinators read (403).
- A check-in and an exit survey: their respondent only; coordinators read them on the support page (403
  here); the other members 404 (they must not learn what was answered).
- A concern: its raiser and the coordinators; the other members only when the raiser did not mark it
  confidential; anyone else 404.
- Coordinator pages (dashboard, contacts, closure, rematch, tasks, settings): coordinators; HR and
  participants 403; outsiders 404.
- A resource: staff see all of the programme's; participants those for their audience; anyone else 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from people.models import User
from programmes.core.permissions import ProgrammeAccess, get_programme_for_user
from programmes.matching.permissions import RelationshipAccess, get_relationship_for_user
from programmes.models import CheckIn, Concern, ExitSurvey, MentoringSession, Resource


def get_relationship_for_support(
    user: User, programme_id: int, relationship_id: int, *, member: bool = False, coordinator: bool = False
) -> RelationshipAccess:
    """A relationship its members and coordinators may see; `member` / `coordinator` narrow who may act (403)."""
    found = get_relationship_for_user(user, programme_id, relationship_id)
    if member and not found.is_member:
        raise PermissionDenied
    if coordinator and not found.access.is_coordinator:
        raise PermissionDenied
    return found


@dataclass(frozen=True)
class SessionAccess:
    found: RelationshipAccess
    session: MentoringSession


def get_session_for_user(
    user: User, programme_id: int, relationship_id: int, session_id: int, *, member: bool = False
) -> SessionAccess:
    """A session of a relationship the user may see (members write, coordinators read)."""
    found = get_relationship_for_support(user, programme_id, relationship_id, member=member)
    session = (
        MentoringSession.objects.select_related("logged_by", "confirmed_by", "relationship__programme")
        .filter(pk=session_id, relationship_id=relationship_id)
        .first()
    )
    if session is None:
        raise Http404
    return SessionAccess(found, session)


def get_checkin_for_user(user: User, programme_id: int, relationship_id: int, checkin_id: int) -> CheckIn:
    """The respondent's own check-in; coordinators 403 (they read it elsewhere), other members 404."""
    found = get_relationship_for_support(user, programme_id, relationship_id)
    checkin = (
        CheckIn.objects.filter(pk=checkin_id, relationship_id=relationship_id).select_related("relationship").first()
    )
    if checkin is None:
        raise Http404
    if checkin.respondent_id == user.pk:
        return checkin
    if found.access.is_coordinator:
        raise PermissionDenied
    raise Http404


def get_concern_for_user(user: User, programme_id: int, relationship_id: int, concern_id: int) -> tuple[Concern, bool]:
    """A concern and whether the user coordinates it; the raiser reads it, others only when not confidential."""
    found = get_relationship_for_support(user, programme_id, relationship_id)
    concern = (
        Concern.objects.filter(pk=concern_id, relationship_id=relationship_id)
        .select_related("raised_by", "handled_by", "relationship__programme")
        .first()
    )
    if concern is None:
        raise Http404
    if found.access.is_coordinator:
        return concern, True
    if concern.raised_by_id == user.pk or (found.is_member and not concern.confidential):
        return concern, False
    raise Http404


def get_exit_survey_for_user(user: User, programme_id: int, relationship_id: int) -> ExitSurvey:
    """The user's own exit survey for a closing or closed relationship; coordinators 403; no survey 404."""
    found = get_relationship_for_support(user, programme_id, relationship_id)
    survey = (
        ExitSurvey.objects.filter(closure__relationship_id=relationship_id, respondent_id=user.pk)
        .select_related("closure__relationship__programme")
        .first()
    )
    if survey is not None:
        return survey
    if found.access.is_coordinator and not found.is_member:
        raise PermissionDenied
    raise Http404


def get_resource_for_user(user: User, programme_id: int, resource_id: int) -> tuple[Resource, ProgrammeAccess]:
    """A resource of a programme the user may read, in their audience (staff: every resource)."""
    access = get_programme_for_user(user, programme_id)
    resource = Resource.objects.filter(pk=resource_id, programme_id=programme_id).first()
    if resource is None:
        raise Http404
    if access.is_coordinator or access.is_hr_analyst or resource.visible_to_roles(access.participant_roles):
        return resource, access
    raise Http404


def coordinator_access(user: User, programme_id: int) -> ProgrammeAccess:
    """Coordinator pages: coordinators only; HR analysts and participants 403; outsiders 404."""
    access = get_programme_for_user(user, programme_id)
    if not access.is_coordinator:
        raise PermissionDenied
    return access
