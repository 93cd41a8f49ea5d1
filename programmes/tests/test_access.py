"""The one access policy: its table against the rules as the old helpers wrote them, and the roles it finds.

The table is checked for every consistent combination of roles against a reference written as
the if-chains of the helpers it replaced (programmes/permissions*.py before issue 15), so a changed row
fails here before it reaches the permission matrix.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.exceptions import NotFound

from conftest import Personas
from people.tests.factories import UserFactory
from programmes.access import RULES, Action, Outcome, Role, Standing, decide, may
from programmes.access_pages import PolicyPermission, allowed
from programmes.models import (
    CheckIn,
    Concern,
    Enrolment,
    Programme,
    ProgrammeRole,
    Relationship,
    Resource,
)
from programmes.tests.factories import (
    ProgrammeRoleFactory,
    RecruitmentFactory,
    RelationshipFactory,
    RelationshipMemberFactory,
)

R = Role
ALLOW, FORBID, HIDE = Outcome.ALLOW, Outcome.FORBID, Outcome.HIDE
Roles = frozenset[Role]


def _staff(roles: Roles, *, write: bool = False) -> Outcome:
    """get_programme_for_user: 404 unless coordinator, HR or participant; with write, 403 unless coordinator."""
    if not roles & {R.COORDINATOR, R.HR_ANALYST, R.PARTICIPANT}:
        return HIDE
    if write and R.COORDINATOR not in roles:
        return FORBID
    return ALLOW


def _staff_page(roles: Roles, *, write: bool) -> Outcome:
    """design_page / staff_page / get_evaluation_access: staff read, coordinators write, participants 403."""
    outcome = _staff(roles, write=write)
    if outcome is ALLOW and not roles & {R.COORDINATOR, R.HR_ANALYST}:
        return FORBID
    return outcome


def _relationship(roles: Roles) -> Outcome:
    """get_relationship_for_user: members and coordinators; HR 403; else 404."""
    if roles & {R.MEMBER, R.COORDINATOR}:
        return ALLOW
    return FORBID if R.HR_ANALYST in roles else HIDE


def _then(first: Outcome, second: Callable[[], Outcome]) -> Outcome:
    return second() if first is ALLOW else first


def _application(roles: Roles, *, own: bool) -> Outcome:
    """get_enrolment_for_user."""
    if R.APPLICANT in roles:
        return ALLOW
    if R.COORDINATOR in roles:
        return FORBID if own else ALLOW
    return FORBID if R.HR_ANALYST in roles else HIDE


def _manager_page(roles: Roles) -> Outcome:
    """get_enrolment_for_manager and get_plan_for_manager."""
    if R.MANAGER in roles:
        return ALLOW
    return FORBID if roles & {R.COORDINATOR, R.HR_ANALYST, R.APPLICANT} else HIDE


def _plan(roles: Roles, *, write: bool) -> Outcome:
    """get_plan_for_user."""
    if roles & {R.APPLICANT, R.MENTOR}:
        return ALLOW
    if R.COORDINATOR in roles:
        return FORBID if write else ALLOW
    return FORBID if R.HR_ANALYST in roles else HIDE


def _orientation(roles: Roles) -> Outcome:
    """get_orientation_for_user."""
    if R.ORIENTEE in roles:
        return ALLOW
    return FORBID if roles & {R.COORDINATOR, R.HR_ANALYST, R.PARTICIPANT} else HIDE


def _module(roles: Roles) -> Outcome:
    """get_module_for_user after get_orientation_for_user: the reader's audiences, coordinators every module."""
    return _then(_orientation(roles), lambda: ALLOW if roles & {R.AUDIENCE, R.COORDINATOR} else HIDE)


def _resource(roles: Roles) -> Outcome:
    """get_resource_for_user (after get_programme_for_user: an audience is always a participant)."""
    return _then(_staff(roles), lambda: ALLOW if roles & {R.COORDINATOR, R.HR_ANALYST, R.AUDIENCE} else HIDE)


def _concern(roles: Roles, *, confidential: bool) -> Outcome:
    """get_concern_for_user."""

    def inner() -> Outcome:
        if R.COORDINATOR in roles or R.OWNER in roles or (R.MEMBER in roles and not confidential):
            return ALLOW
        return HIDE

    return _then(_relationship(roles), inner)


REFERENCE: dict[Action, Callable[[Roles], Outcome]] = {
    Action.CREATE_PROGRAMME: lambda r: ALLOW if r & {R.COORDINATOR, R.HR_ANALYST} else FORBID,
    Action.VIEW_PROGRAMME: _staff,
    Action.VIEW_RECRUITMENT: lambda r: ALLOW if _staff(r) is ALLOW or R.CANDIDATE in r else HIDE,
    Action.READ_STAFF_PAGES: lambda r: _staff_page(r, write=False),
    Action.MANAGE_PROGRAMME: lambda r: _staff_page(r, write=True),
    Action.VIEW_ORIENTATION: _orientation,
    Action.VIEW_MODULE: _module,
    Action.COMPLETE_MODULE: lambda r: _then(_module(r), lambda: ALLOW if R.AUDIENCE in r else FORBID),
    Action.VIEW_RESOURCE: _resource,
    Action.DELETE_RESOURCE: lambda r: _then(_resource(r), lambda: ALLOW if R.COORDINATOR in r else FORBID),
    Action.VIEW_APPLICATION: lambda r: _application(r, own=False),
    Action.EDIT_APPLICATION: lambda r: _application(r, own=True),
    Action.SCREEN_APPLICATION: lambda r: _then(
        _application(r, own=False), lambda: ALLOW if R.COORDINATOR in r else FORBID
    ),
    Action.DECIDE_AS_MANAGER: _manager_page,
    Action.VIEW_PLAN: lambda r: _plan(r, write=False),
    Action.WORK_ON_PLAN: lambda r: _plan(r, write=True),
    Action.EDIT_GOALS: lambda r: _then(_plan(r, write=True), lambda: ALLOW if R.APPLICANT in r else FORBID),
    Action.VIEW_SHARED_GOALS: _manager_page,
    Action.VIEW_RELATIONSHIP: _relationship,
    Action.ACT_IN_RELATIONSHIP: lambda r: _then(_relationship(r), lambda: ALLOW if R.MEMBER in r else FORBID),
    Action.COORDINATE_RELATIONSHIP: lambda r: _then(_relationship(r), lambda: ALLOW if R.COORDINATOR in r else FORBID),
    Action.GIVE_READ_REASON: lambda r: _then(_relationship(r), lambda: ALLOW if R.OUTSIDE_READER in r else FORBID),
    Action.ANSWER_CHECKIN: lambda r: _then(
        _relationship(r), lambda: ALLOW if R.OWNER in r else (FORBID if R.COORDINATOR in r else HIDE)
    ),
    Action.VIEW_CONCERN: lambda r: _concern(r, confidential=True),
    Action.VIEW_SHARED_CONCERN: lambda r: _concern(r, confidential=False),
    Action.ANSWER_EXIT_SURVEY: lambda r: _then(
        _relationship(r),
        lambda: ALLOW if R.OWNER in r else (FORBID if R.COORDINATOR in r and R.MEMBER not in r else HIDE),
    ),
}


def consistent(roles: set[Role]) -> Roles:
    """Roles as the world makes them (for signed-in people: the middleware sends anyone else to sign in):
    coordinators always read orientation, an outside reader is a coordinator
    outside the pair, nobody mentors their own plan, owners of a pair's check-ins and concerns are members,
    and only participants with an orientation are in a resource's or module's audience."""
    roles = (set(roles) - {R.OUTSIDE_READER}) | {R.SIGNED_IN}
    if R.COORDINATOR in roles:
        roles.add(R.ORIENTEE)
        if R.MEMBER not in roles:
            roles.add(R.OUTSIDE_READER)
    if R.APPLICANT in roles:
        roles.discard(R.MENTOR)
    if R.OWNER in roles:
        roles.add(R.MEMBER)
        roles.discard(R.OUTSIDE_READER)
    if R.AUDIENCE in roles:  # of a resource (participants) or a module (people with an orientation)
        roles |= {R.PARTICIPANT, R.ORIENTEE}
    return frozenset(roles)


def test_every_action_has_a_rule_and_a_reference() -> None:
    assert set(RULES) == set(Action) == set(REFERENCE)


# Every combination of roles the world can make (a few hundred): small enough to check them all.
ALL_ROLE_SETS = sorted(
    {consistent(set(combo)) for n in range(len(Role) + 1) for combo in itertools.combinations(Role, n)},
    key=sorted,
)


@pytest.mark.parametrize("action", list(Action))
def test_the_table_decides_every_combination_of_roles_as_the_old_helpers_did(action: Action) -> None:
    wrong = [
        (sorted(roles), decide(action, roles.__contains__), REFERENCE[action](roles))
        for roles in ALL_ROLE_SETS
        if decide(action, roles.__contains__) is not REFERENCE[action](roles)
    ]
    assert not wrong, f"{action}: (roles, table, reference) {wrong[:3]}"


@given(st.sampled_from(Action))
def test_nobody_is_told_an_object_exists_by_a_rule_that_names_no_role(action: Action) -> None:
    assert decide(action, lambda role: False) is HIDE


# --- the roles the policy finds in the database -------------------------------------------------------------------


def _roles(user: object, **target: object) -> frozenset[Role]:
    """The roles beyond being signed in."""
    return Standing(user, **target).roles - {R.SIGNED_IN}  # type: ignore[arg-type]


def _pair(personas: Personas) -> Relationship:
    relationship = RelationshipFactory(programme=personas.programme, state=Relationship.State.ACTIVE)
    for person, role in ((personas.mentor, "mentor"), (personas.mentee, "mentee")):
        enrolment = Enrolment.objects.get(programme=personas.programme, person=person)
        RelationshipMemberFactory(relationship=relationship, enrolment=enrolment, role=role)
    return relationship


@pytest.mark.django_db
def test_programme_roles_of_each_persona(personas: Personas) -> None:
    programme = personas.programme
    assert _roles(personas.coordinator, programme=programme) == {R.COORDINATOR, R.ORIENTEE}
    assert _roles(personas.admin, programme=programme) == {R.COORDINATOR, R.ORIENTEE}
    assert _roles(personas.hr_analyst, programme=programme) == {R.HR_ANALYST}
    # The mentor is also the mentee's line manager: the managers' orientation is theirs too.
    assert _roles(personas.mentor, programme=programme) == {R.PARTICIPANT, R.ORIENTEE}
    assert _roles(personas.mentee, programme=programme) == {R.PARTICIPANT, R.ORIENTEE}
    assert _roles(personas.outsider, programme=programme) == set()
    assert _roles(personas.outsider, programme=personas.other_programme) == {R.PARTICIPANT, R.ORIENTEE}


@pytest.mark.django_db
def test_an_hr_role_in_one_programme_is_not_hr_in_another(personas: Personas) -> None:
    analyst = UserFactory()
    ProgrammeRoleFactory(programme=personas.programme, user=analyst, role=ProgrammeRole.Role.HR_ANALYST)
    assert may(analyst, Action.READ_STAFF_PAGES, personas.programme)
    assert not may(analyst, Action.MANAGE_PROGRAMME, personas.programme)
    assert not may(analyst, Action.VIEW_PROGRAMME, personas.other_programme)
    assert not may(analyst, Action.CREATE_PROGRAMME)


@pytest.mark.django_db
def test_a_withdrawn_participant_is_out_of_the_programme(personas: Personas) -> None:
    Enrolment.objects.filter(person=personas.mentee).update(state=Enrolment.State.WITHDRAWN)
    assert not may(personas.mentee, Action.VIEW_PROGRAMME, personas.programme)
    assert Standing(personas.mentee, personas.programme).decide(Action.MANAGE_PROGRAMME) is HIDE


@pytest.mark.django_db
def test_anyone_who_coordinates_somewhere_may_start_a_programme(personas: Personas) -> None:
    assert may(personas.coordinator, Action.CREATE_PROGRAMME)
    assert may(personas.hr_analyst, Action.CREATE_PROGRAMME)
    assert may(personas.admin, Action.CREATE_PROGRAMME)
    assert not may(personas.mentor, Action.CREATE_PROGRAMME)
    assert not may(None, Action.VIEW_PROGRAMME, personas.programme)


@pytest.mark.django_db
def test_employees_see_the_recruitment_page_only_while_it_recruits(personas: Personas) -> None:
    programme = personas.programme
    recruitment = RecruitmentFactory(programme=programme, is_open=True)
    Programme.objects.filter(pk=programme.pk).update(phase=Programme.Phase.IMPLEMENTATION)
    programme.refresh_from_db()
    assert may(personas.outsider, Action.VIEW_RECRUITMENT, programme)
    leaver = UserFactory(left_date=timezone.localdate() - timedelta(days=1))
    assert not may(leaver, Action.VIEW_RECRUITMENT, programme)
    recruitment.is_open = False
    recruitment.save()
    assert not may(personas.outsider, Action.VIEW_RECRUITMENT, programme)
    assert may(personas.mentee, Action.VIEW_RECRUITMENT, programme)


@pytest.mark.django_db
def test_relationship_roles_members_and_the_coordinator_outside_the_pair(personas: Personas) -> None:
    relationship = _pair(personas)
    assert _roles(personas.coordinator, programme=personas.programme, relationship=relationship) == {
        R.COORDINATOR,
        R.ORIENTEE,
        R.OUTSIDE_READER,
    }
    assert R.MEMBER in _roles(personas.mentee, programme=personas.programme, relationship=relationship)
    assert may(personas.mentor, Action.ACT_IN_RELATIONSHIP, relationship)
    assert not may(personas.coordinator, Action.ACT_IN_RELATIONSHIP, relationship)
    assert Standing(personas.hr_analyst, personas.programme, relationship).decide(Action.VIEW_RELATIONSHIP) is FORBID
    assert Standing(personas.outsider, personas.programme, relationship).decide(Action.VIEW_RELATIONSHIP) is HIDE


@pytest.mark.django_db
def test_application_roles_applicant_manager_and_mentor(personas: Personas) -> None:
    relationship = _pair(personas)
    mentee = Enrolment.objects.get(programme=personas.programme, person=personas.mentee)
    assert _roles(personas.mentee, programme=personas.programme, enrolment=mentee) >= {R.APPLICANT}
    mentor_roles = _roles(personas.mentor, programme=personas.programme, enrolment=mentee)
    assert {R.MANAGER, R.MENTOR} <= mentor_roles  # the persona mentor is also the mentee's line manager
    assert may(personas.mentor, Action.WORK_ON_PLAN, mentee)
    assert not may(personas.mentor, Action.EDIT_GOALS, mentee)
    relationship.state = Relationship.State.CLOSED
    relationship.save()
    assert R.MENTOR not in _roles(personas.mentor, programme=personas.programme, enrolment=mentee)


@pytest.mark.django_db
def test_owners_of_check_ins_and_concerns(personas: Personas) -> None:
    relationship = _pair(personas)
    checkin = CheckIn(relationship=relationship, respondent=personas.mentee, round=1)
    assert may(personas.mentee, Action.ANSWER_CHECKIN, checkin)
    assert not may(personas.mentor, Action.ANSWER_CHECKIN, checkin)
    assert (
        Standing(personas.coordinator, personas.programme, relationship, about=checkin).decide(Action.ANSWER_CHECKIN)
        is FORBID
    )
    concern = Concern(relationship=relationship, raised_by=personas.mentee, confidential=True)
    assert may(personas.mentee, Action.VIEW_CONCERN, concern)
    assert not may(personas.mentor, Action.VIEW_CONCERN, concern)
    assert may(personas.mentor, Action.VIEW_SHARED_CONCERN, concern)


@pytest.mark.django_db
def test_a_resource_is_read_by_its_audience(personas: Personas) -> None:
    resource = Resource(programme=personas.programme, audience=Resource.Audience.MENTEES, title="Guide")
    assert may(personas.mentee, Action.VIEW_RESOURCE, resource)
    assert not may(personas.mentor, Action.VIEW_RESOURCE, resource)
    assert may(personas.hr_analyst, Action.VIEW_RESOURCE, resource)
    assert Standing(personas.mentee, personas.programme, about=resource).decide(Action.DELETE_RESOURCE) is FORBID


@pytest.mark.django_db
def test_a_standing_about_an_object_keeps_what_it_looked_up(
    personas: Personas, django_assert_num_queries: Callable[..., object]
) -> None:
    standing = Standing(personas.mentee, personas.programme)
    assert standing.has(R.PARTICIPANT)
    resource = Resource(programme=personas.programme, audience=Resource.Audience.MENTEES, title="Guide")
    with django_assert_num_queries(0):  # type: ignore[operator]
        assert standing.about_object(resource).has(R.AUDIENCE)


# --- the page decorator and the API permission --------------------------------------------------------------------


@allowed(Action.READ_STAFF_PAGES, post=Action.MANAGE_PROGRAMME)
def _page(request: object, standing: Standing, extra: str = "") -> HttpResponse:
    return HttpResponse(f"{standing.programme.pk}:{extra}")  # type: ignore[union-attr]


@allowed(Action.ACT_IN_RELATIONSHIP, target="relationship")
def _pair_page(request: object, standing: Standing) -> HttpResponse:
    return HttpResponse(str(standing.relationship.pk))  # type: ignore[union-attr]


def _request(method: str, user: object) -> object:
    request = getattr(RequestFactory(), method)("/")
    request.user = user
    return request


@pytest.mark.django_db
def test_the_decorator_passes_the_standing_and_refuses_with_404_or_403(personas: Personas) -> None:
    programme_id = personas.programme.pk
    response = _page(_request("get", personas.hr_analyst), programme_id=programme_id, extra="x")
    assert response.content == f"{programme_id}:x".encode()
    with pytest.raises(PermissionDenied):
        _page(_request("post", personas.hr_analyst), programme_id=programme_id)
    with pytest.raises(PermissionDenied):
        _page(_request("get", personas.mentee), programme_id=programme_id)
    with pytest.raises(Http404):
        _page(_request("get", personas.outsider), programme_id=programme_id)
    with pytest.raises(Http404):
        _page(_request("get", personas.coordinator), programme_id=personas.other_programme.pk + 1000)
    assert _page(_request("post", personas.coordinator), programme_id=programme_id).status_code == 200


@pytest.mark.django_db
def test_the_decorator_finds_a_relationship_only_in_its_programme(personas: Personas) -> None:
    relationship = _pair(personas)
    kwargs = {"programme_id": personas.programme.pk, "relationship_id": relationship.pk}
    assert _pair_page(_request("post", personas.mentee), **kwargs).content == str(relationship.pk).encode()
    with pytest.raises(PermissionDenied):
        _pair_page(_request("post", personas.coordinator), **kwargs)
    with pytest.raises(Http404):
        _pair_page(_request("post", personas.mentee), **{**kwargs, "programme_id": personas.other_programme.pk})


class _View:
    policy_action = Action.READ_STAFF_PAGES


@pytest.mark.django_db
def test_the_api_permission_answers_as_the_policy(personas: Personas) -> None:
    permission, view, programme = PolicyPermission(), _View(), personas.programme
    assert permission.has_object_permission(_request("get", personas.hr_analyst), view, programme)  # type: ignore[arg-type]
    assert not permission.has_object_permission(_request("get", personas.mentee), view, programme)  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        permission.has_object_permission(_request("get", personas.outsider), view, programme)  # type: ignore[arg-type]
