"""The report's filters as offered groups of people, and the figures a filtered report may show.

`FilterUniverse.load` reads, in a fixed number of queries, everything that decides which filter keeps whom
in each programme: every person's org unit *as frozen for that programme* (with the units above it then),
their enrolled roles, and comparison-group membership. A participant's unit is frozen when their enrolment
is first accepted (programmes.core.services.transitions), a comparison member's when the group is first frozen
with them in it (evaluation.services.comparison); a person who moves afterwards, or whose unit is moved
under another parent, stays counted where they were for that programme. Otherwise an HR analyst could
export, move one person with the people import, export again and subtract: the difference would be that
person's own values, and complementary suppression, which looks at one moment only, cannot see it.

The same universe answers both questions of a filtered report: whom a filter keeps (`kept`), and, for one
figure's unfiltered population, which of the filters the report form offers (org unit with sub-units ×
role) have their group published (evaluation.disclosure). That decision is kept per population, in the
object and in the shared cache under a digest of its inputs: most figures of a programme share the same
people, and at 50,000 people and 5,000 units the rule takes seconds (bench/disclosure_rule.py), so a
page, its exports and the next reader decide once. `withhold` takes a group's figures out of a result
when the reader's filter asks for a group that is not published.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache

from people.models import User
from people.selectors import org_unit_chain, org_unit_parents
from programmes.models import Enrolment

from . import stats
from .disclosure import Group, published_keys
from .models import ComparisonMember
from .outcomes import COMPARISON, MENTOR, PARTICIPANT, Pairs

ROLES = ("mentee", "mentor")
ALL_ROLES = ""
RULE_VERSION = 1  # raise when evaluation.disclosure decides differently: cached decisions are keyed by it
CACHE_SECONDS = 7 * 24 * 3600


@dataclass
class FilterUniverse:
    """Which offered filters (org unit, role) keep each person of one programme."""

    chain_of: dict[int, list[int]]  # person → their frozen unit and every unit above it, nearest first
    roles_of: dict[int, tuple[str, ...]]  # sorted; "" = enrolled in any role or in the comparison group
    _keys: dict[tuple[tuple[int, ...], tuple[str, ...]], list[Hashable]] = field(default_factory=dict)
    _published: dict[Group, frozenset[Hashable]] = field(default_factory=dict)

    @classmethod
    def load(cls, programme_ids: Sequence[int]) -> dict[int, FilterUniverse]:
        """Each programme's universe (two queries; two more only when some row was never frozen)."""
        ids = list(programme_ids)
        roles: dict[int, dict[int, set[str]]] = {pk: defaultdict(set) for pk in ids}
        chains: dict[int, dict[int, list[int]]] = {pk: {} for pk in ids}
        unfrozen: set[tuple[int, int]] = set()
        members = ComparisonMember.objects.filter(group__programme_id__in=ids)
        for programme, person, path in members.values_list("group__programme_id", "person_id", "frozen_org_path"):
            roles[programme][person].update((ALL_ROLES, *ROLES))  # comparison members are kept by every role filter
            if path is not None:
                chains[programme][person] = list(path)  # frozen first, so it holds if they enrol later
            else:
                unfrozen.add((programme, person))
        enrolled = Enrolment.objects.filter(programme_id__in=ids).order_by("pk")
        columns = ("programme_id", "person_id", "role", "frozen_org_path")
        for programme, person, role, path in enrolled.values_list(*columns):
            roles[programme][person].add(ALL_ROLES)
            if role in ROLES:
                roles[programme][person].add(role)
            if path is not None:
                chains[programme].setdefault(person, list(path))
            else:
                unfrozen.add((programme, person))
        # Never frozen: enrolments not accepted (yet), so with no values of their own, and rows written outside
        # the services (test data, a bulk load): where the directory puts them now.
        unfrozen = {(programme, person) for programme, person in unfrozen if person not in chains[programme]}
        if unfrozen:
            units = dict(User.objects.filter(pk__in={p for _pr, p in unfrozen}).values_list("pk", "org_unit_id"))
            parent = org_unit_parents()
            for programme, person in unfrozen:
                chains[programme][person] = org_unit_chain(units.get(person), parent)
        return {
            pk: cls(chain_of=chains[pk], roles_of={person: tuple(sorted(r)) for person, r in roles[pk].items()})
            for pk in ids
        }

    def keys(self, person: int) -> list[Hashable]:
        """The (org unit or None, role) filters that keep this person; (None, "") is no filter at all."""
        chain, roles = tuple(self.chain_of.get(person, ())), self.roles_of.get(person, ())
        if (chain, roles) not in self._keys:  # shared by everyone in the same unit with the same roles
            units: list[int | None] = [None, *chain]
            self._keys[(chain, roles)] = [(u, r) for u in units for r in roles if (u, r) != (None, ALL_ROLES)]
        return self._keys[(chain, roles)]

    def kept(self, org_unit_id: int | None, role: str) -> set[int]:
        """The people the report's filter (an org unit with the units below it, a role) keeps."""
        return {
            person
            for person, roles in self.roles_of.items()
            if (role or ALL_ROLES) in roles and (org_unit_id is None or org_unit_id in self.chain_of.get(person, ()))
        }

    def published_keys(self, population: Iterable[int]) -> frozenset[Hashable]:
        """The filters (org unit, role) whose group is published for one figure's unfiltered population.

        Cached per population in this object, and in the shared cache under a digest of everything the
        decision reads (the rule's version, the threshold, each person with their frozen units and roles):
        the same people in the same filters decide the same, so a page, its exports and the next reader
        reuse one decision, and a changed input is a new key (nothing to invalidate).
        """
        everyone = frozenset(population)
        if everyone not in self._published:
            key = self.cache_key(everyone)
            found = cache.get(key)
            if found is None:
                memberships = {person: self.keys(person) for person in everyone}
                found = frozenset(published_keys(everyone, memberships, stats.MIN_CELL))
                cache.set(key, found, CACHE_SECONDS)
            self._published[everyone] = found
        return self._published[everyone]

    def cache_key(self, everyone: Group) -> str:
        """The shared cache's key of one population's decision: a digest of all it reads."""
        people = sorted(everyone)
        inputs = (
            RULE_VERSION,
            stats.MIN_CELL,
            people,
            [*map(self.chain_of.get, people)],
            [*map(self.roles_of.get, people)],
        )
        return f"disclosure:{hashlib.sha256(repr(inputs).encode()).hexdigest()}"

    def may_show(self, population: Iterable[int], requested: Iterable[int], key: Hashable) -> bool:
        """Whether the figure of `requested`, the people of `population` the filter `key` (org unit or None,
        role) keeps (as `kept` says), may be shown: none of them there, or the filter's group is published."""
        everyone = frozenset(population)
        return not (frozenset(requested) & everyone) or key in self.published_keys(everyone)


# Figures computed from both groups; they go when either group is withheld.
JOINT = ("did", "cohens_d", "hedges_g", "rate_difference", "roi")


def withhold(figures: dict[str, Any], groups: Iterable[str]) -> dict[str, Any]:
    """The figures with these groups' cells (and everything computed from them) taken out."""
    hidden = set(groups)
    cell = {"n": None, "suppressed": True, "empty": False, "withheld": True}
    result = {**figures, "groups": dict(figures["groups"])}
    if MENTOR in hidden:  # mentors are described on their own, never compared: only their cell goes
        result["mentors"] = dict(cell)
    compared = [g for g in hidden if g in (PARTICIPANT, COMPARISON)]
    for group in compared:
        result["groups"][group] = dict(cell)
    if compared:
        result["suppressed"] = True
        for key in JOINT:
            result[key] = None
    return result


def keep_people(pairs: Pairs, people: Collection[int]) -> Pairs:
    """The pairs of the people a filter keeps, in the same order."""
    kept = [i for i, person in enumerate(pairs.person_ids) if person in people]
    return Pairs(
        tuple(pairs.person_ids[i] for i in kept), tuple(pairs.pre[i] for i in kept), tuple(pairs.post[i] for i in kept)
    )
