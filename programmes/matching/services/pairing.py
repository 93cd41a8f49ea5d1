"""The one pairing check: every new relationship meets the matcher's hard rules and the coordinator's forbids.

A run's proposals, a coordinator's pair, a mentee's request and a rematch all reach
`relationships.relationship_propose`, which calls `pair_check` here under the row locks, after the phase
check (programmes.core.states.check_pairing_phase) and before the capacity count. The rules are the matcher's
own (reporting line, shared language and hours, time-zone gap, format seniority, a closed or declined past
pair), computed by the same arrays on just the people of this relationship, so a rematch can no longer
pair a mentee with their own manager.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _

from programmes.core.errors import DomainError
from programmes.matching.engine import explain_unmatched
from programmes.matching.engine.explain import RULE_LABELS
from programmes.matching.selectors.matching import matching_pool
from programmes.matching.services.arrays import PoolArrays, pool_arrays
from programmes.matching.services.solve import breakdowns, explain_pair, full_scores, weights_for
from programmes.models import Enrolment, PairRule, Programme


@dataclass
class PairScore:
    """One pair's score under the programme's weights, its parts, and the sentence that explains it."""

    score: float
    breakdown: dict[str, float]
    explanation: str


def _broken_rules(arrays: PoolArrays, i: int) -> list[str]:
    """The names of the hard rules that exclude the (only) mentor of a one-mentor pool for mentee `i`."""
    unassigned = np.full(len(arrays.mentee_rows), -1)
    reasons = explain_unmatched(
        arrays.mentees, arrays.mentors, unassigned, rules=arrays.rules, exclusions=arrays.exclusions
    )
    mine = next((r for r in reasons if r.mentee == i), None)
    if mine is None:
        return []
    return [_(RULE_LABELS[name]) for name in mine.excluded_by if name in RULE_LABELS and name != "no_capacity"]


def pair_check(*, programme: Programme, mentor: Enrolment, mentees: Sequence[Enrolment]) -> list[PairScore]:
    """Score each mentee with the mentor under every hard rule; DomainError naming the rule when one forbids it."""
    forbidden = set(
        PairRule.objects.filter(
            mentor=mentor, mentee__in=[m.pk for m in mentees], kind=PairRule.Kind.FORBID
        ).values_list("mentee_id", flat=True)
    )
    pool = matching_pool(programme=programme, only=(list(mentees), [mentor]))
    arrays = pool_arrays(pool)
    weights, attribute_weight = weights_for(pool.settings)
    scores = full_scores(arrays, weights, attribute_weight)
    out: list[PairScore] = []
    for i, mentee in enumerate(mentees):
        if mentee.pk in forbidden:
            raise DomainError(
                _("The coordinator forbade pairing %(mentee)s with %(mentor)s.")
                % {"mentee": mentee.person, "mentor": mentor.person}
            )
        if not np.isfinite(scores[i, 0]):
            rules = ", ".join(_broken_rules(arrays, i)) or _("the matching rules")
            raise DomainError(
                _("A hard rule forbids pairing %(mentee)s with %(mentor)s: %(rules)s.")
                % {"mentee": mentee.person, "mentor": mentor.person, "rules": rules}
            )
        parts = breakdowns(arrays, np.array([i]), np.array([0]), weights, attribute_weight)[0]
        out.append(PairScore(float(scores[i, 0]), parts, explain_pair(arrays, i, 0, parts, weights)))
    return out
