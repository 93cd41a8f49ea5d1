"""Who is in which group of an evaluation, per protocol: the one place that says it.

**Mentored** (the participant cell of every outcome result) means a mentee (or a peer in a circle) whose
relationship reached active, who did not withdraw: they were paired, signed their agreement and began
(per protocol). Applicants never matched, pairs that never started and people who withdrew are left
out and counted as excluded. **Mentors** whose relationship reached active are reported separately (their
own cell, no comparison), since a metric measured on them says what mentoring did for the mentors.

**Comparison** means a member of the frozen comparison group who has never applied to the programme. The
group is drawn after screening from people not enrolled; someone in it who applies later (whatever
became of their application) chose the programme, so they are left out of the comparison group and counted
as excluded ("enrolled after the comparison group was frozen"). If accepted, they are a participant like
anyone else, and may get a participant's baseline before their first relationship becomes active.

"Reached active" is read from the relationship's state (active, on hold, closing) or, for a relationship
closed since, from its audit trail (an AuditEvent moving it to active).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Q

from programmes.core.states import ENROLMENT_ACCEPTED, ENROLMENT_GONE
from programmes.core.states import STARTED as STARTED_STATES
from programmes.models import AuditEvent, Enrolment, Relationship, RelationshipMember

from .models import ComparisonMember

Role = Enrolment.Role
RState = Relationship.State

MENTEE_SIDE = frozenset({Role.MENTEE, Role.PEER})
MENTOR_SIDE = frozenset({Role.MENTOR, Role.FACILITATOR})
# Left or turned down: never a participant of the analysis.
GONE = ENROLMENT_GONE
# Accepted into the programme (whatever came next): may have a participant's values.
ACCEPTED_STATES = ENROLMENT_ACCEPTED


@dataclass
class ProtocolGroups:
    """One programme's people by their place in the analysis (see the module docstring)."""

    mentored: set[int] = field(default_factory=set)
    mentors: set[int] = field(default_factory=set)
    comparison: set[int] = field(default_factory=set)
    # Everyone who ever applied, in any state: never in the comparison cell.
    applicants: set[int] = field(default_factory=set)


def reached_active_relationships() -> Q:
    """A filter on Relationship: it is active now, or was once (its audit trail says so)."""
    moved = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Relationship), object_id=OuterRef("pk"), to_state=RState.ACTIVE
    )
    return Q(state__in=list(STARTED_STATES)) | Q(Exists(moved))


def started_members(programme_ids: Collection[int]):  # type: ignore[no-untyped-def]
    """(programme id, person id, role, enrolment state) of every member whose relationship reached active."""
    started = Relationship.objects.filter(programme_id__in=list(programme_ids)).filter(reached_active_relationships())
    return (
        RelationshipMember.objects.filter(relationship__in=started.values("pk"))
        .exclude(response=RelationshipMember.Response.DECLINED)
        .values_list("relationship__programme_id", "enrolment__person_id", "enrolment__role", "enrolment__state")
        .distinct()
    )


def protocol_groups_for_programmes(*, programme_ids: Collection[int]) -> dict[int, ProtocolGroups]:
    """Programme id → its ProtocolGroups, in three queries whatever the number of programmes."""
    ids = list(programme_ids)
    groups: dict[int, ProtocolGroups] = defaultdict(ProtocolGroups)
    for programme_id, person_id, role, state in started_members(ids):
        if state in GONE:
            continue
        if role in MENTEE_SIDE:
            groups[programme_id].mentored.add(person_id)
        elif role in MENTOR_SIDE:
            groups[programme_id].mentors.add(person_id)
    for programme_id, person_id in Enrolment.objects.filter(programme_id__in=ids).values_list(
        "programme_id", "person_id"
    ):
        groups[programme_id].applicants.add(person_id)
    members = ComparisonMember.objects.filter(group__programme_id__in=ids, group__frozen_at__isnull=False)
    for programme_id, person_id in members.values_list("group__programme_id", "person_id"):
        if person_id not in groups[programme_id].applicants:
            groups[programme_id].comparison.add(person_id)
    return dict(groups)


def started_person_ids(*, programme_id: int) -> set[int]:
    """The people (any role) of one programme whose first relationship has become active."""
    return {person_id for _p, person_id, _r, _s in started_members([programme_id])}
