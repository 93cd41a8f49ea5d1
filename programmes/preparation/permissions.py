"""Who may see orientation, agreements and development plans.

- Orientation: each person reads the modules of their audiences in the programme (mentors and facilitators
  the mentors' modules, mentees and peers the mentees', managers of enrolled mentees the managers',
  coordinators the coordinators'); coordinators manage modules and see completion; HR analysts 403;
  anyone else 404.
- An agreement: the relationship's members read, edit and sign it; coordinators read it; HR 403; anyone
  else (the mentee's manager too) 404.
- A development plan: the mentee, their mentors and the coordinators read it; HR 403; anyone else 404.
  The manager's page of a plan shows only the goals the mentee shared: the mentee's manager reads it;
  the mentee, coordinators and HR 403; anyone else 404.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from people.models import User
from programmes.core.permissions import ProgrammeAccess, programme_access
from programmes.core.states import ENROLMENT_GONE
from programmes.matching.permissions import RelationshipAccess, get_relationship_for_user
from programmes.models import AUDIENCE_FOR_ROLE, Agreement, DevelopmentPlan, Enrolment, OrientationModule, Programme

from .services.development import MENTEE_SIDE, mentor_ids_for

Audience = OrientationModule.Audience
# Enrolments that still count for orientation (declined and withdrawn people have nothing to read).
_GONE = ENROLMENT_GONE


def orientation_audiences(user: User, programme: Programme, access: ProgrammeAccess) -> frozenset[str]:
    """The audiences whose modules `user` reads in `programme` (two queries)."""
    audiences: set[str] = set()
    roles = (
        Enrolment.objects.filter(programme=programme, person_id=user.pk)
        .exclude(state__in=_GONE)
        .values_list("role", flat=True)
    )
    audiences.update(AUDIENCE_FOR_ROLE[role] for role in roles if role in AUDIENCE_FOR_ROLE)
    if (
        Enrolment.objects.filter(programme=programme, person__manager_id=user.pk, role__in=MENTEE_SIDE)
        .exclude(state__in=_GONE)
        .exists()
    ):
        audiences.add(Audience.MANAGER)
    if access.is_coordinator:
        audiences.add(Audience.COORDINATOR)
    return frozenset(audiences)


@dataclass(frozen=True)
class OrientationAccess:
    programme: Programme
    access: ProgrammeAccess
    audiences: frozenset[str]

    @property
    def is_coordinator(self) -> bool:
        return self.access.is_coordinator


def get_orientation_for_user(user: User, programme_id: int) -> OrientationAccess:
    """Anyone with an audience in the programme; HR analysts (and staff without one) 403; anyone else 404."""
    programme = Programme.objects.filter(pk=programme_id).first()
    if programme is None:
        raise Http404
    access = programme_access(user, programme)
    audiences = orientation_audiences(user, programme, access)
    if audiences:
        return OrientationAccess(programme, access, audiences)
    if access.can_read:
        raise PermissionDenied
    raise Http404


def get_module_for_user(found: OrientationAccess, module_id: int) -> OrientationModule:
    """A module of the reader's audiences (coordinators may open every module of their programme)."""
    module = (
        OrientationModule.objects.prefetch_related("texts__questions")
        .filter(pk=module_id, programme=found.programme)
        .first()
    )
    if module is None or not (module.audience in found.audiences or found.is_coordinator):
        raise Http404
    return module


# --- Agreements --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementAccess:
    agreement: Agreement
    found: RelationshipAccess

    @property
    def can_write(self) -> bool:
        return self.found.is_member


def get_agreement_for_user(
    user: User, programme_id: int, relationship_id: int, *, write: bool = False
) -> AgreementAccess:
    """The relationship's members (read, write) and coordinators (read); HR 403; anyone else 404.

    404 too when the relationship has no agreement yet (it is drafted when everyone accepts).
    """
    found = get_relationship_for_user(user, programme_id, relationship_id)
    agreement = Agreement.objects.filter(relationship=found.relationship).first()
    if agreement is None:
        raise Http404
    if write and not found.is_member:
        raise PermissionDenied
    return AgreementAccess(agreement, found)


# --- Development plans ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanAccess:
    """A mentee's enrolment, its plan (None until the first goal), and what the viewer is to it."""

    enrolment: Enrolment
    plan: DevelopmentPlan | None
    is_owner: bool
    is_mentor: bool
    is_coordinator: bool

    @property
    def can_edit_goals(self) -> bool:
        return self.is_owner

    @property
    def is_pair(self) -> bool:
        return self.is_owner or self.is_mentor


def _mentee_enrolment(programme_id: int, enrolment_id: int) -> Enrolment:
    enrolment = (
        Enrolment.objects.select_related("programme", "person", "person__manager")
        .filter(pk=enrolment_id, programme_id=programme_id, role__in=MENTEE_SIDE)
        .first()
    )
    if enrolment is None:
        raise Http404
    return enrolment


def get_plan_for_user(user: User, programme_id: int, enrolment_id: int, *, write: bool = False) -> PlanAccess:
    """The plan page: the mentee and their mentors (read, write), coordinators (read, comment); HR 403; else 404.

    With `write`, coordinators get 403 (the views that let them comment do not ask for it).
    """
    enrolment = _mentee_enrolment(programme_id, enrolment_id)
    plan = DevelopmentPlan.objects.filter(enrolment=enrolment).first()
    is_owner = enrolment.person_id == user.pk
    is_mentor = not is_owner and user.pk in mentor_ids_for(enrolment)
    access = programme_access(user, enrolment.programme)
    found = PlanAccess(enrolment, plan, is_owner, is_mentor, access.is_coordinator)
    if is_owner or is_mentor:
        return found
    if access.is_coordinator:
        if write:
            raise PermissionDenied
        return found
    if access.is_hr_analyst:
        raise PermissionDenied
    raise Http404


def get_plan_for_manager(user: User, programme_id: int, enrolment_id: int) -> PlanAccess:
    """The manager's page: the mentee's manager only; the mentee, coordinators and HR 403; anyone else 404."""
    enrolment = _mentee_enrolment(programme_id, enrolment_id)
    if enrolment.person.manager_id == user.pk:
        plan = DevelopmentPlan.objects.filter(enrolment=enrolment).first()
        return PlanAccess(enrolment, plan, False, False, False)
    access = programme_access(user, enrolment.programme)
    if enrolment.person_id == user.pk or access.is_coordinator or access.is_hr_analyst:
        raise PermissionDenied
    raise Http404
