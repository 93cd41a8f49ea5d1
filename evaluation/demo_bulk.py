"""The load-test filler of a big demo organisation: a company-wide buddy programme with thousands of pairs.

Only for `seed_demo --people N` with N above BULK_FROM. The programme itself is set up and moved into
implementation through the services, like the story programmes; its pairs (one for every eight people)
and their sessions (a fortnightly one for the last ~40 weeks, 20 per pair) are then bulk-inserted,
because telling thousands of pairs' stories one service call at a time would take hours. At 50,000
people that is 6,250 active pairs and 125,000 sessions, in well under a minute. These rows are a load
test's volume, not a story: the demo's two story programmes never take this path (see evaluation.demo).
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from people.demo_clock import at
from people.models import User
from people.selectors import org_unit_paths
from programmes import demo as steps
from programmes.core.errors import TransitionBlocked
from programmes.models import Enrolment, MentoringSession, Programme, Relationship, RelationshipMember

from . import demo_steps as evaluation

if TYPE_CHECKING:
    from people.demo import DemoPeople, Writer

BULK_FROM = 2000
PEOPLE_PER_PAIR = 8
SESSIONS_PER_PAIR = 20
NAME = "Company buddy programme (load-test filler)"
SPEC = steps.ProgrammeSpec(
    name=NAME,
    purpose="Every new joiner gets a buddy from another unit for their first year.",
    goals=(("Keep 90% of new joiners through their first year.", 1),),
    readiness=((4, "Sponsored by the Human Capital Director."),) * 7,
    conditions="",
    policies={"term_months": 12, "meeting_cadence_days": 14, "mentor_capacity": 1},
)
BATCH = 5000


def build(*, people: DemoPeople, seed: int, stdout: Writer | None = None) -> Programme:
    """Set the buddy programme up through the services, then bulk-insert its pairs and sessions."""
    say = stdout.write if stdout is not None else (lambda text: None)
    today, coordinator = timezone.localdate(), people.coordinator
    with at(today - timedelta(days=330)):
        programme = steps.set_up(spec=SPEC, people=people, coordinators=[coordinator])
        evaluation.metrics(programme, coordinator)
        try:
            steps.advance(programme, coordinator, "Filler.")
        except TransitionBlocked:
            group = evaluation.freeze_comparison(programme, coordinator, seed, 60, say)
            evaluation.record_baselines(programme, coordinator, group, evaluation.Values(seed), today, say)
            steps.advance(programme, coordinator, "Filler.")
        steps.advance(programme, coordinator, "Filler.")
        steps.design(programme, coordinator)
        evaluation.plan(programme, coordinator, today - timedelta(days=300))
        programme = steps.advance(programme, coordinator, "Filler.")
    pairs = _pairs(programme, people.people // PEOPLE_PER_PAIR, random.Random(seed))
    sessions = _sessions(programme, pairs, random.Random(seed + 1))
    say(f"{NAME}: {len(pairs)} active pairs and {sessions} sessions (bulk-inserted load-test volume).\n")
    return programme


def _pairs(programme: Programme, count: int, rng: random.Random) -> list[tuple[int, int, int]]:
    """`count` active pairs of people in no other programme: (relationship id, mentor id, mentee id)."""
    busy = Enrolment.objects.values("person_id")
    free = list(User.objects.exclude(pk__in=busy).order_by("-grade", "pk").values_list("pk", flat=True))
    count = min(count, len(free) // 2)
    mentors, mentees = free[:count], free[-count:]
    rng.shuffle(mentees)
    started = timezone.now() - timedelta(weeks=42)
    # Accepted rows freeze their person's org unit (programmes.core.services.transitions does it one by one).
    unit_of = dict(User.objects.filter(pk__in=mentors + mentees).values_list("pk", "org_unit_id"))
    paths = org_unit_paths(unit_of.values())

    def frozen(person: int) -> dict[str, object]:
        unit = unit_of.get(person)
        return {"frozen_org_unit_id": unit, "frozen_org_path": paths[unit] if unit else []}

    enrol = [
        Enrolment(
            programme=programme,
            person_id=p,
            role=Enrolment.Role.MENTOR,
            state=Enrolment.State.MATCHED,
            capacity=1,
            created_at=started,
            **frozen(p),
        )
        for p in mentors
    ]
    enrol += [
        Enrolment(
            programme=programme,
            person_id=p,
            role=Enrolment.Role.MENTEE,
            state=Enrolment.State.MATCHED,
            created_at=started,
            **frozen(p),
        )
        for p in mentees
    ]
    created = Enrolment.objects.bulk_create(enrol, batch_size=BATCH)
    relationships = Relationship.objects.bulk_create(
        [
            Relationship(
                programme=programme, state=Relationship.State.ACTIVE, created_at=started, state_changed_at=started
            )
            for _ in range(count)
        ],
        batch_size=BATCH,
    )
    members = []
    for i, relationship in enumerate(relationships):
        members += [
            RelationshipMember(
                relationship=relationship,
                enrolment=created[i],
                role=RelationshipMember.Role.MENTOR,
                response=RelationshipMember.Response.ACCEPTED,
                responded_at=started,
            ),
            RelationshipMember(
                relationship=relationship,
                enrolment=created[count + i],
                role=RelationshipMember.Role.MENTEE,
                response=RelationshipMember.Response.ACCEPTED,
                responded_at=started,
            ),
        ]
    RelationshipMember.objects.bulk_create(members, batch_size=BATCH)
    return [(r.pk, mentors[i], mentees[i]) for i, r in enumerate(relationships)]


def _sessions(programme: Programme, pairs: list[tuple[int, int, int]], rng: random.Random) -> int:
    """A held, confirmed session every fortnight for the last SESSIONS_PER_PAIR fortnights, per pair."""
    now, written, batch = timezone.now(), 0, []
    for relationship_id, mentor_id, mentee_id in pairs:
        for k in range(SESSIONS_PER_PAIR):
            held = now - timedelta(days=14 * (SESSIONS_PER_PAIR - k), hours=rng.randint(0, 48))
            batch.append(
                MentoringSession(
                    relationship_id=relationship_id,
                    programme=programme,
                    held_at=held,
                    minutes=60,
                    topics="Settling in",
                    logged_by_id=mentor_id,
                    created_at=held,
                    updated_at=held,
                    confirmation=MentoringSession.Confirmation.CONFIRMED,
                    confirmed_by_id=mentee_id,
                    confirmed_at=held,
                )
            )
        if len(batch) >= BATCH:
            MentoringSession.objects.bulk_create(batch, batch_size=BATCH)
            written, batch = written + len(batch), []
    MentoringSession.objects.bulk_create(batch, batch_size=BATCH)
    return written + len(batch)
