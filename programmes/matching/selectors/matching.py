"""Queries of enrolment and matching: the applicant's page, the coordinator's lists, the matching pool and the
supply-and-demand report. Each runs a fixed number of queries, whatever the size of the pool."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from people.models import Competency, OrgUnit, User
from programmes.core.gates import pool_blockers
from programmes.core.states import ENROLMENT_MENTOR_PICKABLE, OPEN
from programmes.models import (
    AuditEvent,
    Enrolment,
    EnrolmentCompetency,
    MatchingSettings,
    MatchRun,
    MentorPreference,
    PairRule,
    Programme,
    Relationship,
    RelationshipMember,
    UnmatchedMentee,
)

if TYPE_CHECKING:  # the access policy reads these; selectors only take the Standing a page was given
    from programmes.access import Standing

State = Enrolment.State
Role = Enrolment.Role
GIVING_ROLES = (Role.MENTOR, Role.FACILITATOR)
RECEIVING_ROLES = (Role.MENTEE, Role.PEER)


def _open_memberships() -> QuerySet[RelationshipMember]:
    return RelationshipMember.objects.filter(enrolment=OuterRef("pk"), relationship__state__in=OPEN)


def with_open_relationships(queryset: QuerySet[Enrolment]) -> QuerySet[Enrolment]:
    """Annotate `open_relationships`: how many relationships hold a slot of each enrolment (one subquery)."""
    count = _open_memberships().order_by().values("enrolment").annotate(n=Count("pk")).values("n")
    return queryset.annotate(open_relationships=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)))


def matching_settings_for(programme: Programme) -> MatchingSettings:
    """The programme's matching settings (unsaved defaults when the coordinator has not changed them)."""
    found = MatchingSettings.objects.filter(programme=programme).first()
    return found or MatchingSettings(programme=programme)


def own_enrolments(*, user: User, programme: Programme) -> list[Enrolment]:
    """The person's own applications to this programme."""
    return list(Enrolment.objects.filter(programme=programme, person=user).order_by("role"))


def enrolment_list_for_coordinator(*, programme: Programme, state: str = "") -> QuerySet[Enrolment]:
    """Every application of the programme for its coordinators, with person, unit and slot counts."""
    rows = Enrolment.objects.filter(programme=programme).select_related("person", "person__org_unit")
    if state:
        rows = rows.filter(state=state)
    rows = with_open_relationships(rows).annotate(competency_count=Count("competencies", distinct=True))
    return rows.order_by("state", "role", "person__full_name", "pk")


def relationships_for_enrolment(enrolment: Enrolment) -> list[Relationship]:
    """The relationships this enrolment is a member of, with every member (two queries)."""
    members = RelationshipMember.objects.select_related("enrolment__person")
    return list(
        Relationship.objects.filter(members__enrolment=enrolment)
        .prefetch_related(Prefetch("members", queryset=members))
        .order_by("-created_at")
    )


def enrolment_page_for_user(*, found: Standing) -> dict[str, Any]:
    """Everything the application page shows, for its applicant or a coordinator."""
    enrolment = found.application
    competencies = list(enrolment.competencies.select_related("competency"))
    history = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Enrolment), object_id=enrolment.pk
    ).select_related("actor")
    preferences = list(
        MentorPreference.objects.filter(mentee=enrolment).select_related("mentor__person").order_by("rank")
    )
    settings = matching_settings_for(enrolment.programme)
    return {
        "access": found,
        "found": found,
        "programme": enrolment.programme,
        "enrolment": enrolment,
        "competencies": competencies,
        "blockers": pool_blockers(enrolment) if enrolment.state in (State.ACCEPTED, State.ORIENTED) else [],
        "relationships": relationships_for_enrolment(enrolment),
        "preferences": preferences,
        "history": list(history),
        "self_service": settings.self_service and not enrolment.is_mentor_side and enrolment.state == State.AVAILABLE,
    }


def mentor_choices_for_mentee(*, mentee: Enrolment) -> tuple[list[Enrolment], dict[int, int]]:
    """The mentors a mentee may rank (open applications of the programme) and the current ranks."""
    mentors = list(
        Enrolment.objects.filter(programme_id=mentee.programme_id, role__in=GIVING_ROLES)
        .exclude(state__in=(State.DECLINED, State.WITHDRAWN, State.COMPLETED))
        .exclude(person_id=mentee.person_id)
        .select_related("person")
        .order_by("person__full_name")
    )
    ranks = dict(MentorPreference.objects.filter(mentee=mentee).values_list("mentor_id", "rank"))
    return mentors, ranks


# ---------------------------------------------------------------------------------------------------------------
# The matching pool


@dataclass
class PoolRows:
    """The pool as plain rows, loaded in a fixed number of queries; services.matching turns it into arrays."""

    programme: Programme
    settings: MatchingSettings
    mentees: list[Enrolment]
    mentors: list[Enrolment]
    # enrolment id → [(competency id, current level or None, level)]
    competencies: dict[int, list[tuple[int, int | None, int]]] = field(default_factory=dict)
    competency_names: dict[int, str] = field(default_factory=dict)
    # mentee enrolment id → mentor enrolment ids, first choice first
    preferences: dict[int, list[int]] = field(default_factory=dict)
    # person id → {manager person id: levels up}
    managers: dict[int, dict[int, int]] = field(default_factory=dict)
    # frozenset({person id, person id}) of pairs closed before, or declined in this programme
    past_pairs: set[frozenset[int]] = field(default_factory=set)
    # org unit id → its top-level unit (the division)
    divisions: dict[int, int] = field(default_factory=dict)
    locks: list[PairRule] = field(default_factory=list)
    forbids: list[PairRule] = field(default_factory=list)
    # The goals of every mentee in the pool when `mentees` holds only some of them (one mentee's suggestions):
    # the goal vocabulary is the whole pool's, so that a row scores as it does in the whole run.
    pool_goals: list[str] | None = None


# Both pools come through `programme.enrolments`, so each row knows its programme without a query of its own
# (Enrolment.effective_capacity reads the programme's default for a mentor without their own capacity).


def pool_mentees(programme: Programme) -> QuerySet[Enrolment]:
    """Mentees (and peers) in the pool: available, with no open relationship."""
    return (
        programme.enrolments.filter(role__in=RECEIVING_ROLES, state=State.AVAILABLE)
        .exclude(Exists(_open_memberships()))
        .select_related("person")
        .order_by("pk")
    )


def pool_mentors(programme: Programme) -> QuerySet[Enrolment]:
    """Mentors (and facilitators) in the pool: available, annotated with the slots already taken."""
    rows = programme.enrolments.filter(role__in=GIVING_ROLES, state=State.AVAILABLE)
    return with_open_relationships(rows.select_related("person")).order_by("pk")


def matching_pool(
    *, programme: Programme, depth: int | None = None, only: tuple[list[Enrolment], list[Enrolment]] | None = None
) -> PoolRows:
    """Load everything the matcher needs about the pool: about ten queries whatever its size.

    `only` (mentees, mentors) loads just those people, whatever their state: the pairing path checks one
    proposed pair (or group) against the same hard rules with it.
    """
    settings = matching_settings_for(programme)
    if only is None:
        mentees, mentors = list(pool_mentees(programme)), list(pool_mentors(programme))
        in_pool = Q(enrolment__programme=programme, enrolment__state=State.AVAILABLE)
    else:
        mentees, mentors = list(only[0]), list(only[1])
        in_pool = Q(enrolment_id__in=[e.pk for e in (*mentees, *mentors)])
    pool = PoolRows(programme=programme, settings=settings, mentees=mentees, mentors=mentors)
    load_competencies(pool, in_pool)
    load_preferences(
        pool, Q(mentee__programme=programme, mentee__state=State.AVAILABLE) if only is None else Q(mentee__in=mentees)
    )
    depth = programme.reporting_line_exclusion_depth if depth is None else depth
    people = {e.person_id for e in mentees} | {e.person_id for e in mentors}
    if depth:
        from people.selectors import managers_within

        pool.managers = managers_within(people, depth)
    pool.past_pairs = past_pairs(programme=programme, people=people)
    pool.divisions = divisions()
    for rule in PairRule.objects.filter(programme=programme):
        (pool.locks if rule.kind == PairRule.Kind.LOCK else pool.forbids).append(rule)
    return pool


def load_competencies(pool: PoolRows, where: Q) -> None:
    """The competency rows of the enrolments `where` picks, and the names of those competencies (two queries)."""
    for enrolment_id, competency_id, current, level in EnrolmentCompetency.objects.filter(where).values_list(
        "enrolment_id", "competency_id", "current_level", "level"
    ):
        pool.competencies.setdefault(enrolment_id, []).append((competency_id, current, level))
    used = {c for rows in pool.competencies.values() for c, _current, _level in rows}
    pool.competency_names = dict(Competency.objects.filter(pk__in=used).values_list("pk", "name"))


def load_preferences(pool: PoolRows, where: Q) -> None:
    """The ranked mentors of the mentees `where` picks, first choice first (one query)."""
    rows = MentorPreference.objects.filter(where).order_by("mentee_id", "rank").values_list("mentee_id", "mentor_id")
    for mentee_id, mentor_id in rows:
        pool.preferences.setdefault(mentee_id, []).append(mentor_id)


def past_pairs(*, programme: Programme, people: set[int]) -> set[frozenset[int]]:
    """Pairs of people who were in a closed relationship anywhere, or declined each other here (one query).

    A declined proposal bars only the pairs of the member who declined: the others in a group that fell
    apart did not turn that mentor down.
    """
    closed = Q(relationship__state=Relationship.State.CLOSED) | Q(
        relationship__state=Relationship.State.DECLINED, relationship__programme=programme
    )
    members: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    declined = RelationshipMember.Response.DECLINED
    rows = (
        RelationshipMember.objects.filter(closed)
        .filter(relationship__members__enrolment__person_id__in=people)
        .values_list("relationship_id", "enrolment__person_id", "relationship__state", "response")
        .distinct()
    )
    for relationship_id, person_id, state, response in rows:
        # In a closed relationship everyone was together; in a declined one only the decliner said no.
        members[relationship_id].append((person_id, state == Relationship.State.CLOSED or response == declined))
    pairs: set[frozenset[int]] = set()
    for persons in members.values():
        for i, (a, a_counts) in enumerate(persons):
            for b, b_counts in persons[i + 1 :]:
                if a != b and (a_counts or b_counts):
                    pairs.add(frozenset((a, b)))
    return pairs


def divisions() -> dict[int, int]:
    """Each org unit's top-level ancestor (its division), from one query of the unit tree."""
    return top_ancestors(dict(OrgUnit.objects.values_list("pk", "parent_id")))


def top_ancestors(parents: Mapping[int, int | None]) -> dict[int, int]:
    """Each node's top-level ancestor in a forest given as {node: parent}, in any order of the nodes.

    HRIS exports list children before their parents, so a walk often reaches a unit already resolved by an
    earlier walk: that unit's answer is reused. A parent missing from the mapping is itself the top, and a
    cycle in bad data ends at the last node before the walk meets itself again.
    """
    top: dict[int, int] = {}
    for node in parents:
        if node in top:
            continue  # resolved already, as the ancestor of a node walked before it
        seen: list[int] = []
        current: int | None = node
        while current is not None and current not in top and current not in seen:
            seen.append(current)
            current = parents.get(current)
        root = top[current] if current is not None and current in top else seen[-1]
        for visited in seen:
            top[visited] = root
    return top


# ---------------------------------------------------------------------------------------------------------------
# Runs, proposals, relationships


def match_run_list_for_programme(*, programme: Programme) -> QuerySet[MatchRun]:
    return MatchRun.objects.filter(programme=programme).select_related("created_by").order_by("-created_at", "-pk")


def mentor_enrolments_pickable(*, programme: Programme, relationship_id: int | None = None) -> QuerySet[Enrolment]:
    """The programme's mentors (and facilitators) a coordinator may pick by hand, without the members of
    `relationship_id` (a rematch proposes somebody new)."""
    found = Enrolment.objects.filter(
        programme=programme, role__in=GIVING_ROLES, state__in=ENROLMENT_MENTOR_PICKABLE
    ).select_related("person")
    if relationship_id is not None:
        found = found.exclude(
            pk__in=RelationshipMember.objects.filter(relationship_id=relationship_id).values("enrolment_id")
        )
    return found


def pair_rules_for_programme(*, programme: Programme) -> list[PairRule]:
    return list(
        PairRule.objects.filter(programme=programme).select_related("mentee__person", "mentor__person", "created_by")
    )


def pool_summary(*, programme: Programme) -> dict[str, int]:
    """Counts of the pool for the matching page (one aggregate query)."""
    mine = Enrolment.objects.filter(programme=programme)
    counts = mine.aggregate(
        mentees=Count("pk", filter=Q(role__in=RECEIVING_ROLES, state=State.AVAILABLE)),
        mentors=Count("pk", filter=Q(role__in=GIVING_ROLES, state=State.AVAILABLE)),
        waiting=Count("pk", filter=Q(state__in=(State.ACCEPTED, State.ORIENTED))),
        screening=Count("pk", filter=Q(state__in=(State.APPLIED, State.SCREENING))),
        matched=Count("pk", filter=Q(role__in=RECEIVING_ROLES, state=State.MATCHED)),
    )
    return {key: int(value or 0) for key, value in counts.items()}


def relationship_members(relationship: Relationship) -> list[RelationshipMember]:
    return list(relationship.members.select_related("enrolment__person", "enrolment__person__org_unit"))


# ---------------------------------------------------------------------------------------------------------------
# Supply and demand


@dataclass
class SupplyDemandRow:
    """One competency: how much the mentees need it and how much mentor capacity offers it."""

    competency: str
    mentees: int
    demand_levels: int
    mentors: int
    supply_slots: int

    @property
    def balance(self) -> int:
        """Mentor slots minus mentees who need it (negative: short of mentors)."""
        return self.supply_slots - self.mentees


@dataclass
class SupplyDemand:
    rows: list[SupplyDemandRow]
    unmatched: list[tuple[str, int]]
    run: MatchRun | None


def supply_demand_report(*, programme: Programme) -> SupplyDemand:
    """Per competency: demand (mentees with a gap, and the levels wanted) against supply (mentor slots).

    Counts open applications (accepted to available), so coordinators see shortages before they run the
    matcher. Three aggregate queries, whatever the size of the pool.
    """
    live = (State.ACCEPTED, State.ORIENTED, State.AVAILABLE)
    base = EnrolmentCompetency.objects.filter(enrolment__programme=programme, enrolment__state__in=live)
    default_capacity = programme.mentor_capacity or 1
    demand = (
        base.filter(enrolment__role__in=RECEIVING_ROLES, level__gt=F("current_level"))
        .values("competency_id", "competency__name")
        .annotate(mentees=Count("enrolment", distinct=True), levels=Sum(F("level") - F("current_level")))
    )
    supply = (
        base.filter(enrolment__role__in=GIVING_ROLES)
        .values("competency_id", "competency__name")
        .annotate(
            mentors=Count("enrolment", distinct=True),
            slots=Sum(Coalesce("enrolment__capacity", Value(default_capacity))),
        )
    )
    table: dict[int, SupplyDemandRow] = {}
    for row in demand:
        table[row["competency_id"]] = SupplyDemandRow(row["competency__name"], row["mentees"], row["levels"] or 0, 0, 0)
    for row in supply:
        entry = table.setdefault(row["competency_id"], SupplyDemandRow(row["competency__name"], 0, 0, 0, 0))
        entry.mentors, entry.supply_slots = row["mentors"], row["slots"] or 0
    rows = sorted(table.values(), key=lambda r: (r.balance, r.competency))
    run = MatchRun.objects.filter(programme=programme).exclude(state=MatchRun.State.SUPERSEDED).first()
    unmatched: list[tuple[str, int]] = []
    if run is not None:
        labels = dict(UnmatchedMentee.Reason.choices)
        unmatched = [
            (str(labels.get(r["reason"], r["reason"])), r["n"])
            for r in UnmatchedMentee.objects.filter(run=run).values("reason").annotate(n=Count("pk")).order_by("-n")
        ]
    return SupplyDemand(rows=rows, unmatched=unmatched, run=run)
