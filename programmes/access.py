"""The one access policy: may this person do ACTION on this programme, application or relationship?

Roles are data (ProgrammeRole, Enrolment, RelationshipMember, the HRIS reporting line), looked up lazily in the
order a rule names them, so a page asks only what its rule needs. Each action's rule is one row of RULES: the
roles that may do it, and the roles that may know the object exists and are refused (403). Anyone else gets
404: out of scope, the object might as well not exist for them.

- `may(user, action, target)` answers the question; `standing_for(user, target)` gives the Standing (what
  the person is to the target), whose `decide`/`require`/predicates pages and templates use.
- `@allowed(action, target=...)` (access_pages) guards a page: it loads the target from the URL (404 when it
  does not exist), refuses (404/403) or passes the Standing to the view; `PolicyPermission` guards the API.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404

from people.models import User
from programmes.core.states import ENROLMENT_GONE
from programmes.models import (
    AUDIENCE_FOR_ROLE,
    CheckIn,
    Concern,
    Enrolment,
    ExitSurvey,
    OrientationModule,
    Programme,
    ProgrammeRole,
    Recruitment,
    Relationship,
    Resource,
)
from programmes.preparation.selectors.development import MENTEE_SIDE, mentor_ids_for


class Role(enum.StrEnum):
    """What a person can be to a target. Site admins count as coordinators of every programme."""

    SIGNED_IN = "signed_in"  # anyone signed in: where there is nothing to hide, refusals are 403
    COORDINATOR = "coordinator"  # on the programme's coordination team (no target: of any programme)
    HR_ANALYST = "hr_analyst"  # HR analyst of the whole organisation, or of this programme
    PARTICIPANT = "participant"  # enrolled in the programme in any role, not withdrawn
    CANDIDATE = "candidate"  # a current employee while the programme recruits
    ORIENTEE = "orientee"  # has orientation modules to read in the programme (coordinators: theirs)
    AUDIENCE = "audience"  # a reader the resource or orientation module is meant for
    MEMBER = "member"  # member of the relationship
    OUTSIDE_READER = "outside_reader"  # a coordinator outside the pair: reads its content only with a reason
    APPLICANT = "applicant"  # the enrolment is their own
    MANAGER = "manager"  # the HRIS line manager of the enrolment's person
    MENTOR = "mentor"  # mentors the (mentee's) enrolment in a running relationship
    OWNER = "owner"  # respondent of the check-in or exit survey, raiser of the concern


class Action(enum.StrEnum):
    """Everything the policy decides, by what a person does."""

    CREATE_PROGRAMME = "create_programme"
    VIEW_PROGRAMME = "view_programme"
    VIEW_RECRUITMENT = "view_recruitment"
    READ_STAFF_PAGES = "read_staff_pages"  # set-up, supply and demand, evaluation, reports, outcomes API
    MANAGE_PROGRAMME = "manage_programme"  # every change to set-up, team, matching, support, evaluation
    VIEW_ORIENTATION = "view_orientation"
    VIEW_MODULE = "view_module"
    COMPLETE_MODULE = "complete_module"
    VIEW_RESOURCE = "view_resource"
    DELETE_RESOURCE = "delete_resource"
    VIEW_APPLICATION = "view_application"
    EDIT_APPLICATION = "edit_application"  # the applicant's own: edit, preferences, suggestions, requests
    SCREEN_APPLICATION = "screen_application"
    DECIDE_AS_MANAGER = "decide_as_manager"
    VIEW_PLAN = "view_plan"
    WORK_ON_PLAN = "work_on_plan"  # goal status and progress: the mentee and their mentors
    EDIT_GOALS = "edit_goals"  # add, edit and share goals: the mentee only
    VIEW_SHARED_GOALS = "view_shared_goals"  # the manager's page of a plan
    VIEW_RELATIONSHIP = "view_relationship"
    ACT_IN_RELATIONSHIP = "act_in_relationship"  # answer, log sessions, raise concerns, edit and sign the agreement
    COORDINATE_RELATIONSHIP = "coordinate_relationship"  # contacts, closure, rematch
    GIVE_READ_REASON = "give_read_reason"
    ANSWER_CHECKIN = "answer_checkin"
    VIEW_CONCERN = "view_concern"  # a confidential concern
    VIEW_SHARED_CONCERN = "view_shared_concern"  # a concern the raiser did not mark confidential
    ANSWER_EXIT_SURVEY = "answer_exit_survey"


class Outcome(enum.Enum):
    ALLOW = 200
    FORBID = 403  # in scope, not allowed
    HIDE = 404  # out of scope


@dataclass(frozen=True)
class Rule:
    """Who may (`allow`), and who else may know the object exists and is refused (`see`).

    `within` names the action on the enclosing object that is decided first (a check-in's relationship,
    a resource's programme): its refusal stands, whatever this rule says.
    """

    allow: tuple[Role, ...]
    see: tuple[Role, ...] = ()
    within: Action | None = None


R = Role
A = Action
_STAFF = (R.COORDINATOR, R.HR_ANALYST)
_PAIR = A.VIEW_RELATIONSHIP

RULES: dict[Action, Rule] = {
    A.CREATE_PROGRAMME: Rule(allow=_STAFF, see=(R.SIGNED_IN,)),
    A.VIEW_PROGRAMME: Rule(allow=(*_STAFF, R.PARTICIPANT)),
    A.VIEW_RECRUITMENT: Rule(allow=(*_STAFF, R.PARTICIPANT, R.CANDIDATE)),
    A.READ_STAFF_PAGES: Rule(allow=_STAFF, see=(R.PARTICIPANT,)),
    A.MANAGE_PROGRAMME: Rule(allow=(R.COORDINATOR,), see=(R.HR_ANALYST, R.PARTICIPANT)),
    A.VIEW_ORIENTATION: Rule(allow=(R.ORIENTEE,), see=(*_STAFF, R.PARTICIPANT)),
    A.VIEW_MODULE: Rule(allow=(R.COORDINATOR, R.AUDIENCE), within=A.VIEW_ORIENTATION),
    A.COMPLETE_MODULE: Rule(allow=(R.AUDIENCE,), see=(R.COORDINATOR,), within=A.VIEW_MODULE),
    A.VIEW_RESOURCE: Rule(allow=(*_STAFF, R.AUDIENCE), within=A.VIEW_PROGRAMME),
    A.DELETE_RESOURCE: Rule(allow=(R.COORDINATOR,), see=(R.HR_ANALYST, R.AUDIENCE), within=A.VIEW_RESOURCE),
    A.VIEW_APPLICATION: Rule(allow=(R.APPLICANT, R.COORDINATOR), see=(R.HR_ANALYST,)),
    A.EDIT_APPLICATION: Rule(allow=(R.APPLICANT,), see=_STAFF),
    A.SCREEN_APPLICATION: Rule(allow=(R.COORDINATOR,), see=(R.APPLICANT,), within=A.VIEW_APPLICATION),
    A.DECIDE_AS_MANAGER: Rule(allow=(R.MANAGER,), see=(R.APPLICANT, *_STAFF)),
    A.VIEW_PLAN: Rule(allow=(R.APPLICANT, R.MENTOR, R.COORDINATOR), see=(R.HR_ANALYST,)),
    A.WORK_ON_PLAN: Rule(allow=(R.APPLICANT, R.MENTOR), see=_STAFF),
    A.EDIT_GOALS: Rule(allow=(R.APPLICANT,), see=(R.MENTOR,), within=A.WORK_ON_PLAN),
    A.VIEW_SHARED_GOALS: Rule(allow=(R.MANAGER,), see=(R.APPLICANT, *_STAFF)),
    A.VIEW_RELATIONSHIP: Rule(allow=(R.MEMBER, R.COORDINATOR), see=(R.HR_ANALYST,)),
    A.ACT_IN_RELATIONSHIP: Rule(allow=(R.MEMBER,), see=(R.COORDINATOR,), within=_PAIR),
    A.COORDINATE_RELATIONSHIP: Rule(allow=(R.COORDINATOR,), see=(R.MEMBER,), within=_PAIR),
    A.GIVE_READ_REASON: Rule(allow=(R.OUTSIDE_READER,), see=(R.MEMBER, R.COORDINATOR), within=_PAIR),
    A.ANSWER_CHECKIN: Rule(allow=(R.OWNER,), see=(R.COORDINATOR,), within=_PAIR),
    A.VIEW_CONCERN: Rule(allow=(R.COORDINATOR, R.OWNER), within=_PAIR),
    A.VIEW_SHARED_CONCERN: Rule(allow=(R.COORDINATOR, R.OWNER, R.MEMBER), within=_PAIR),
    A.ANSWER_EXIT_SURVEY: Rule(allow=(R.OWNER,), see=(R.OUTSIDE_READER,), within=_PAIR),
}


def decide(action: Action, has: Callable[[Role], bool]) -> Outcome:
    """The outcome of `action` for someone holding the roles `has` answers yes to (pure: no database)."""
    rule = RULES[action]
    if rule.within is not None and (outer := decide(rule.within, has)) is not Outcome.ALLOW:
        return outer
    if any(has(role) for role in rule.allow):
        return Outcome.ALLOW
    if any(has(role) for role in rule.see):
        return Outcome.FORBID
    return Outcome.HIDE


# What each sub-object's OWNER is: its respondent or raiser.
_OWNER_FIELD: dict[type[Model], str] = {CheckIn: "respondent_id", Concern: "raised_by_id", ExitSurvey: "respondent_id"}


# Actions on no programme yet (starting one) have none; every page target has one, so views need no check.
_NO_PROGRAMME = cast(Programme, None)


@dataclass(frozen=True)
class Standing:
    """What one person is to one target: a programme, one of its applications or relationships (or nothing,
    for actions on no programme yet), and optionally an object inside it (`about`: a check-in, a resource).

    Roles are computed on first use and kept; a Standing lives for one request.
    """

    user: User
    programme: Programme = _NO_PROGRAMME
    relationship: Relationship | None = None
    enrolment: Enrolment | None = None
    about: Model | None = None

    def about_object(self, obj: Model) -> Standing:
        """The same person and target, deciding about `obj` inside it (its owner, its audience).

        Keeps what this Standing already looked up: none of it depends on `about`.
        """
        other = replace(self, about=obj)
        other.__dict__.update({k: v for k, v in self.__dict__.items() if k not in _FIELDS})
        return other

    def knowing(self, **facts: Any) -> Standing:
        """This Standing with facts below that its target's query already read (access_pages): asked, they cost none."""
        assert all(isinstance(vars(Standing).get(name), cached_property) for name in facts), facts
        self.__dict__.update(facts)
        return self

    # --- the policy ---------------------------------------------------------------------------------------------

    def has(self, role: Role) -> bool:
        return bool(_ROLE_TESTS[role](self))

    @property
    def roles(self) -> frozenset[Role]:
        """Every role the person holds here (asks every question: for tests and explanations)."""
        return frozenset(role for role in Role if self.has(role))

    def decide(self, action: Action) -> Outcome:
        return decide(action, self.has)

    def may(self, action: Action) -> bool:
        return self.decide(action) is Outcome.ALLOW

    def require(self, action: Action) -> Standing:
        """Return self when allowed; raise 404 (out of scope) or 403 (in scope, not allowed)."""
        outcome = self.decide(action)
        if outcome is Outcome.HIDE:
            raise Http404
        if outcome is Outcome.FORBID:
            raise PermissionDenied
        return self

    # --- facts the roles are made of ----------------------------------------------------------------------------

    @cached_property
    def staff_roles(self) -> frozenset[str]:
        """ProgrammeRole roles in the programme (without a programme: in any programme)."""
        rows = ProgrammeRole.objects.filter(user_id=self.user.pk)
        if self.programme is not None:
            rows = rows.filter(programme=self.programme)
        return frozenset(rows.values_list("role", flat=True))

    @cached_property
    def participant_roles(self) -> frozenset[str]:
        """Enrolment roles in the programme, withdrawn ones left out."""
        return frozenset(
            Enrolment.objects.filter(programme=self.programme, person_id=self.user.pk)
            .exclude(state=Enrolment.State.WITHDRAWN)
            .values_list("role", flat=True)
        )

    @cached_property
    def member_enrolment_ids(self) -> frozenset[int]:
        """The person's member rows in the relationship (by enrolment)."""
        if self.relationship is None:
            return frozenset()
        members = self.relationship.members.filter(enrolment__person_id=self.user.pk)
        return frozenset(members.values_list("enrolment_id", flat=True))

    @cached_property
    def audiences(self) -> frozenset[str]:
        """The orientation audiences whose modules the person reads in the programme (declined and withdrawn
        people have nothing to read; managers of enrolled mentees read the managers' modules)."""
        audiences: set[str] = set()
        own = Enrolment.objects.filter(programme=self.programme, person_id=self.user.pk).exclude(
            state__in=ENROLMENT_GONE
        )
        audiences.update(
            AUDIENCE_FOR_ROLE[role] for role in own.values_list("role", flat=True) if role in AUDIENCE_FOR_ROLE
        )
        reports = Enrolment.objects.filter(
            programme=self.programme, person__manager_id=self.user.pk, role__in=MENTEE_SIDE
        )
        if reports.exclude(state__in=ENROLMENT_GONE).exists():
            audiences.add(OrientationModule.Audience.MANAGER)
        if self.is_coordinator:
            audiences.add(OrientationModule.Audience.COORDINATOR)
        return frozenset(audiences)

    @cached_property
    def mentor_ids(self) -> frozenset[int]:
        return frozenset(mentor_ids_for(self.enrolment)) if self.enrolment is not None else frozenset()

    @property
    def pair(self) -> Relationship:
        """The relationship of a Standing made for one (pages guarded with target="relationship")."""
        assert self.relationship is not None, "not a Standing towards a relationship"
        return self.relationship

    @property
    def application(self) -> Enrolment:
        """The enrolment of a Standing made for one (target="enrolment" or "mentee")."""
        assert self.enrolment is not None, "not a Standing towards an enrolment"
        return self.enrolment

    # --- predicates for views and templates --------------------------------------------------------------------

    @property
    def is_coordinator(self) -> bool:
        return self.has(Role.COORDINATOR)

    @property
    def is_hr_analyst(self) -> bool:
        return self.has(Role.HR_ANALYST)

    @property
    def is_member(self) -> bool:
        return self.has(Role.MEMBER)

    @property
    def is_own(self) -> bool:
        """The application (or plan) is the person's own."""
        return self.has(Role.APPLICANT)

    @property
    def is_pair(self) -> bool:
        """The mentee of the plan, or one of their mentors."""
        return self.is_own or self.has(Role.MENTOR)

    @property
    def reads_from_outside(self) -> bool:
        """A coordinator outside the pair: reading its content needs a reason, and is recorded."""
        return self.has(Role.OUTSIDE_READER)

    @property
    def can_write(self) -> bool:
        return self.may(Action.MANAGE_PROGRAMME)


_FIELDS = frozenset(("user", "programme", "relationship", "enrolment", "about"))


def _candidate(s: Standing) -> bool:
    if s.programme is None or not s.user.is_active or s.user.has_left():
        return False
    recruitment = Recruitment.objects.filter(programme=s.programme).select_related("programme").first()
    return recruitment is not None and recruitment.accepts_applications()


def _audience(s: Standing) -> bool:
    if isinstance(s.about, OrientationModule):
        return s.about.audience in s.audiences
    return isinstance(s.about, Resource) and s.about.visible_to_roles(s.participant_roles)


def _owner(s: Standing) -> bool:
    field = _OWNER_FIELD.get(type(s.about)) if s.about is not None else None
    return field is not None and getattr(s.about, field) == s.user.pk


def _applicant(s: Standing) -> bool:
    return s.enrolment is not None and s.enrolment.person_id == s.user.pk


def _manager(s: Standing) -> bool:
    return s.enrolment is not None and s.enrolment.person.manager_id == s.user.pk


_STAFF_ROLE = ProgrammeRole.Role
_ROLE_TESTS: dict[Role, Callable[[Standing], bool]] = {
    Role.SIGNED_IN: lambda s: s.user.is_authenticated,
    Role.COORDINATOR: lambda s: s.user.is_site_admin or _STAFF_ROLE.COORDINATOR in s.staff_roles,
    # Org-wide HR analysts, or HR analysts of this programme (without a programme: the org-wide ones only).
    Role.HR_ANALYST: lambda s: (
        s.user.is_hr_analyst or (s.programme is not None and _STAFF_ROLE.HR_ANALYST in s.staff_roles)
    ),
    Role.PARTICIPANT: lambda s: s.programme is not None and bool(s.participant_roles),
    Role.CANDIDATE: _candidate,
    Role.ORIENTEE: lambda s: s.programme is not None and bool(s.audiences),
    Role.AUDIENCE: _audience,
    Role.MEMBER: lambda s: bool(s.member_enrolment_ids),
    Role.OUTSIDE_READER: lambda s: s.relationship is not None and s.is_coordinator and not s.is_member,
    Role.APPLICANT: _applicant,
    Role.MANAGER: _manager,
    Role.MENTOR: lambda s: not _applicant(s) and s.user.pk in s.mentor_ids,
    Role.OWNER: _owner,
}


# --- targets -----------------------------------------------------------------------------------------------------

Target = Model | None


def standing_for(user: User, target: Target = None) -> Standing:
    """What `user` is to `target`: a programme, relationship or application, an object inside one (check-in,
    concern, exit survey, resource), anything else that belongs to a programme, or None (no programme)."""
    if target is None:
        return Standing(user)
    if isinstance(target, Programme):
        return Standing(user, target)
    if isinstance(target, Relationship):
        return Standing(user, target.programme, relationship=target)
    if isinstance(target, Enrolment):
        return Standing(user, target.programme, enrolment=target)
    if isinstance(target, CheckIn | Concern):
        return standing_for(user, target.relationship).about_object(target)
    if isinstance(target, ExitSurvey):
        return standing_for(user, target.closure.relationship).about_object(target)
    if isinstance(target, Resource):
        return Standing(user, target.programme, about=target)
    programme = getattr(target, "programme", None)
    if isinstance(programme, Programme):
        return Standing(user, programme)
    raise TypeError(f"the access policy does not know what {type(target).__name__} belongs to")


def may(user: Any, action: Action, target: Target = None) -> bool:
    """May `user` do `action` on `target`? Anonymous visitors may do nothing."""
    if not (isinstance(user, User) and user.is_authenticated):
        return False
    return standing_for(user, target).may(action)
