"""Which filtered groups a report may show so that no subtraction of shown figures reveals a small group.

Pure Python, no ORM: sets of person ids in, a decision out.

Hiding each group by its own size is not enough. A report filtered to a division of 9 people and to one
of its departments of 5 shows both, and their difference is the other department's 4 people, exactly
(n and mean give the sum; sd gives the sum of squares; so every figure of the report is a sum or follows
from sums). Complementary suppression closes that door for every combination of filters at once:

- the *offered groups* of one figure are the people of its unfiltered population that each filter the
  report offers would keep (every org unit with its sub-units, every role, and each org unit × role);
- a figure's groups are *published* by one deterministic pass over the offered groups, the whole
  population first, then larger groups before smaller ones: a group joins when it has at least
  `min_cell` people and, with it, every *class* of people (people who belong to exactly the same published
  groups) is either empty or has at least `min_cell` people;
- a filtered figure is shown only when its group is published; otherwise it is suppressed like a small
  group, even though it may itself be large.

Why that is enough: every published group is a union of classes, so any sum, difference or other linear
combination of published figures is a combination of class sums, and each class has at least `min_cell`
people. No combination isolates fewer. For a single filter the rule is the familiar one (the group and its
complement within the unfiltered population both have at least `min_cell` people); for nested org units it
also withholds a unit whose sub-units would leave a small remainder. The decision does not depend on which
filter the reader asked for, so trying every filter in turn yields the same published family.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping

Group = frozenset[int]


def published_groups(population: Iterable[int], offered: Iterable[Group], min_cell: int) -> set[Group]:
    """The offered groups (subsets of `population`) that may be shown together (see the module docstring)."""
    everyone = frozenset(population)
    return _published(everyone, {g & everyone for g in offered}, min_cell)


def _published(everyone: Group, offered: set[Group], min_cell: int) -> set[Group]:
    """`published_groups` of distinct groups already within `everyone` (returned as the same objects)."""
    if len(everyone) < min_cell:
        return set()
    published: set[Group] = {everyone}
    class_of: dict[int, int] = dict.fromkeys(everyone, 0)
    sizes: Counter[int] = Counter({0: len(everyone)})
    next_class = 1
    # Larger groups first; ties broken by the people in them (cheap keys first, the full list only if needed).
    candidates = sorted(
        offered - {everyone},
        key=lambda g: (-len(g), min(g, default=0), max(g, default=0), sum(g)),
    )
    for group in candidates:
        if len(group) < min_cell:
            break  # sorted by size: every later group is small too
        inside = Counter(class_of[p] for p in group)
        if any(0 < n < min_cell or 0 < sizes[c] - n < min_cell for c, n in inside.items()):
            continue
        renamed: dict[int, int] = {}
        for person in group:
            old = class_of[person]
            if old not in renamed:
                renamed[old], next_class = next_class, next_class + 1
            class_of[person] = renamed[old]
        for old, new in renamed.items():
            sizes[new] = inside[old]
            sizes[old] -= inside[old]
        published.add(group)
    return published


def _offered(everyone: Group, memberships: Mapping[int, Iterable[Hashable]]) -> dict[Hashable, Group]:
    """Each filter key → the people of `everyone` it keeps (a person not in `memberships` is kept by none)."""
    offered: dict[Hashable, list[int]] = {}
    for person in everyone:
        for key in memberships.get(person, ()):
            offered.setdefault(key, []).append(person)
    return {key: frozenset(people) for key, people in offered.items()}


def shown_groups(population: Iterable[int], memberships: Mapping[int, Iterable[Hashable]], min_cell: int) -> set[Group]:
    """`published_groups` with the offered groups given per person: the filter keys each person satisfies.

    `memberships[person]` lists the keys (say (org unit, role)) of every offered filter that keeps the
    person; a person not in the mapping is kept by no filter but the empty one.
    """
    everyone = frozenset(population)
    return published_groups(everyone, _offered(everyone, memberships).values(), min_cell)


def published_keys(
    population: Iterable[int], memberships: Mapping[int, Iterable[Hashable]], min_cell: int
) -> set[Hashable]:
    """The filter keys whose group is published (`shown_groups`, named by key: small enough to keep)."""
    everyone = frozenset(population)
    offered = _offered(everyone, memberships)
    published = _published(everyone, set(offered.values()), min_cell)
    return {key for key, group in offered.items() if group in published}


def may_show(population: Iterable[int], requested: Iterable[int], published: set[Group]) -> bool:
    """Whether the figure of `requested` (the filtered people) may be shown: empty, or a published group."""
    group = frozenset(requested) & frozenset(population)
    return not group or group in published
