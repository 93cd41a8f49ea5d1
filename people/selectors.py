"""Queries of the people directory that pages, matching and reports read."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from .models import OrgUnit, User

# Ancestors of a set of people up to a depth, in one recursive query (PostgreSQL and SQLite alike).
# The depth bound also makes a cycle in bad data finite.
_ANCESTORS_SQL = """
WITH RECURSIVE chain(person_id, ancestor_id, depth) AS (
    SELECT id, manager_id, 1 FROM {table} WHERE id IN ({placeholders}) AND manager_id IS NOT NULL
    UNION ALL
    SELECT chain.person_id, u.manager_id, chain.depth + 1
    FROM chain JOIN {table} u ON u.id = chain.ancestor_id
    WHERE chain.depth < %s AND u.manager_id IS NOT NULL
)
SELECT person_id, ancestor_id, depth FROM chain
"""


def managers_within(person_ids: Iterable[int], depth: int) -> dict[int, dict[int, int]]:
    """Each person's managers up the reporting line, at most `depth` levels up: {person: {manager: level}}.

    One query however many people are asked about; level 1 is the direct manager.
    """
    ids = sorted(set(person_ids))
    result: dict[int, dict[int, int]] = {pk: {} for pk in ids}
    if not ids or depth < 1:
        return result
    sql = _ANCESTORS_SQL.format(table=User._meta.db_table, placeholders=", ".join(["%s"] * len(ids)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, depth])
        for person_id, ancestor_id, level in cursor.fetchall():
            known = result[person_id].get(ancestor_id)
            if known is None or level < known:
                result[person_id][ancestor_id] = level
    return result


def pairs_within_reporting_line(pairs: Iterable[tuple[int, int]], depth: int) -> set[tuple[int, int]]:
    """The pairs (x, y) in which one is within `depth` levels of the other's reporting line, up or down.

    "Up" means y manages x directly or through at most depth - 1 managers between; "down" the reverse.
    All pairs are answered from one query.
    """
    pair_list = list(pairs)
    people = {pk for pair in pair_list for pk in pair}
    chains = managers_within(people, depth)
    return {(x, y) for x, y in pair_list if y in chains.get(x, {}) or x in chains.get(y, {})}


def org_unit_chain(unit_id: int | None, parent: dict[int, int | None]) -> list[int]:
    """The unit and every unit above it, nearest first, along `parent` (unit → its parent); [] for no unit."""
    chain: list[int] = []
    while unit_id is not None and unit_id not in chain:  # a loop in bad data ends at its first repeat
        chain.append(unit_id)
        unit_id = parent.get(unit_id)
    return chain


def org_unit_parents() -> dict[int, int | None]:
    """The org tree as unit → parent (one query)."""
    return dict(OrgUnit.objects.values_list("pk", "parent_id"))


def org_unit_paths(unit_ids: Iterable[int | None]) -> dict[int, list[int]]:
    """Each given unit with every unit above it today, nearest first (one query for the tree).

    Programmes freeze this when a person becomes part of one (an accepted enrolment, a comparison-group
    member): reports filter that programme's people by the frozen chain, so a later move or re-parenting
    in the HRIS changes none of its figures.
    """
    parent = org_unit_parents()
    return {unit: org_unit_chain(unit, parent) for unit in set(unit_ids) if unit is not None}


def org_unit_children() -> dict[int | None, list[int]]:
    """The org tree as parent → children, from one query over the (small) unit table."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in OrgUnit.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    return children


def org_units_below(start: Iterable[int], children: dict[int | None, list[int]]) -> set[int]:
    """The given units and every unit below them in `children` (org_unit_children())."""
    found: set[int] = set()
    frontier = list(start)
    while frontier:
        unit = frontier.pop()
        if unit not in found:
            found.add(unit)
            frontier.extend(children.get(unit, []))
    return found


def org_unit_ids_with_descendants(unit_ids: Iterable[int]) -> set[int]:
    """The given org units and every unit below them (one query for the whole tree)."""
    return org_units_below(unit_ids, org_unit_children())
