"""Self-service matching: a mentee browses their best-fitting mentors (hard rules and forbids applied) and
requests one; the request proposes the pair through the same path as every other pairing.

The suggestions score only the mentee's own row (1 × M, selectors.suggestions loads what it needs): the same
criteria, weights, hard rules, forbids and full mentors as the whole run, and bit for bit the same scores as
that mentee's row of the whole matrix (engine.scores keeps rows independent), so ties break the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from people.models import User
from programmes.core.errors import DomainError
from programmes.matching.engine import Weights
from programmes.matching.selectors.suggestions import suggestion_pool
from programmes.matching.services.arrays import PoolArrays, pool_arrays
from programmes.matching.services.solve import breakdowns, explain_pair, full_scores, weights_for
from programmes.models import Enrolment, MatchingSettings, Relationship

from .matching import _require_matching_phase
from .relationships import relationship_propose

SUGGESTIONS = 3


@dataclass
class Suggestion:
    mentor: Enrolment
    score: float
    breakdown: dict[str, float]
    explanation: str


@dataclass
class SuggestionRow:
    """One mentee's scores against every mentor of the pool: -inf where a hard rule, a forbid or a full
    mentor rules the pair out. `arrays` holds that one mentee (row 0) and every mentor."""

    arrays: PoolArrays
    scores: np.ndarray
    weights: Weights
    attribute_weight: float


def suggestion_row(*, mentee: Enrolment) -> SuggestionRow | None:
    """Score the mentee against every mentor (None when they are not in the pool or it has no mentor)."""
    pool = suggestion_pool(mentee=mentee)
    if pool is None or not pool.mentors:
        return None
    arrays = pool_arrays(pool)
    weights, attribute_weight = weights_for(pool.settings)
    row = full_scores(arrays, weights, attribute_weight)[0]
    mentor_at = {e.pk: j for j, e in enumerate(pool.mentors)}
    row[[mentor_at[r.mentor_id] for r in pool.forbids if r.mentor_id in mentor_at]] = -np.inf
    row[arrays.mentors.capacity <= 0] = -np.inf
    return SuggestionRow(arrays, row, weights, attribute_weight)


def best_of_row(
    arrays: PoolArrays, i: int, row: np.ndarray, weights: Weights, attribute_weight: float, limit: int
) -> list[Suggestion]:
    """The `limit` best eligible mentors of mentee `i`'s row, equal scores in pool order, with their reasons."""
    finite = np.flatnonzero(np.isfinite(row))
    best = finite[np.argsort(-row[finite], kind="stable")][:limit]
    parts = breakdowns(arrays, np.full(best.size, i), best, weights, attribute_weight)
    return [
        Suggestion(arrays.mentor_rows[j], float(row[j]), parts[k], explain_pair(arrays, i, int(j), parts[k], weights))
        for k, j in enumerate(best)
    ]


def mentor_suggestions(*, mentee: Enrolment, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """The mentee's best eligible mentors with free places, with their explanations (hard rules applied)."""
    found = suggestion_row(mentee=mentee)
    if found is None:
        return []
    return best_of_row(found.arrays, 0, found.scores, found.weights, found.attribute_weight, limit)


@transaction.atomic
def mentor_request(*, actor: User, mentee: Enrolment, mentor: Enrolment) -> Relationship:
    """A mentee asks a mentor; the mentor's place is held while they decide (row lock on the mentor).

    Only mentors the matcher finds eligible may be requested, so the hard rules hold in self-service too.
    """
    settings = MatchingSettings.objects.filter(programme_id=mentee.programme_id).first()
    if settings is None or not settings.self_service:
        raise DomainError(_("In this programme the coordinator proposes the matches."))
    if mentee.person_id != actor.pk:
        raise DomainError(_("Only the mentee requests their own mentor."))
    _require_matching_phase(mentee.programme)
    # The pair keeps the score and reasons the mentee was shown (the pool-wide goal vocabulary), not the
    # pair's own; relationship_propose still checks every hard rule.
    shown = _shown(mentee, mentor)
    return relationship_propose(
        actor=actor,
        mentor=mentor,
        mentees=[mentee],
        origin=Relationship.Origin.REQUEST,
        score=shown.score if shown else None,
        explanation=shown.explanation if shown else "",
    )


def _shown(mentee: Enrolment, mentor: Enrolment) -> Suggestion | None:
    """The suggestion of `mentor` on the mentee's page (None when a rule rules them out: propose says why)."""
    found = suggestion_row(mentee=mentee)
    if found is None:
        return None
    at = next((j for j, e in enumerate(found.arrays.mentor_rows) if e.pk == mentor.pk), None)
    if at is None or not np.isfinite(found.scores[at]):
        return None
    parts = breakdowns(found.arrays, np.array([0]), np.array([at]), found.weights, found.attribute_weight)[0]
    return Suggestion(mentor, float(found.scores[at]), parts, explain_pair(found.arrays, 0, at, parts, found.weights))
