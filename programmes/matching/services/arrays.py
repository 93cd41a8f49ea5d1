"""Turn the matching pool's rows (selectors_matching.PoolRows) into the pure matcher's numpy inputs.

The pure package (programmes.matching.engine) knows nothing of enrolments: row i of every mentee array is
`mentee_rows[i]`, column j of every mentor array `mentor_rows[j]`. This module is the only translation:
competency levels per catalogue column, UTC hour-of-week availability, language and goal-word vocabularies,
divisions, ranked preferences as mentor indices, and the exclusions the ORM computes (reporting line,
past pairs).
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.matching.engine.pools import Exclusions, MenteePool, MentorPool, Names, Rules
from programmes.matching.selectors.matching import PoolRows
from programmes.models import DAYS, MAX_RANKED_MENTORS, Enrolment, Programme, slot_hours

HOURS_PER_WEEK = 168
MAX_GOAL_WORDS = 400
_DAY_INDEX = {code: i for i, (code, _label) in enumerate(DAYS)}
_WORD = re.compile(r"[^\W\d_]{4,}", re.UNICODE)
# Words too common to say anything about a goal (English and Bahasa Indonesia).
# fmt: off
_STOP = frozenset((
    "able", "about", "after", "also", "been", "being", "better", "want", "wants", "would", "could", "should",
    "their", "there", "these", "those", "this", "that", "with", "from", "into", "more", "most", "much", "other",
    "over", "some", "such", "than", "them", "then", "they", "very", "what", "when", "where", "which", "while",
    "will", "your", "yours", "have", "having", "make", "making", "learn", "learning", "improve", "become",
    "skills", "skill", "work", "working", "ingin", "untuk", "dengan", "yang", "dalam", "lebih", "bisa", "dapat",
    "akan", "agar", "pada", "saya", "kami", "kita", "mereka", "menjadi", "belajar", "meningkatkan", "kemampuan",
    "bagaimana", "juga", "atau", "karena", "sebagai", "tentang",
))
# fmt: on

LANGUAGE_NAMES = {
    "id": _("Bahasa Indonesia"),
    "en": _("English"),
    "jv": _("Javanese"),
    "su": _("Sundanese"),
    "ms": _("Malay"),
    "zh": _("Chinese"),
    "ja": _("Japanese"),
    "ko": _("Korean"),
    "ar": _("Arabic"),
    "nl": _("Dutch"),
    "de": _("German"),
    "fr": _("French"),
    "es": _("Spanish"),
    "hi": _("Hindi"),
    "th": _("Thai"),
    "vi": _("Vietnamese"),
    "tl": _("Tagalog"),
}

FORMAT_RULE: dict[str, str] = {
    Programme.Format.ONE_TO_ONE: "one_to_one",
    Programme.Format.REVERSE: "reverse",
    Programme.Format.GROUP: "group",
    Programme.Format.PEER_CIRCLE: "peer",
}


@dataclass
class PoolArrays:
    """The pure matcher's inputs, and the enrolments behind each row and column."""

    mentees: MenteePool
    mentors: MentorPool
    names: Names
    rules: Rules
    exclusions: Exclusions
    mentee_rows: list[Enrolment]
    mentor_rows: list[Enrolment]
    competency_ids: list[int]


@functools.lru_cache(maxsize=512)
def _offset_hours(zone: str, when: datetime) -> float:
    try:
        offset = when.astimezone(zoneinfo.ZoneInfo(zone)).utcoffset()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return 0.0
    return offset.total_seconds() / 3600 if offset is not None else 0.0


def utc_offset(enrolment: Enrolment, when: datetime) -> float:
    """The enrolment's UTC offset in hours now (its own time zone, else the person's)."""
    return _offset_hours(enrolment.effective_time_zone(), when.replace(minute=0, second=0, microsecond=0))


@functools.lru_cache(maxsize=256)
def _local_hours(slot: str) -> tuple[int, ...]:
    """The local hours of the week a slot covers (Monday 00:00 is 0); none for an unknown day."""
    day = _DAY_INDEX.get(slot.split("_", 1)[0])
    return () if day is None else tuple(day * 24 + hour for hour in slot_hours(slot))


def week_hours(slots: Sequence[str], offset: float) -> np.ndarray:
    """A boolean UTC week (hour 0 is Monday 00:00 UTC) from local slot codes and a UTC offset."""
    week = np.zeros(HOURS_PER_WEEK, dtype=bool)
    local = [hour for slot in slots for hour in _local_hours(slot)]
    if local:
        week[np.floor(np.array(local) - offset).astype(np.int64) % HOURS_PER_WEEK] = True
    return week


@functools.lru_cache(maxsize=1 << 16)
def goal_words(text: str) -> frozenset[str]:
    """The content words of a goal text, lower case, four letters or more, stop words dropped.

    Remembered: each suggestions page reads the goals of the whole pool to know which words count, and the
    texts change far less often than pages are shown.
    """
    return frozenset(word.lower() for word in _WORD.findall(text or "")) - _STOP


def rules_for(pool: PoolRows) -> Rules:
    """The hard rules from the programme's policies and the coordinator's matching settings."""
    settings, programme = pool.settings, pool.programme
    return Rules(
        format=FORMAT_RULE.get(Programme.Format(programme.format), "one_to_one"),  # type: ignore[arg-type]
        apply_format_rule=settings.apply_format_rule,
        require_shared_language=settings.require_shared_language,
        min_shared_hours=float(settings.min_shared_hours),
        max_timezone_gap=(
            float(programme.max_time_zone_gap_hours) if programme.max_time_zone_gap_hours is not None else None
        ),
        slot_hours=1.0,
    )


def pool_arrays(pool: PoolRows, *, when: datetime | None = None) -> PoolArrays:
    """Build every array of the pure matcher's input from the loaded pool (no queries)."""
    when = when or timezone.now()
    mentees, mentors = pool.mentees, pool.mentors
    competency_ids = sorted({c for rows in pool.competencies.values() for c, _cur, _lvl in rows})
    column = {pk: i for i, pk in enumerate(competency_ids)}
    languages = sorted({code for e in (*mentees, *mentors) for code in e.effective_languages()})
    words = _goal_vocabulary(pool)
    n, m, c = len(mentees), len(mentors), len(competency_ids)

    current = np.zeros((n, c), dtype=np.int64)
    target = np.zeros((n, c), dtype=np.int64)
    for i, enrolment in enumerate(mentees):
        for competency_id, cur, level in pool.competencies.get(enrolment.pk, []):
            current[i, column[competency_id]] = cur or 0
            target[i, column[competency_id]] = max(level, cur or 0)
    offered = np.zeros((m, c), dtype=np.int64)
    for j, enrolment in enumerate(mentors):
        for competency_id, _cur, level in pool.competencies.get(enrolment.pk, []):
            offered[j, column[competency_id]] = level

    mentor_index = {e.pk: j for j, e in enumerate(mentors)}
    preferences = np.full((n, MAX_RANKED_MENTORS), -1, dtype=np.int64)
    for i, enrolment in enumerate(mentees):
        for rank, mentor_id in enumerate(pool.preferences.get(enrolment.pk, [])[:MAX_RANKED_MENTORS]):
            preferences[i, rank] = mentor_index.get(mentor_id, -1)

    mentee_pool = MenteePool(
        person_ids=np.array([e.person_id for e in mentees], dtype=np.int64),
        current_levels=current,
        target_levels=target,
        goals=_membership(mentees, words, lambda e: goal_words(e.goals)),
        languages=_membership(mentees, languages, lambda e: set(e.effective_languages())),
        availability=_availability(mentees, when),
        utc_offsets=np.array([utc_offset(e, when) for e in mentees], dtype=np.float64),
        grades=_grades(mentees),
        units=_units(mentees, pool),
        preferences=preferences,
    )
    mentor_pool = MentorPool(
        person_ids=np.array([e.person_id for e in mentors], dtype=np.int64),
        levels=offered,
        goals=_membership(mentors, words, lambda e: goal_words(e.goals)),
        languages=_membership(mentors, languages, lambda e: set(e.effective_languages())),
        availability=_availability(mentors, when),
        utc_offsets=np.array([utc_offset(e, when) for e in mentors], dtype=np.float64),
        grades=_grades(mentors),
        units=_units(mentors, pool),
        capacity=np.array(
            [max(e.effective_capacity() - getattr(e, "open_relationships", 0), 0) for e in mentors], dtype=np.int64
        ),
    )
    names = Names(
        competencies=[pool.competency_names.get(pk, str(pk)) for pk in competency_ids],
        languages=[str(LANGUAGE_NAMES.get(code, code.upper())) for code in languages],
        goals=list(words),
    )
    exclusions = Exclusions(
        reporting_line=reporting_line_pairs(pool),
        closed_pairs=past_pair_indices(pool),
    )
    return PoolArrays(
        mentees=mentee_pool,
        mentors=mentor_pool,
        names=names,
        rules=rules_for(pool),
        exclusions=exclusions,
        mentee_rows=mentees,
        mentor_rows=mentors,
        competency_ids=competency_ids,
    )


def _goal_vocabulary(pool: PoolRows) -> list[str]:
    """Words that appear in at least one mentee's and one mentor's goals (the rest cannot overlap), at most
    MAX_GOAL_WORDS of them, those most mentees name first: always the whole pool's mentees, also when the
    rows are one mentee's (their suggestions), so that a goal counts the same as in the whole run."""
    texts = pool.pool_goals if pool.pool_goals is not None else [e.goals for e in pool.mentees]
    mentee_counts: Counter[str] = Counter(w for text in texts for w in goal_words(text))
    mentor_words = {w for e in pool.mentors for w in goal_words(e.goals)}
    shared = [(count, word) for word, count in mentee_counts.items() if word in mentor_words]
    shared.sort(key=lambda item: (-item[0], item[1]))
    return sorted(word for _count, word in shared[:MAX_GOAL_WORDS])


def _membership(rows: list[Enrolment], vocabulary: list[str], members: object) -> np.ndarray:
    index = {word: k for k, word in enumerate(vocabulary)}
    out = np.zeros((len(rows), len(vocabulary)), dtype=bool)
    for i, enrolment in enumerate(rows):
        for word in members(enrolment):  # type: ignore[operator]
            k = index.get(word)
            if k is not None:
                out[i, k] = True
    return out


def _availability(rows: list[Enrolment], when: datetime) -> np.ndarray:
    out = np.zeros((len(rows), HOURS_PER_WEEK), dtype=bool)
    for i, enrolment in enumerate(rows):
        out[i] = week_hours(enrolment.availability or [], utc_offset(enrolment, when))
    return out


def _grades(rows: list[Enrolment]) -> np.ndarray:
    """Grades as floats; unknown grades are NaN, which no grade rule can exclude."""
    return np.array([float(e.person.grade) if e.person.grade is not None else np.nan for e in rows])


def _units(rows: list[Enrolment], pool: PoolRows) -> np.ndarray:
    """Each person's division (top-level org unit); 0 when the directory has no unit."""
    return np.array([pool.divisions.get(e.person.org_unit_id or 0, 0) for e in rows], dtype=np.int64)


def reporting_line_pairs(pool: PoolRows) -> np.ndarray:
    """Index pairs [mentee, mentor] within the programme's reporting-line depth, up or down."""
    mentee_at: dict[int, list[int]] = {}
    for i, e in enumerate(pool.mentees):
        mentee_at.setdefault(e.person_id, []).append(i)
    mentor_at: dict[int, list[int]] = {}
    for j, e in enumerate(pool.mentors):
        mentor_at.setdefault(e.person_id, []).append(j)
    pairs: set[tuple[int, int]] = set()
    for person, managers in pool.managers.items():
        for manager in managers:
            # The mentor manages the mentee (up the mentee's line) …
            for i in mentee_at.get(person, []):
                pairs.update((i, j) for j in mentor_at.get(manager, []))
            # … or the mentee manages the mentor (reverse mentoring down the line).
            for j in mentor_at.get(person, []):
                pairs.update((i, j) for i in mentee_at.get(manager, []))
    return np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)


def past_pair_indices(pool: PoolRows) -> np.ndarray:
    """Index pairs [mentee, mentor] of people who were paired before (closed anywhere, declined here)."""
    if not pool.past_pairs:
        return np.zeros((0, 2), dtype=np.int64)
    mentor_at: dict[int, list[int]] = {}
    for j, e in enumerate(pool.mentors):
        mentor_at.setdefault(e.person_id, []).append(j)
    partners: dict[int, list[int]] = {}
    for pair in pool.past_pairs:
        for person in pair:
            partners.setdefault(person, []).extend(other for other in pair if other != person)
    pairs = [
        (i, j)
        for i, e in enumerate(pool.mentees)
        for other in partners.get(e.person_id, [])
        for j in mentor_at.get(other, [])
    ]
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


def attribute_bonus(arrays: PoolArrays, rows: np.ndarray, weight: float) -> tuple[np.ndarray, np.ndarray]:
    """The opt-in attribute preferences of the mentees in `rows`: (fraction met per row × mentor, rows).

    Only mentees who ticked a preference get a row, so the dense extra memory is small.
    """
    mentees, mentors = arrays.mentee_rows, arrays.mentor_rows
    chosen = [i for i in rows if mentees[i].attribute_preferences]
    if not chosen or weight == 0:
        return np.zeros((0, len(mentors))), np.zeros(0, dtype=np.int64)
    # One array of the mentors' locations, compared with each mentee's in C (not once per mentee in Python).
    locations = np.array([e.location.strip().lower() for e in mentors], dtype=object)
    out = np.zeros((len(chosen), len(mentors)))
    for r, i in enumerate(chosen):
        wanted = mentees[i].attribute_preferences
        met = np.zeros(len(mentors))
        if "same_location" in wanted and mentees[i].location.strip():
            met += (locations == mentees[i].location.strip().lower()).astype(float)
        if "same_time_zone" in wanted:
            met += np.isclose(arrays.mentors.utc_offsets, arrays.mentees.utc_offsets[i]).astype(float)
        if "other_unit" in wanted:
            met += (arrays.mentors.units != arrays.mentees.units[i]).astype(float)
        out[r] = weight * met / len(wanted)
    return out, np.array(chosen, dtype=np.int64)
