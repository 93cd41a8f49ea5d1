"""Pure matching package: scores, the exact capacity-constrained assignment, explanations and groups.

Arrays in, arrays out; nothing here imports Django or the ORM. The public API:

* ``assign(scores, capacity, *, min_score=None, maximise_matched=True)``: the exact optimal assignment.
* ``greedy_assign(scores, capacity)``: the greedy baseline (benchmarks only).
* ``score_matrix(mentees, mentors, *, weights, rules, exclusions)``: the score matrix from the pools.
* ``pair_breakdown``, ``explain_pairs``, ``pair_sentence``, ``explain_unmatched``: why a pair, why nobody.
* ``plan_groups``, ``form_groups``, ``assign_facilitators``: groups and peer circles.
"""

from .assignment import assign
from .explain import PairExplanation, UnmatchedReason, explain_pairs, explain_unmatched, pair_sentence
from .greedy import greedy_assign
from .groups import GroupPlan, assign_facilitators, form_groups, group_sizes, need_vectors, plan_groups
from .pools import CRITERIA, HARD_RULES, Exclusions, Format, MenteePool, MentorPool, Names, Rules, Weights
from .scores import pair_breakdown, score_matrix

__all__ = [
    "CRITERIA",
    "HARD_RULES",
    "Exclusions",
    "Format",
    "GroupPlan",
    "MenteePool",
    "MentorPool",
    "Names",
    "PairExplanation",
    "Rules",
    "UnmatchedReason",
    "Weights",
    "assign",
    "assign_facilitators",
    "explain_pairs",
    "explain_unmatched",
    "form_groups",
    "greedy_assign",
    "group_sizes",
    "need_vectors",
    "pair_breakdown",
    "pair_sentence",
    "plan_groups",
    "score_matrix",
]
