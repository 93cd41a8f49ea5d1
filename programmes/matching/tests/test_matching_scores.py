"""Tests of the score matrix, each hard rule, the criteria, and the explanations of pairs and unmatched mentees.

Pure: no Django, no database. Pools are built by hand: by default one competency gap (level 1 → 3 in
competency 0), one shared language, three shared hours on Monday morning, same time zone, different units.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from programmes.matching.engine import (
    CRITERIA,
    Exclusions,
    MenteePool,
    MentorPool,
    Names,
    Rules,
    Weights,
    assign,
    pair_breakdown,
    score_matrix,
)
from programmes.matching.engine.criteria import Selection, evaluate
from programmes.matching.engine.explain import explain_pairs, explain_unmatched, pair_sentence

COMPETENCIES, LANGUAGES, GOALS, SLOTS = 3, 3, 4, 168
MONDAY_9_TO_12 = [9, 10, 11]


def week(*slots: int) -> np.ndarray:
    """A boolean week with the given hourly slots set."""
    out = np.zeros(SLOTS, dtype=bool)
    out[list(slots)] = True
    return out


def mentees_pool(n: int = 1, **changes: object) -> MenteePool:
    """``n`` identical mentees (override any field with an array)."""
    current = np.ones((n, COMPETENCIES), dtype=np.int64)
    target = current.copy()
    target[:, 0] = 3
    pool = MenteePool(
        person_ids=np.arange(n, dtype=np.int64),
        current_levels=current,
        target_levels=target,
        goals=np.zeros((n, GOALS), dtype=bool),
        languages=np.tile([True, False, False], (n, 1)),
        availability=np.tile(week(*MONDAY_9_TO_12), (n, 1)),
        utc_offsets=np.zeros(n),
        grades=np.full(n, 3.0),
        units=np.zeros(n, dtype=np.int64),
        preferences=np.full((n, 5), -1, dtype=np.int64),
    )
    return dataclasses.replace(pool, **changes)


def mentors_pool(m: int = 1, **changes: object) -> MentorPool:
    """``m`` identical mentors at level 4 everywhere, grade 6, in unit 1, capacity 1."""
    pool = MentorPool(
        person_ids=np.arange(100, 100 + m, dtype=np.int64),
        levels=np.full((m, COMPETENCIES), 4, dtype=np.int64),
        goals=np.zeros((m, GOALS), dtype=bool),
        languages=np.tile([True, False, False], (m, 1)),
        availability=np.tile(week(*MONDAY_9_TO_12), (m, 1)),
        utc_offsets=np.zeros(m),
        grades=np.full(m, 6.0),
        units=np.ones(m, dtype=np.int64),
        capacity=np.ones(m, dtype=np.int64),
    )
    return dataclasses.replace(pool, **changes)


def broken_rules(
    mentees: MenteePool, mentors: MentorPool, rules: Rules | None = None, exclusions: Exclusions | None = None
) -> set[str]:
    """Names of the hard rules that forbid pair (0, 0); also checks the score matrix agrees."""
    sel = Selection(np.array([0]), np.array([0]), paired=True)
    _score, _parts, masks = evaluate(
        mentees, mentors, sel, weights=Weights(), rules=rules or Rules(), exclusions=exclusions or Exclusions()
    )
    broken = {name for name, mask in masks.items() if mask[0]}
    matrix = score_matrix(mentees, mentors, rules=rules, exclusions=exclusions)
    assert np.isneginf(matrix[0, 0]) == bool(broken)
    return broken


def test_a_default_pair_breaks_no_rule() -> None:
    assert broken_rules(mentees_pool(), mentors_pool()) == set()


def test_the_same_person_is_never_their_own_mentor() -> None:
    mentors = mentors_pool(person_ids=np.array([0]))
    assert broken_rules(mentees_pool(), mentors) == {"same_person"}


def test_reporting_line_pairs_are_forbidden() -> None:
    exclusions = Exclusions(reporting_line=np.array([[0, 0]]))
    assert broken_rules(mentees_pool(), mentors_pool(), exclusions=exclusions) == {"reporting_line"}


def test_a_reporting_line_matrix_is_accepted_too() -> None:
    exclusions = Exclusions(reporting_line=np.array([[True, False]]))
    scores = score_matrix(mentees_pool(), mentors_pool(2), exclusions=exclusions)
    assert np.isneginf(scores[0, 0])
    assert np.isfinite(scores[0, 1])


def test_a_pair_without_a_shared_language_is_forbidden() -> None:
    mentors = mentors_pool(languages=np.array([[False, True, False]]))
    assert broken_rules(mentees_pool(), mentors) == {"no_shared_language"}


def test_the_language_rule_can_be_switched_off() -> None:
    mentors = mentors_pool(languages=np.array([[False, True, False]]))
    assert broken_rules(mentees_pool(), mentors, Rules(require_shared_language=False)) == set()


def test_too_little_common_availability_is_forbidden() -> None:
    mentors = mentors_pool(availability=week(11, 12, 13)[None, :])  # one common hour
    assert broken_rules(mentees_pool(), mentors, Rules(min_shared_hours=2)) == {"too_little_availability"}
    assert broken_rules(mentees_pool(), mentors, Rules(min_shared_hours=1)) == set()


def test_half_hour_slots_count_as_half_hours() -> None:
    mentees = mentees_pool(availability=np.tile(week(1, 2, 3), (1, 1)))
    mentors = mentors_pool(availability=np.tile(week(1, 2, 3), (1, 1)))
    assert broken_rules(mentees, mentors, Rules(slot_hours=0.5, min_shared_hours=2)) == {"too_little_availability"}


def test_a_closed_past_pair_is_forbidden() -> None:
    exclusions = Exclusions(closed_pairs=np.array([[0, 0]]))
    assert broken_rules(mentees_pool(), mentors_pool(), exclusions=exclusions) == {"closed_before"}


def test_a_time_zone_gap_above_the_limit_is_forbidden() -> None:
    mentors = mentors_pool(utc_offsets=np.array([9.0]), availability=week(0, 1, 9, 10)[None, :])
    assert broken_rules(mentees_pool(), mentors, Rules(max_timezone_gap=8)) == {"timezone_gap"}
    assert broken_rules(mentees_pool(), mentors, Rules(max_timezone_gap=9)) == set()


def test_time_zones_are_compared_around_the_clock() -> None:
    mentees = mentees_pool(utc_offsets=np.array([14.0]))
    mentors = mentors_pool(utc_offsets=np.array([-10.0]))
    assert broken_rules(mentees, mentors, Rules(max_timezone_gap=1)) == set()


def test_one_to_one_format_forbids_a_mentor_not_above_the_mentee_in_any_needed_competency() -> None:
    mentors = mentors_pool(levels=np.array([[1, 5, 5]]))  # level 1 in the one needed competency
    assert broken_rules(mentees_pool(), mentors) == {"format"}


def test_one_to_one_format_accepts_a_mentor_above_the_mentee_in_one_needed_competency() -> None:
    current = np.array([[1, 2, 1]])
    target = np.array([[3, 4, 1]])
    mentors = mentors_pool(levels=np.array([[1, 3, 0]]))  # not in competency 0, but above in 1
    assert broken_rules(mentees_pool(current_levels=current, target_levels=target), mentors) == set()


def test_one_to_one_format_does_not_restrict_a_mentee_without_gaps() -> None:
    mentees = mentees_pool(target_levels=np.ones((1, COMPETENCIES), dtype=np.int64))
    assert broken_rules(mentees, mentors_pool(levels=np.zeros((1, COMPETENCIES), dtype=np.int64))) == set()


def test_reverse_format_forbids_a_more_senior_mentor() -> None:
    assert broken_rules(mentees_pool(), mentors_pool(), Rules(format="reverse")) == {"format"}


def test_reverse_format_forbids_a_mentor_of_the_same_grade() -> None:
    mentors = mentors_pool(grades=np.array([3.0]))
    assert broken_rules(mentees_pool(), mentors, Rules(format="reverse")) == {"format"}


def test_reverse_format_accepts_a_more_junior_mentor() -> None:
    mentors = mentors_pool(grades=np.array([2.0]))
    assert broken_rules(mentees_pool(), mentors, Rules(format="reverse")) == set()


def test_peer_format_forbids_grades_further_apart_than_the_tolerance() -> None:
    rules = Rules(format="peer", peer_grade_tolerance=1)
    assert broken_rules(mentees_pool(), mentors_pool(grades=np.array([5.0])), rules) == {"format"}
    assert broken_rules(mentees_pool(), mentors_pool(grades=np.array([4.0])), rules) == set()


def test_the_format_rule_can_be_switched_off() -> None:
    assert broken_rules(mentees_pool(), mentors_pool(), Rules(format="reverse", apply_format_rule=False)) == set()


def test_several_broken_rules_are_all_named() -> None:
    mentors = mentors_pool(person_ids=np.array([0]), languages=np.array([[False, True, False]]))
    assert broken_rules(mentees_pool(), mentors) == {"same_person", "no_shared_language"}


def criterion(name: str, mentees: MenteePool, mentors: MentorPool, rules: Rules | None = None) -> float:
    """The unweighted criterion value of pair (0, 0)."""
    weights = Weights(**{c: (1.0 if c == name else 0.0) for c in CRITERIA})
    return float(pair_breakdown(mentees, mentors, [0], [0], weights=weights, rules=rules)[name][0])


def test_competency_is_the_share_of_needed_level_steps_the_mentor_covers() -> None:
    mentees = mentees_pool(current_levels=np.array([[1, 1, 1]]), target_levels=np.array([[3, 3, 1]]))
    mentors = mentors_pool(levels=np.array([[2, 5, 5]]))
    assert criterion("competency", mentees, mentors) == pytest.approx(3 / 4)


def test_goals_are_the_share_of_the_mentees_goals_the_mentor_supports() -> None:
    mentees = mentees_pool(goals=np.array([[True, True, False, False]]))
    mentors = mentors_pool(goals=np.array([[True, False, True, False]]))
    assert criterion("goals", mentees, mentors) == pytest.approx(0.5)


def test_availability_saturates_at_the_good_number_of_hours() -> None:
    assert criterion("availability", mentees_pool(), mentors_pool(), Rules(good_shared_hours=6)) == 0.5
    assert criterion("availability", mentees_pool(), mentors_pool(), Rules(good_shared_hours=2)) == 1.0


def test_preference_is_highest_for_the_first_choice() -> None:
    prefs = np.array([[1, 0, -1, -1, -1]])
    mentees, mentors = mentees_pool(preferences=prefs), mentors_pool(2)
    weights = Weights(**{c: (1.0 if c == "preference" else 0.0) for c in CRITERIA})
    values = pair_breakdown(mentees, mentors, [0, 0], [0, 1], weights=weights)["preference"]
    assert values.tolist() == [pytest.approx(0.8), 1.0]


def test_timezone_and_diversity_criteria() -> None:
    mentors = mentors_pool(utc_offsets=np.array([3.0]), units=np.array([0]))
    assert criterion("timezone", mentees_pool(), mentors) == pytest.approx(0.75)
    assert criterion("diversity", mentees_pool(), mentors) == 0.0
    assert criterion("diversity", mentees_pool(), mentors_pool()) == 1.0


def test_unknown_weight_names_are_rejected() -> None:
    with pytest.raises(ValueError, match="charisma"):
        Weights.from_mapping({"charisma": 1.0})


def test_pools_of_inconsistent_shapes_are_rejected() -> None:
    mentors = mentors_pool(levels=np.full((1, COMPETENCIES + 1), 4, dtype=np.int64))
    with pytest.raises(ValueError, match="levels"):
        score_matrix(mentees_pool(), mentors)


def random_pools(seed: int, n: int, m: int) -> tuple[MenteePool, MentorPool]:
    """Random pools with every feature varied, for agreement tests."""
    rng = np.random.default_rng(seed)
    current = rng.integers(0, 4, size=(n, COMPETENCIES))
    mentees = mentees_pool(
        n,
        person_ids=rng.integers(0, n + m, size=n),
        current_levels=current,
        target_levels=np.minimum(current + rng.integers(0, 3, size=current.shape), 5),
        goals=rng.random((n, GOALS)) < 0.4,
        languages=rng.random((n, LANGUAGES)) < 0.6,
        availability=rng.random((n, SLOTS)) < 0.1,
        utc_offsets=rng.choice([-5.0, 0.0, 5.5, 9.0], size=n),
        grades=rng.integers(1, 8, size=n).astype(float),
        units=rng.integers(0, 3, size=n),
        preferences=np.where(rng.random((n, 5)) < 0.5, rng.integers(0, m, size=(n, 5)), -1),
    )
    mentors = mentors_pool(
        m,
        person_ids=rng.integers(0, n + m, size=m),
        levels=rng.integers(0, 6, size=(m, COMPETENCIES)),
        goals=rng.random((m, GOALS)) < 0.4,
        languages=rng.random((m, LANGUAGES)) < 0.6,
        availability=rng.random((m, SLOTS)) < 0.1,
        utc_offsets=rng.choice([-5.0, 0.0, 5.5, 9.0], size=m),
        grades=rng.integers(1, 8, size=m).astype(float),
        units=rng.integers(0, 3, size=m),
        capacity=rng.integers(0, 3, size=m),
    )
    return mentees, mentors


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    shape=st.tuples(st.integers(1, 12), st.integers(1, 9)),
    form=st.sampled_from(["one_to_one", "reverse", "peer", "group"]),
    as_matrix=st.booleans(),
    gap=st.sampled_from([None, 4.0]),
)
def test_the_fused_score_matrix_agrees_with_the_per_criterion_definitions(
    seed: int, shape: tuple[int, int], form: str, as_matrix: bool, gap: float | None
) -> None:
    n, m = shape
    mentees, mentors = random_pools(seed, n, m)
    rng = np.random.default_rng(seed + 1)
    pairs = np.column_stack([rng.integers(0, n, 3), rng.integers(0, m, 3)])
    reporting: np.ndarray = np.zeros((n, m), dtype=bool) if as_matrix else pairs
    if as_matrix:
        reporting[pairs[:, 0], pairs[:, 1]] = True
    exclusions = Exclusions(reporting_line=reporting, closed_pairs=pairs[:1])
    rules = Rules(format=form, min_shared_hours=1, max_timezone_gap=gap)  # type: ignore[arg-type]
    weights = Weights(preference=0.3, diversity=0.2)
    fused = score_matrix(mentees, mentors, weights=weights, rules=rules, exclusions=exclusions)
    sel = Selection(np.arange(n), np.arange(m))
    plain, _parts, _masks = evaluate(mentees, mentors, sel, weights=weights, rules=rules, exclusions=exclusions)
    assert np.array_equal(np.isneginf(fused), np.isneginf(plain))
    finite = np.isfinite(plain)
    assert np.allclose(fused[finite], plain[finite], atol=1e-6)


def test_the_breakdown_sums_to_the_score() -> None:
    mentees, mentors = random_pools(5, 8, 6)
    rules = Rules(require_shared_language=False, min_shared_hours=0, apply_format_rule=False)
    scores = score_matrix(mentees, mentors, rules=rules)
    rows, cols = np.nonzero(np.isfinite(scores))
    parts = pair_breakdown(mentees, mentors, rows, cols, rules=rules)
    assert np.allclose(sum(parts.values()), scores[rows, cols], atol=1e-6)


NAMES = Names(
    competencies=["Negotiation", "Budgeting", "Coaching"],
    languages=["English", "Bahasa Indonesia", "French"],
    goals=["Leadership", "Strategy", "Finance", "Sales"],
)


def example_pair() -> tuple[MenteePool, MentorPool]:
    """A mentee targeting level 4 in Negotiation, speaking Bahasa Indonesia; a level-4 mentor elsewhere."""
    mentees = mentees_pool(
        current_levels=np.array([[2, 1, 1]]),
        target_levels=np.array([[4, 1, 1]]),
        languages=np.array([[False, True, False]]),
        goals=np.array([[True, False, False, False]]),
        preferences=np.array([[0, -1, -1, -1, -1]]),
    )
    mentors = mentors_pool(
        levels=np.array([[4, 0, 0]]),
        languages=np.array([[True, True, False]]),
        goals=np.array([[True, True, False, False]]),
        utc_offsets=np.array([2.0]),
    )
    return mentees, mentors


def test_the_pair_sentence_names_language_competency_hours_and_divisions() -> None:
    mentees, mentors = example_pair()
    sentence = pair_sentence(mentees, mentors, 0, 0, names=NAMES)
    assert "both speak Bahasa Indonesia" in sentence
    assert "mentor is level 4 in Negotiation, mentee targets 4" in sentence
    assert "3 hours of shared availability" in sentence
    assert "different divisions" in sentence
    assert "shared goals: Leadership" in sentence
    assert "the mentee's choice #1" in sentence
    assert "2 hours apart" in sentence


def test_one_shared_hour_is_singular() -> None:
    mentees, mentors = example_pair()
    mentors = dataclasses.replace(mentors, availability=week(11, 12)[None, :])
    assert "1 hour of shared availability" in pair_sentence(mentees, mentors, 0, 0, names=NAMES)


def test_every_fragment_goes_through_the_translate_hook() -> None:
    mentees, mentors = example_pair()
    french = {"both speak {language}": "parlent tous deux {language}", "different divisions": "autres divisions"}
    sentence = pair_sentence(mentees, mentors, 0, 0, names=NAMES, translate=lambda s: french.get(s, s))
    assert sentence.startswith("parlent tous deux Bahasa Indonesia; ")
    assert sentence.endswith("autres divisions")


def test_explain_pairs_gives_breakdown_score_and_sentence_for_each_match() -> None:
    mentees, mentors = example_pair()
    scores = score_matrix(mentees, mentors)
    [explanation] = explain_pairs(mentees, mentors, assign(scores, mentors.capacity), names=NAMES)
    assert (explanation.mentee, explanation.mentor) == (0, 0)
    assert explanation.score == pytest.approx(scores[0, 0])
    assert set(explanation.breakdown) == set(CRITERIA)
    assert explanation.breakdown["competency"] == pytest.approx(Weights().competency)
    assert "Negotiation" in explanation.sentence


def test_a_mentee_with_no_eligible_mentor_is_told_which_rules_excluded_whom() -> None:
    mentees = mentees_pool(languages=np.array([[False, False, True]]))
    mentors = mentors_pool(3, person_ids=np.array([0, 101, 102]))
    exclusions = Exclusions(reporting_line=np.array([[0, 1]]))
    [reason] = explain_unmatched(mentees, mentors, np.array([-1]), exclusions=exclusions)
    assert reason.kind == "no_eligible_mentor"
    assert reason.excluded_by == {"no_shared_language": 3, "same_person": 1, "reporting_line": 1}
    assert reason.sentence == (
        "no eligible mentor; mentors excluded by no shared language (3), reporting line (1), same person (1)"
    )


def test_a_mentee_is_told_when_capacity_ran_out() -> None:
    mentees, mentors = mentees_pool(3), mentors_pool(2)
    result = assign(score_matrix(mentees, mentors), mentors.capacity)
    [reason] = explain_unmatched(mentees, mentors, result)
    assert reason.kind == "capacity"
    assert reason.eligible == 2
    assert reason.excluded_by == {}
    assert reason.sentence == "capacity ran out: all 2 eligible mentors are fully booked"


def test_capacity_ran_out_with_a_single_eligible_mentor() -> None:
    mentees, mentors = mentees_pool(2), mentors_pool(1)
    result = assign(score_matrix(mentees, mentors), mentors.capacity)
    [reason] = explain_unmatched(mentees, mentors, result)
    assert reason.sentence == "capacity ran out: the one eligible mentor is fully booked"


def test_a_mentee_is_told_when_no_pair_reaches_the_minimum_score() -> None:
    mentees, mentors = mentees_pool(), mentors_pool()
    scores = score_matrix(mentees, mentors)
    result = assign(scores, mentors.capacity, min_score=0.99, maximise_matched=False)
    [reason] = explain_unmatched(mentees, mentors, result, min_score=0.99, maximise_matched=False)
    assert reason.kind == "below_min_score"
    assert "minimum score" in reason.sentence


def test_mentors_without_capacity_count_as_an_exclusion() -> None:
    mentees, mentors = mentees_pool(), mentors_pool(capacity=np.array([0]))
    [reason] = explain_unmatched(mentees, mentors, np.array([-1]))
    assert reason.kind == "no_eligible_mentor"
    assert reason.excluded_by == {"no_capacity": 1}


def _one_mentee(pool: MenteePool, i: int) -> MenteePool:
    return MenteePool(**{f.name: getattr(pool, f.name)[i : i + 1] for f in dataclasses.fields(pool)})


def _rows_of(pairs: np.ndarray, i: int) -> np.ndarray:
    mine = pairs[pairs[:, 0] == i].copy()
    mine[:, 0] = 0
    return mine


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    shape=st.tuples(st.integers(1, 40), st.integers(1, 30)),
    form=st.sampled_from(["one_to_one", "reverse", "peer", "group"]),
    chunk=st.sampled_from([1, 7, 1_000_000]),
    words=st.sampled_from([GOALS, 400]),
)
def test_a_mentee_scored_alone_gets_bit_for_bit_their_row_of_the_whole_matrix(
    seed: int, shape: tuple[int, int], form: str, chunk: int, words: int
) -> None:
    """Self-service scores one row: ties between mentors must break the same way as in the whole matrix.

    With a wide goal vocabulary (up to the 400 words the pool keeps) BLAS sums the product in blocks, so a
    column that moved (a unit only other mentees are in) would change the last bit of the row.
    """
    import programmes.matching.engine.scores as scores

    n, m = shape
    mentees, mentors = random_pools(seed, n, m)
    rng = np.random.default_rng(seed + 2)
    # Units and offsets some mentees have and no mentor has: the columns come from the mentor side alone.
    mentees = dataclasses.replace(
        mentees,
        units=rng.integers(0, 6, size=n),
        utc_offsets=rng.choice([0.0, 7.0, 8.5], n),
        goals=rng.random((n, words)) < 0.2,
    )
    mentors = dataclasses.replace(mentors, goals=rng.random((m, words)) < 0.5)
    pairs = np.column_stack([rng.integers(0, n, 2 * n), rng.integers(0, m, 2 * n)])
    rules = Rules(format=form, min_shared_hours=1, max_timezone_gap=9.0)  # type: ignore[arg-type]
    weights = Weights(preference=0.3, diversity=0.2, goals=0.25, timezone=0.1)
    saved = scores.CHUNK_ELEMENTS
    scores.CHUNK_ELEMENTS = chunk * m  # blocks of `chunk` rows, a last block of one row among them
    try:
        whole = score_matrix(
            mentees, mentors, weights=weights, rules=rules, exclusions=Exclusions(pairs[:n], pairs[n:])
        )
    finally:
        scores.CHUNK_ELEMENTS = saved
    for i in range(n):
        alone = score_matrix(
            _one_mentee(mentees, i),
            mentors,
            weights=weights,
            rules=rules,
            exclusions=Exclusions(_rows_of(pairs[:n], i), _rows_of(pairs[n:], i)),
        )
        assert alone.shape == (1, m)
        assert np.array_equal(alone[0], whole[i]), f"row {i} differs alone"


@pytest.mark.parametrize(("n", "m"), [(3, 0), (0, 2), (0, 0)])
def test_an_empty_side_gives_an_empty_matrix_not_an_error(n: int, m: int) -> None:
    """A mentee looking for mentors in a pool that has none yet is scored against nobody."""
    assert score_matrix(mentees_pool(n), mentors_pool(m)).shape == (n, m)
