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
figure's unfiltered population, the published groups (evaluation.disclosure) of every filter the report
form offers (org unit with sub-units × role), cached per population because most figures of a programme
share the same people. `withhold` takes a group's figures out of a result when the reader's filter asks
for a group that is not published.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from people.models import User
from people.selectors import org_unit_chain, org_unit_parents
from programmes.models import Enrolment

from . import stats
from .disclosure import Group, may_show, shown_groups
from .models import ComparisonMember
from .outcomes import COMPARISON, MENTOR, PARTICIPANT, Pairs

ROLES = ("mentee", "mentor")
ALL_ROLES = ""


@dataclass
class FilterUniverse:
    """Which offered filters (org unit, role) keep each person of one programme."""

    chain_of: dict[int, list[int]]  # person → their frozen unit and every unit above it, nearest first
    roles_of: dict[int, set[str]]  # "" = enrolled in any role or in the comparison group
    _keys: dict[int, list[Hashable]] = field(default_factory=dict)
    _published: dict[Group, set[Group]] = field(default_factory=dict)

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
        return {pk: cls(chain_of=chains[pk], roles_of=dict(roles[pk])) for pk in ids}

    def keys(self, person: int) -> list[Hashable]:
        """The (org unit or None, role) filters that keep this person; (None, "") is no filter at all."""
        if person not in self._keys:
            units: list[int | None] = [None, *self.chain_of.get(person, ())]
            roles = self.roles_of.get(person, set())
            self._keys[person] = [(u, r) for u in units for r in roles if (u, r) != (None, ALL_ROLES)]
        return self._keys[person]

    def kept(self, org_unit_id: int | None, role: str) -> set[int]:
        """The people the report's filter (an org unit with the units below it, a role) keeps."""
        return {
            person
            for person, roles in self.roles_of.items()
            if (role or ALL_ROLES) in roles and (org_unit_id is None or org_unit_id in self.chain_of.get(person, ()))
        }

    def published(self, population: Iterable[int]) -> set[Group]:
        """The published groups of one figure's unfiltered population (cached per population)."""
        everyone = frozenset(population)
        if everyone not in self._published:
            memberships = {person: self.keys(person) for person in everyone}
            self._published[everyone] = shown_groups(everyone, memberships, stats.MIN_CELL)
        return self._published[everyone]

    def may_show(self, population: Iterable[int], requested: Iterable[int]) -> bool:
        """Whether the filtered group's figure may be shown (empty, or published)."""
        everyone = frozenset(population)
        return may_show(everyone, requested, self.published(everyone))


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
