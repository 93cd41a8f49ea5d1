"""Self-service matching: a mentee browses their best-fitting mentors (hard rules and forbids applied) and
requests one; the request proposes the pair through the same path as every other pairing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from people.models import User
from programmes.core.errors import DomainError
from programmes.matching.selectors.matching import matching_pool
from programmes.matching.services.arrays import pool_arrays
from programmes.matching.services.solve import breakdowns, explain_pair, full_scores, weights_for
from programmes.models import Enrolment, MatchingSettings, Relationship

from .matching import _indices, _require_matching_phase, _rule_indices
from .relationships import relationship_propose

SUGGESTIONS = 3


@dataclass
class Suggestion:
    mentor: Enrolment
    score: float
    breakdown: dict[str, float]
    explanation: str


def mentor_suggestions(*, mentee: Enrolment, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """The mentee's best eligible mentors with free places, with their explanations (hard rules applied)."""
    programme = mentee.programme
    pool = matching_pool(programme=programme)
    mentee_at, _mentor_at = _indices(pool)
    if mentee.pk not in mentee_at:
        return []
    arrays = pool_arrays(pool)
    i = mentee_at[mentee.pk]
    weights, attribute_weight = weights_for(pool.settings)
    row = full_scores(arrays, weights, attribute_weight)[i]
    for _i, j in _rule_indices(pool, pool.forbids):
        if _i == i:
            row[j] = -np.inf
    row[arrays.mentors.capacity <= 0] = -np.inf
    finite = np.flatnonzero(np.isfinite(row))
    best = finite[np.argsort(-row[finite], kind="stable")][:limit]
    parts = breakdowns(arrays, np.full(best.size, i), best, weights, attribute_weight)
    return [
        Suggestion(arrays.mentor_rows[j], float(row[j]), parts[k], explain_pair(arrays, i, int(j), parts[k], weights))
        for k, j in enumerate(best)
    ]


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
    return relationship_propose(actor=actor, mentor=mentor, mentees=[mentee], origin=Relationship.Origin.REQUEST)
