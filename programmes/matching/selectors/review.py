"""Queries of the match review: a run's proposals in the order the coordinator sorts them, and its unmatched
mentees. The sort is the database's, over the whole run, so each page is the next rows of that order."""

from __future__ import annotations

from django.db.models import F, FloatField, OrderBy, QuerySet, Value
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce

from programmes.matching.engine import CRITERIA
from programmes.models import MatchProposal, MatchRun, UnmatchedMentee

DEFAULT_ORDER = ("group_no", "-score", "pk")
# What the review table sorts by: the people, the score and each criterion of the breakdown ("attributes" is the
# opt-in preferences the run adds to the matcher's criteria).
SORT_KEYS = ("mentee", "mentor", "score", *CRITERIA, "attributes")


def _sort_by(key: str) -> F | Coalesce:
    if key in ("mentee", "mentor"):
        return F(f"{key}__person__full_name")
    if key == "score":
        return F("score")
    # A criterion the breakdown lacks counts as 0, as the table shows it.
    return Coalesce(Cast(KeyTextTransform(key, "breakdown"), FloatField()), Value(0.0))


def review_order(sort: str) -> list[str | OrderBy]:
    """The ORDER BY of `?sort=` ("score", "-score", "mentee", a criterion …); the run's own order otherwise.

    The run's order follows as the tie-break, ending with the primary key: pages never overlap or skip.
    """
    key = sort.removeprefix("-")
    if key not in SORT_KEYS:
        return list(DEFAULT_ORDER)
    expression = _sort_by(key)
    return [expression.desc() if sort.startswith("-") else expression.asc(), *DEFAULT_ORDER]


def proposals_for_run(*, run: MatchRun, sort: str = "") -> QuerySet[MatchProposal]:
    """The run's proposals for the review table, with both people and their units (one query a page)."""
    return run.proposals.select_related(
        "mentee__person", "mentee__person__org_unit", "mentor__person", "mentor__person__org_unit", "relationship"
    ).order_by(*review_order(sort))


def unmatched_for_run(*, run: MatchRun) -> QuerySet[UnmatchedMentee]:
    return run.unmatched.select_related("mentee__person").order_by("reason", "pk")
