"""Who may see and change recruitment, applications, matching and relationships.

- The recruitment page of a programme that is recruiting is open to every signed-in current employee;
  otherwise only to the programme's own people (anyone else: 404).
- An application: its applicant reads and edits it; the programme's coordinators read and screen it;
  the applicant's manager sees it only on the approval page; HR analysts read aggregates only (403);
  anyone else 404.
- Match runs, proposals and settings: coordinators; HR analysts and participants 403; anyone else 404.
- A relationship: its members read and answer it, coordinators read it; HR 403; anyone else 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse

from people.models import User
from people.permissions import ViewFunc
from people.types import AuthedRequest
from programmes.core.permissions import ProgrammeAccess, get_programme_for_user, programme_access
from programmes.models import Enrolment, Programme, Recruitment, Relationship


def recruitment_access(user: User, programme_id: int) -> ProgrammeAccess:
    """The recruitment page: staff and participants always; other current employees while it recruits."""
    programme = Programme.objects.filter(pk=programme_id).first()
    if programme is None:
        raise Http404
    access = programme_access(user, programme)
    if access.can_read:
        return access
    recruitment = Recruitment.objects.filter(programme=programme).first()
    if recruitment is not None and recruitment.accepts_applications() and user.is_active and not user.has_left():
        return access
    raise Http404


def staff_access(user: User, programme_id: int, *, write: bool) -> ProgrammeAccess:
    """Staff pages: coordinators read and write, HR analysts read; participants 403; outsiders 404."""
    access = get_programme_for_user(user, programme_id, write=write)
    if not (access.is_coordinator or access.is_hr_analyst):
        raise PermissionDenied
    return access


def matching_coordinator_required(view: ViewFunc) -> ViewFunc:
    """Individual applications, runs and proposals: coordinators only (HR reads aggregates only)."""

    @wraps(view)
    def wrapper(request: AuthedRequest, programme_id: int, *args: Any, **kwargs: Any) -> HttpResponse:
        access = get_programme_for_user(request.user, programme_id)
        if not access.is_coordinator:
            raise PermissionDenied
        return view(request, access, *args, **kwargs)

    return wrapper


def staff_page(view: ViewFunc) -> ViewFunc:
    """Staff read (GET), coordinators write (POST); passes `access`."""

    @wraps(view)
    def wrapper(request: AuthedRequest, programme_id: int, *args: Any, **kwargs: Any) -> HttpResponse:
        access = staff_access(request.user, programme_id, write=request.method not in ("GET", "HEAD"))
        return view(request, access, *args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class EnrolmentAccess:
    """One application and what the person looking at it is to it."""

    enrolment: Enrolment
    access: ProgrammeAccess
    is_own: bool

    @property
    def is_coordinator(self) -> bool:
        return self.access.is_coordinator


def get_enrolment_for_user(user: User, programme_id: int, enrolment_id: int, *, own: bool = False) -> EnrolmentAccess:
    """An application its applicant or the programme's coordinators may see.

    404 when out of scope (another person's application, or not in the programme at all); 403 for HR
    analysts, and for coordinators when `own` asks for the applicant themselves.
    """
    enrolment = (
        Enrolment.objects.select_related("programme", "person", "person__org_unit", "person__manager")
        .filter(pk=enrolment_id, programme_id=programme_id)
        .first()
    )
    if enrolment is None:
        raise Http404
    access = programme_access(user, enrolment.programme)
    is_own = enrolment.person_id == user.pk
    if is_own:
        return EnrolmentAccess(enrolment, access, True)
    if access.is_coordinator:
        if own:
            raise PermissionDenied
        return EnrolmentAccess(enrolment, access, False)
    if access.is_hr_analyst:
        raise PermissionDenied
    raise Http404


def get_enrolment_for_manager(user: User, programme_id: int, enrolment_id: int) -> Enrolment:
    """The approval page: the applicant's manager only; coordinators 403; everyone else 404."""
    enrolment = (
        Enrolment.objects.select_related("programme", "person")
        .filter(pk=enrolment_id, programme_id=programme_id)
        .first()
    )
    if enrolment is None:
        raise Http404
    if enrolment.person.manager_id == user.pk:
        return enrolment
    access = programme_access(user, enrolment.programme)
    if access.is_coordinator or access.is_hr_analyst or enrolment.person_id == user.pk:
        raise PermissionDenied
    raise Http404


@dataclass(frozen=True)
class RelationshipAccess:
    """A relationship, and the member row of the person looking (None for a coordinator)."""

    relationship: Relationship
    access: ProgrammeAccess
    member_enrolment_ids: frozenset[int]

    @property
    def is_member(self) -> bool:
        return bool(self.member_enrolment_ids)


def get_relationship_for_user(user: User, programme_id: int, relationship_id: int) -> RelationshipAccess:
    """A relationship its members and the programme's coordinators may see; HR 403; anyone else 404."""
    relationship = (
        Relationship.objects.select_related("programme").filter(pk=relationship_id, programme_id=programme_id).first()
    )
    if relationship is None:
        raise Http404
    mine = frozenset(relationship.members.filter(enrolment__person_id=user.pk).values_list("enrolment_id", flat=True))
    access = programme_access(user, relationship.programme)
    if mine or access.is_coordinator:
        return RelationshipAccess(relationship, access, mine)
    if access.is_hr_analyst:
        raise PermissionDenied
    raise Http404
