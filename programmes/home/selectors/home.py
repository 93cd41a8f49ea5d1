"""The home page as a to-do list: for each role a person holds, what needs doing, each item linking to the
page where it is done. An item is computed from the state of the thing it is about, so it disappears by
itself once that is done (nothing to tick off twice).

A fixed number of queries whatever the data: every list is one grouped or filtered query over all the
person's programmes or relationships at once. Evaluation items (questionnaires, results, reports) belong to
the higher app and come as an htmx fragment from its own URL.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from people.models import User
from programmes.core.states import (
    ENROLMENT_UNDECIDED,
    RUNNING,
    can_respond,
    can_sign_agreement,
)
from programmes.home.selectors.figures import relationships_at_risk, relationships_contact_overdue
from programmes.models import (
    AUDIENCE_FOR_ROLE,
    AgreementSignature,
    AgreementVersion,
    CheckIn,
    Concern,
    DevelopmentGoal,
    Enrolment,
    ExitSurvey,
    MatchRun,
    MentoringSession,
    OrientationCompletion,
    OrientationModule,
    Programme,
    ProgrammeRole,
    Relationship,
    RelationshipMember,
)

RState = Relationship.State
EState = Enrolment.State
STUCK_CLOSURE_DAYS = 30  # a closure not completed a month after it started needs the coordinator
GOAL_DUE_DAYS = 14


@dataclass
class Todo:
    """One thing to do: what, where it is done, and a key the tests and the page's styling read."""

    text: str | Promise
    url: str
    kind: str


@dataclass
class CoordinatorTodos:
    programme: Programme
    todos: list[Todo] = field(default_factory=list)


def coordinator_todos(*, programmes: list[Programme], now: datetime) -> list[CoordinatorTodos]:
    """Per coordinated programme: applications to screen, a match run to review, quiet pairs, concerns,
    overdue contacts and stuck closures (seven queries for all programmes together)."""
    if not programmes:
        return []
    ids = [p.pk for p in programmes]
    today = timezone.localdate(now)

    def grouped(queryset: object) -> dict[int, int]:
        return dict(queryset.order_by().values("programme_id").annotate(n=Count("pk")).values_list("programme_id", "n"))  # type: ignore[attr-defined]

    screening = grouped(Enrolment.objects.filter(programme_id__in=ids, state__in=ENROLMENT_UNDECIDED))
    runs = dict(
        MatchRun.objects.filter(programme_id__in=ids, state=MatchRun.State.DRAFT)
        .order_by()
        .values("programme_id")
        .annotate(latest=Max("pk"))
        .values_list("programme_id", "latest")
    )
    quiet = grouped(relationships_at_risk(programmes=programmes, now=now))
    concerns = grouped(
        Concern.objects.filter(programme_id__in=ids, state__in=(Concern.State.OPEN, Concern.State.MEDIATING))
    )
    overdue = grouped(relationships_contact_overdue(programmes=programmes, today=today))
    stuck = grouped(
        Relationship.objects.filter(
            programme_id__in=ids,
            state=RState.CLOSING,
            state_changed_at__lt=now - timedelta(days=STUCK_CLOSURE_DAYS),
        )
    )
    result = []
    for programme in programmes:
        pk = programme.pk
        dashboard = reverse("programmes:dashboard", args=[pk])
        todos = []
        if n := screening.get(pk):
            text = ngettext("Screen %(n)d application", "Screen %(n)d applications", n) % {"n": n}
            todos.append(Todo(text, reverse("programmes:enrolment_list", args=[pk]), "screening"))
        if run := runs.get(pk):
            todos.append(
                Todo(
                    _("Review the match run and publish it"),
                    reverse("programmes:match_run", args=[pk, run]),
                    "match-run",
                )
            )
        if n := quiet.get(pk):
            text = ngettext("%(n)d pair is quiet or at risk", "%(n)d pairs are quiet or at risk", n) % {"n": n}
            todos.append(Todo(text, dashboard + "#h-risk", "quiet-pairs"))
        if n := concerns.get(pk):
            text = ngettext("%(n)d open concern", "%(n)d open concerns", n) % {"n": n}
            todos.append(Todo(text, dashboard + "#h-concerns", "concerns"))
        if n := overdue.get(pk):
            text = ngettext("%(n)d coordinator contact overdue", "%(n)d coordinator contacts overdue", n) % {"n": n}
            todos.append(Todo(text, dashboard + "#h-contacts", "overdue-contacts"))
        if n := stuck.get(pk):
            text = ngettext(
                "%(n)d closure open for more than a month", "%(n)d closures open for more than a month", n
            ) % {"n": n}
            todos.append(Todo(text, dashboard + "#h-states", "stuck-closures"))
        result.append(CoordinatorTodos(programme, todos))
    return result


# --- Mentors and mentees ---------------------------------------------------------------------------------------


@dataclass
class RelationshipHub:
    """One of the person's relationships: who with, what is due in it, and the links of the relationship hub."""

    relationship: Relationship
    member: RelationshipMember
    others: list[str] = field(default_factory=list)
    mentee_enrolment_id: int | None = None
    next_session: MentoringSession | None = None
    todos: list[Todo] = field(default_factory=list)
    coordinators: list[User] = field(default_factory=list)


@dataclass
class ParticipantTodos:
    """What the person does as a mentor or mentee: per enrolment (orientation) and per relationship."""

    todos: list[Todo] = field(default_factory=list)
    relationships: list[RelationshipHub] = field(default_factory=list)
    in_relationship: set[int] = field(default_factory=set)  # enrolment ids with a running relationship
    coordinators: dict[int, list[User]] = field(default_factory=dict)  # programme id → coordinators


def _orientation_todos(user: User, enrolments: list[Enrolment]) -> list[Todo]:
    """Accepted enrolments with required modules still to read (two queries)."""
    waiting = [e for e in enrolments if e.state == EState.ACCEPTED]
    if not waiting:
        return []
    programme_ids = {e.programme_id for e in waiting}
    required: dict[tuple[int, str], int] = defaultdict(int)
    modules = OrientationModule.objects.filter(programme_id__in=programme_ids, required=True)
    for programme_id, audience in modules.values_list("programme_id", "audience"):
        required[(programme_id, audience)] += 1
    done: dict[tuple[int, str], int] = defaultdict(int)
    completions = OrientationCompletion.objects.filter(
        person=user, module__programme_id__in=programme_ids, module__required=True
    )
    for programme_id, audience in completions.values_list("module__programme_id", "module__audience"):
        done[(programme_id, audience)] += 1
    todos = []
    for enrolment in waiting:
        key = (enrolment.programme_id, AUDIENCE_FOR_ROLE.get(enrolment.role, ""))
        left = required[key] - done[key]
        if left > 0:
            text = ngettext(
                "Finish your orientation for %(programme)s: %(n)d module left",
                "Finish your orientation for %(programme)s: %(n)d modules left",
                left,
            ) % {"programme": enrolment.programme.name, "n": left}
            todos.append(Todo(text, reverse("programmes:orientation", args=[enrolment.programme_id]), "orientation"))
    return todos


def _agreement_todos(user: User, hubs: dict[int, RelationshipHub]) -> None:
    """Relationships whose latest agreement version the person has not signed (one query)."""
    signable = [pk for pk, hub in hubs.items() if can_sign_agreement(hub.relationship)]
    latest = AgreementVersion.objects.filter(agreement__relationship=OuterRef("pk")).order_by("-number")
    rows = Relationship.objects.filter(pk__in=signable).annotate(version_id=Subquery(latest.values("pk")[:1]))
    versions: dict[int, int | None] = dict(rows.values_list("pk", "version_id"))
    signed = set(
        AgreementSignature.objects.filter(person=user, version_id__in=[v for v in versions.values() if v]).values_list(
            "version_id", flat=True
        )
    )
    for pk, version in versions.items():
        if version is not None and version not in signed:
            hub = hubs[pk]
            url = reverse("programmes:agreement", args=[hub.relationship.programme_id, pk])
            hub.todos.append(Todo(_("Read and sign your mentoring agreement"), url, "agreement"))


def participant_todos(*, user: User, enrolments: list[Enrolment], now: datetime) -> ParticipantTodos:
    """Everything a mentor or mentee has to do, and their relationships with the hub links (about ten queries)."""
    found = ParticipantTodos(todos=_orientation_todos(user, enrolments))
    mine = list(
        RelationshipMember.objects.filter(enrolment__person=user)
        .filter(Q(relationship__state__in=RUNNING) | Q(relationship__state=RState.PROPOSED))
        .select_related("relationship__programme", "enrolment")
        .order_by("relationship_id")
    )
    for member in mine:
        if member.relationship.state == RState.PROPOSED:
            if can_respond(member.relationship, member):
                url = reverse(
                    "programmes:relationship_detail", args=[member.relationship.programme_id, member.relationship_id]
                )
                found.todos.append(Todo(_("Accept or decline your proposed match"), url, "proposal"))
            continue
        found.in_relationship.add(member.enrolment_id)
    hubs = {m.relationship_id: RelationshipHub(m.relationship, m) for m in mine if m.relationship.state in RUNNING}
    programme_ids = {e.programme_id for e in enrolments}
    coordinators: dict[int, list[User]] = defaultdict(list)
    for role in ProgrammeRole.objects.filter(
        programme_id__in=programme_ids, role=ProgrammeRole.Role.COORDINATOR
    ).select_related("user"):
        coordinators[role.programme_id].append(role.user)
    found.coordinators = dict(coordinators)
    if not hubs:
        return found
    for hub in hubs.values():
        hub.coordinators = found.coordinators.get(hub.relationship.programme_id, [])
    everyone = RelationshipMember.objects.filter(relationship_id__in=hubs).select_related("enrolment__person")
    for member in everyone:
        hub = hubs[member.relationship_id]
        if member.enrolment.person_id != user.pk:
            hub.others.append(member.enrolment.person.get_full_name())
        if not member.gives and hub.mentee_enrolment_id is None:
            hub.mentee_enrolment_id = member.enrolment_id
    for session in MentoringSession.objects.filter(
        relationship_id__in=hubs, status=MentoringSession.Status.SCHEDULED, held_at__gte=now
    ).order_by("held_at"):
        if hubs[session.relationship_id].next_session is None:
            hubs[session.relationship_id].next_session = session
    _agreement_todos(user, hubs)
    pending = (
        MentoringSession.objects.filter(
            relationship_id__in=hubs,
            status__in=(MentoringSession.Status.HELD, MentoringSession.Status.NO_SHOW),
            confirmation=MentoringSession.Confirmation.PENDING,
        )
        .exclude(logged_by=user)
        .order_by("held_at")
    )
    for session in pending:
        hub = hubs[session.relationship_id]
        url = reverse(
            "programmes:session_detail", args=[hub.relationship.programme_id, hub.relationship.pk, session.pk]
        )
        when = formats.date_format(timezone.localtime(session.held_at).date())
        hub.todos.append(Todo(_("Confirm the session of %(day)s") % {"day": when}, url, "confirm-session"))
    for checkin in CheckIn.objects.filter(relationship_id__in=hubs, respondent=user, answered_at__isnull=True).order_by(
        "due_on"
    ):
        hub = hubs[checkin.relationship_id]
        url = reverse(
            "programmes:checkin_answer", args=[hub.relationship.programme_id, hub.relationship.pk, checkin.pk]
        )
        hub.todos.append(Todo(_("Answer check-in %(round)d") % {"round": checkin.round}, url, "checkin"))
    surveys = ExitSurvey.objects.filter(
        closure__relationship_id__in=hubs, respondent=user, submitted_at__isnull=True
    ).values_list("closure__relationship_id", flat=True)
    for relationship_id in surveys:
        hub = hubs[relationship_id]
        url = reverse("programmes:exit_survey", args=[hub.relationship.programme_id, relationship_id])
        hub.todos.append(Todo(_("Answer your exit survey"), url, "exit-survey"))
    _goal_todos(hubs, timezone.localdate(now))
    found.relationships = list(hubs.values())
    return found


def _goal_todos(hubs: dict[int, RelationshipHub], today: object) -> None:
    """Goals of the pair's mentee due within two weeks or overdue, still open (one query)."""
    by_enrolment = {hub.mentee_enrolment_id: hub for hub in hubs.values() if hub.mentee_enrolment_id}
    if not by_enrolment:
        return
    soon = today + timedelta(days=GOAL_DUE_DAYS)  # type: ignore[operator]
    goals = (
        DevelopmentGoal.objects.filter(plan__enrolment_id__in=by_enrolment, due_on__lte=soon)
        .exclude(status__in=(DevelopmentGoal.Status.ACHIEVED, DevelopmentGoal.Status.DROPPED))
        .select_related("competency", "plan")
        .order_by("due_on", "pk")
    )
    for goal in goals:
        hub = by_enrolment[goal.plan.enrolment_id]
        url = (
            reverse("programmes:plan", args=[hub.relationship.programme_id, goal.plan.enrolment_id])
            + f"#goal-{goal.pk}"
        )
        text = _("Goal due %(day)s: %(competency)s") % {
            "day": formats.date_format(goal.due_on),
            "competency": goal.competency.name,
        }
        hub.todos.append(Todo(text, url, "goal-due"))


# --- Managers ----------------------------------------------------------------------------------------------


@dataclass
class ManagerTodos:
    approvals: list[Enrolment]
    shared_plans: list[Enrolment]  # mentees' enrolments whose plan has goals shared with this manager

    @property
    def any(self) -> bool:
        return bool(self.approvals or self.shared_plans)


def manager_todos(*, user: User) -> ManagerTodos:
    """Approvals waiting for the person as someone's manager, and their reports' plans with shared goals (2 queries)."""
    approvals = list(
        Enrolment.objects.filter(person__manager=user, manager_approval=Enrolment.ManagerApproval.PENDING)
        .exclude(state__in=(EState.WITHDRAWN, EState.DECLINED))
        .select_related("person", "programme")
        .order_by("state_changed_at", "pk")
    )
    shared = list(
        Enrolment.objects.filter(person__manager=user, development_plan__goals__shared_with_manager=True)
        .exclude(state=EState.WITHDRAWN)
        .select_related("person", "programme", "development_plan")
        .distinct()
        .order_by("person__full_name", "pk")
    )
    return ManagerTodos(approvals, shared)


def relationship_hub(*, relationship: Relationship) -> dict[str, object]:
    """What the relationship hub's links need: the mentee's enrolment (the plan) and the coordinators (2 queries)."""
    mentee = (
        RelationshipMember.objects.filter(relationship=relationship)
        .exclude(role__in=(RelationshipMember.Role.MENTOR, RelationshipMember.Role.FACILITATOR))
        .order_by("pk")
        .values_list("enrolment_id", flat=True)
        .first()
    )
    coordinators = [
        role.user
        for role in ProgrammeRole.objects.filter(
            programme_id=relationship.programme_id, role=ProgrammeRole.Role.COORDINATOR
        ).select_related("user")
    ]
    return {"mentee_enrolment_id": mentee, "coordinators": coordinators}
