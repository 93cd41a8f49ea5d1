"""Queries that feed programme pages, the home page and the navigation."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from people.models import User

from .models import Enrolment, Notification, Programme, ProgrammeRole


@dataclass
class UserRoles:
    """Every role one person holds, for the navigation and the home page (two queries)."""

    coordinates: list[Programme] = field(default_factory=list)
    analyses: list[Programme] = field(default_factory=list)
    enrolments: list[Enrolment] = field(default_factory=list)
    is_hr_analyst: bool = False
    is_site_admin: bool = False

    @property
    def is_coordinator(self) -> bool:
        return self.is_site_admin or bool(self.coordinates)

    @property
    def is_participant(self) -> bool:
        return bool(self.enrolments)

    @property
    def is_mentor(self) -> bool:
        return any(e.role in (Enrolment.Role.MENTOR, Enrolment.Role.FACILITATOR) for e in self.enrolments)

    @property
    def is_mentee(self) -> bool:
        return any(e.role in (Enrolment.Role.MENTEE, Enrolment.Role.PEER) for e in self.enrolments)

    @property
    def sees_reports(self) -> bool:
        return self.is_hr_analyst or bool(self.analyses) or self.is_site_admin


def roles_for_user(*, user: User) -> UserRoles:
    """The programmes a person coordinates or analyses, and their own enrolments."""
    roles = UserRoles(is_hr_analyst=user.is_hr_analyst, is_site_admin=user.is_site_admin)
    for staff in ProgrammeRole.objects.filter(user=user).select_related("programme"):
        target = roles.coordinates if staff.role == ProgrammeRole.Role.COORDINATOR else roles.analyses
        target.append(staff.programme)
    roles.enrolments = list(
        Enrolment.objects.filter(person=user).exclude(state=Enrolment.State.WITHDRAWN).select_related("programme")
    )
    return roles


def programme_list_for_user(*, user: User) -> QuerySet[Programme]:
    """The programmes a person may see: all for site admins and HR analysts, else their own."""
    programmes = Programme.objects.all()
    if user.is_site_admin or user.is_hr_analyst:
        return programmes.order_by("name")
    return (
        programmes.filter(Q(staff_roles__user=user) | Q(enrolments__person=user, enrolments__state__in=_ACTIVE_STATES))
        .distinct()
        .order_by("name")
    )


_ACTIVE_STATES = [s for s in Enrolment.State.values if s != Enrolment.State.WITHDRAWN]


def notification_list_for_user(*, user: User) -> QuerySet[Notification]:
    """A person's in-app notifications that are due, newest first."""
    from django.utils import timezone

    return Notification.objects.filter(recipient=user, due_at__lte=timezone.now()).order_by("-due_at")


def unread_notification_count(*, user: User) -> int:
    """How many due notifications the person has not read."""
    return notification_list_for_user(user=user).filter(read_at__isnull=True).count()
