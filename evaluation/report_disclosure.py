"""The report's filters as offered groups of people, and the figures a filtered report may show.

`FilterUniverse.load` reads, in four queries, everything that decides which filter keeps whom: each
person's org unit (and so every unit above it), their enrolled roles, and comparison-group membership. For
one figure's unfiltered population it then gives the published groups (evaluation.disclosure) of every
filter the report form offers (org unit with sub-units × role), cached per population because most
figures of a programme share the same people. `withhold` takes a group's figures out of a result when the
reader's filter asks for a group that is not published.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from people.models import OrgUnit, User
from programmes.models import Enrolment

from . import stats
from .disclosure import Group, may_show, shown_groups
from .models import ComparisonMember
from .outcomes import COMPARISON, MENTOR, PARTICIPANT, Pairs

ROLES = ("mentee", "mentor")
ALL_ROLES = ""


@dataclass
class FilterUniverse:
    """Which offered filters (org unit, role) keep each person of some programmes."""

    parent: dict[int, int | None]
    unit_of: dict[int, int | None]
    roles_of: dict[int, set[str]]  # "" = enrolled in any role or in the comparison group
    _keys: dict[int, list[Hashable]] = field(default_factory=dict)
    _published: dict[Group, set[Group]] = field(default_factory=dict)

    @classmethod
    def load(cls, programme_ids: Sequence[int], people: Collection[int]) -> FilterUniverse:
        """The org tree, and the units and roles of `people` in these programmes (four queries)."""
        roles: dict[int, set[str]] = defaultdict(set)
        members = ComparisonMember.objects.filter(group__programme_id__in=list(programme_ids))
        for person in members.values_list("person_id", flat=True):
            roles[person].update((ALL_ROLES, *ROLES))  # comparison members are kept by every role filter
        enrolled = Enrolment.objects.filter(programme_id__in=list(programme_ids)).values_list("person_id", "role")
        for person, role in enrolled:
            roles[person].add(ALL_ROLES)
            if role in ROLES:
                roles[person].add(role)
        units: dict[int, int | None] = dict(User.objects.filter(pk__in=list(people)).values_list("pk", "org_unit_id"))
        parent: dict[int, int | None] = dict(OrgUnit.objects.values_list("pk", "parent_id"))
        return cls(parent=parent, unit_of=units, roles_of=dict(roles))

    def keys(self, person: int) -> list[Hashable]:
        """The (org unit or None, role) filters that keep this person; (None, "") is no filter at all."""
        if person not in self._keys:
            units: list[int | None] = [None]
            unit, seen = self.unit_of.get(person), set()
            while unit is not None and unit not in seen:  # `seen` guards against a loop in bad data
                seen.add(unit)
                units.append(unit)
                unit = self.parent.get(unit)
            roles = self.roles_of.get(person, set())
            self._keys[person] = [(u, r) for u in units for r in roles if (u, r) != (None, ALL_ROLES)]
        return self._keys[person]

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
