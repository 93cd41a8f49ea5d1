"""The pool as one mentee's self-service suggestions need it: that mentee, every mentor, and the pool's goals.

A mentee's row of the score matrix depends on the mentee, the mentors and one pool-wide fact: the goal
vocabulary (words some mentee and some mentor name, the most named first), which decides what counts as a
goal. So this loads the mentor side as the whole run does, the mentee's own rows, and only the goals text
of the other mentees: the page costs one row of scores (1 × M), not the whole matrix (N × M).
"""

from __future__ import annotations

from django.db.models import Q

from programmes.models import Enrolment, PairRule

from .matching import (
    GIVING_ROLES,
    PoolRows,
    State,
    divisions,
    load_competencies,
    load_preferences,
    matching_settings_for,
    past_pairs,
    pool_mentees,
    pool_mentors,
)


def suggestion_pool(*, mentee: Enrolment) -> PoolRows | None:
    """The pool rows that score `mentee` against every mentor as the whole run would (None: not in the pool).

    About ten queries whatever the size of the pool. Locks are not loaded (they bind the coordinator's run,
    not a mentee's choice); forbids are this mentee's only.
    """
    programme = mentee.programme
    found = pool_mentees(programme).filter(pk=mentee.pk).first()
    if found is None:
        return None
    mentors = list(pool_mentors(programme))
    pool = PoolRows(programme=programme, settings=matching_settings_for(programme), mentees=[found], mentors=mentors)
    pool.pool_goals = list(pool_mentees(programme).values_list("goals", flat=True))
    giving = Q(enrolment__programme=programme, enrolment__state=State.AVAILABLE, enrolment__role__in=GIVING_ROLES)
    load_competencies(pool, giving | Q(enrolment=found))
    load_preferences(pool, Q(mentee=found))
    depth = programme.reporting_line_exclusion_depth
    if depth:
        from people.selectors import managers_within

        # Both directions of the reporting line: the mentee's managers, and each mentor's (the mentee may be one).
        pool.managers = managers_within({found.person_id} | {e.person_id for e in mentors}, depth)
    pool.past_pairs = past_pairs(programme=programme, people={found.person_id})
    pool.divisions = divisions()
    pool.forbids = list(PairRule.objects.filter(programme=programme, mentee=found, kind=PairRule.Kind.FORBID))
    return pool
