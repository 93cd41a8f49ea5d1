"""Hypothesis generators of organisations as HRIS systems export them: children before parents.

An HRIS export lists org units and people in whatever order its database returns them, which is usually
not top-down: a team comes before its department, a person before their manager. Code that walks a tree
in the order rows arrive must cope with that, so these generators build a forest top-down (each node's
parent is drawn among the nodes made before it) and then *export* it in another order: reversed (every
child before its parent), shuffled, or breadth-first reversed. Shapes cover deep chains, wide stars and
bushy trees; names are Unicode (Indonesian, Javanese, Arabic, Chinese, combining marks).

`exports()` draws small and middle-sized organisations from hypothesis' own choices (so failures shrink);
`big_exports()` draws a seed and a size and builds thousands of units and people with `random`, because
hypothesis should not draw every node of a 5,000-unit tree one choice at a time.

`HrisExport.to_csv()` gives the file `people_import` reads, so tests load the organisation through the
import service, exactly as HR does, and the database ids follow the export order too.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import transaction
from hypothesis import strategies as st

COLUMNS = ("email", "full_name", "org_unit_code", "org_unit_name", "parent_org_unit_code", "manager_email")
ORDERS = ("reversed", "shuffled", "breadth_first_reversed", "as_built")
SHAPES = ("bushy", "chain", "star", "forest")

# Name parts: several scripts, a combining mark (e + U+0301), and a dotless i.
SYLLABLES = (
    "Dewi", "Sari", "Budi", "Ayu", "Wahyu", "Ni Luh", "Putu", "Ketut", "Siti", "Nur", "Ẓahra", "Ahmad",
    "Réne\u0301", "Yıldız", "Đặng", "Ωmega", "ꦱꦭꦩꦠ꧀", "محمد", "王芳", "李娜", "Ñoño", "Łukasz", "Øystein",
)  # fmt: skip
UNIT_WORDS = (
    "Sales", "Penjualan", "Operasional", "Keuangan", "Teknologi", "Sumber Daya Manusia", "Gudang", "Logistik",
    "ꦥꦼꦚ꧀ꦗꦸꦮꦭꦤ꧀", "المبيعات", "销售部", "Área Norte", "Région Est", "Timur", "Barat", "Cabang Medan",
)  # fmt: skip

unicode_names = st.text(
    alphabet=st.characters(categories=("Lu", "Ll", "Lt", "Lo", "Mn", "Nd"), exclude_characters="\x00"),
    min_size=1,
    max_size=24,
).filter(lambda s: s[0].isalpha())


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    parent: str | None


@dataclass(frozen=True)
class Person:
    email: str
    full_name: str
    unit: str | None
    manager: str | None  # e-mail of the manager


@dataclass(frozen=True)
class HrisExport:
    """Units and people in the order the export lists them (children usually before parents)."""

    units: tuple[Unit, ...]
    people: tuple[Person, ...]

    def parent_of(self) -> dict[str, str | None]:
        return {u.code: u.parent for u in self.units}

    def manager_of(self) -> dict[str, str | None]:
        return {p.email: p.manager for p in self.people}

    def top_of(self, code: str) -> str:
        """Reference answer: the unit's top-level ancestor, by walking parents (the tree has no cycle)."""
        parents = self.parent_of()
        while (parent := parents[code]) is not None:
            code = parent
        return code

    def managers_up(self, email: str, depth: int) -> dict[str, int]:
        """Reference answer: the person's managers within `depth` levels, {e-mail: level}."""
        managers, found, current = self.manager_of(), {}, email
        for level in range(1, depth + 1):
            above = managers[current]
            if above is None:
                break
            found[above] = level
            current = above
        return found

    def to_csv(self) -> bytes:
        """The file `people_import` reads: unit-describing rows and people rows, in export order."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(
            ["email", "full_name", "org_unit_code", "org_unit_name", "parent_org_unit_code", "manager_email"]
        )
        for unit in self.units:
            writer.writerow(["", "", unit.code, unit.name, unit.parent or "", ""])
        for person in self.people:
            writer.writerow([person.email, person.full_name, person.unit or "", "", "", person.manager or ""])
        return out.getvalue().encode("utf-8")


def build_parents(n: int, shape: str, pick: Callable[[int], int]) -> list[int | None]:
    """Parents of nodes 0..n-1 built top-down: node i's parent is made before it (or None for a root).

    `pick(i)` returns a number in [0, i) that the shape turns into a parent; hypothesis or `random` decides.
    """
    parents: list[int | None] = [None]
    for i in range(1, n):
        if shape == "chain":
            parents.append(i - 1)
        elif shape == "star":
            parents.append(0)
        elif shape == "forest" and pick(i) % 7 == 0:
            parents.append(None)
        else:
            parents.append(pick(i))
    return parents


def export_order(parents: Sequence[int | None], order: str, shuffle: Callable[[list[int]], None]) -> list[int]:
    """The order an export lists nodes built top-down: mostly children before parents."""
    nodes = list(range(len(parents)))
    if order == "reversed":
        return nodes[::-1]
    if order == "shuffled":
        shuffle(nodes)
        return nodes
    if order == "breadth_first_reversed":
        depth = depths(parents)
        return sorted(nodes, key=lambda i: (-depth[i], i))
    return nodes


def _name(parts: Sequence[str], i: int, extra: str = "") -> str:
    return " ".join(part for part in (parts[i % len(parts)], extra, str(i)) if part).strip()


def assemble(
    unit_parents: Sequence[int | None],
    person_units: Sequence[int],
    person_managers: Sequence[int | None],
    unit_order: Sequence[int],
    person_order: Sequence[int],
    names: Sequence[str] = (),
) -> HrisExport:
    """Turn index-based draws into an export: codes and e-mails that do not reveal the build order."""
    code = [f"OU-{(i * 7919) % 100_003:05d}-{i}" for i in range(len(unit_parents))]
    email = [f"p{(i * 104_729) % 1_000_003}.{i}@hris.example.co.id" for i in range(len(person_units))]
    units = tuple(
        Unit(code[i], _name(UNIT_WORDS, i), None if unit_parents[i] is None else code[unit_parents[i]])  # type: ignore[index]
        for i in unit_order
    )
    people = tuple(
        Person(
            email[i],
            _name(SYLLABLES, i, names[i % len(names)] if names else ""),
            code[person_units[i]],
            None if person_managers[i] is None else email[person_managers[i]],  # type: ignore[index]
        )
        for i in person_order
    )
    return HrisExport(units=units, people=people)


def managers_for(
    person_units: Sequence[int], unit_parents: Sequence[int | None], pick: Callable[[int], int]
) -> list[int | None]:
    """Each person's manager: someone made before them, often in the same or the parent unit; the first has none."""
    if not person_units:
        return []
    managers: list[int | None] = [None]
    first_in_unit: dict[int, int] = {person_units[0]: 0}
    for i in range(1, len(person_units)):
        unit = person_units[i]
        head = first_in_unit.get(unit)
        parent = unit_parents[unit]
        if head is None and parent is not None and parent in first_in_unit:
            head = first_in_unit[parent]
        managers.append(head if head is not None and pick(i) % 3 else pick(i))
        first_in_unit.setdefault(unit, i)
    return managers


@st.composite
def exports(draw: st.DrawFn, *, max_units: int = 30, min_people: int = 1, max_people: int = 40) -> HrisExport:
    """A small or middle-sized organisation in HRIS export order, every choice drawn (so it shrinks)."""
    n_units = draw(st.integers(1, max_units))
    shape = draw(st.sampled_from(SHAPES))
    unit_parents = build_parents(n_units, shape, lambda i: draw(st.integers(0, i - 1)))
    n_people = draw(st.integers(min_people, max_people))
    person_units = [draw(st.integers(0, n_units - 1)) for _ in range(n_people)]
    depth = depths(unit_parents)
    person_units.sort(key=lambda u: depth[u])  # people are made top-down too
    person_managers = managers_for(person_units, unit_parents, lambda i: draw(st.integers(0, i - 1)))
    names = draw(st.lists(unicode_names, min_size=1, max_size=4))
    unit_order = export_order(unit_parents, draw(st.sampled_from(ORDERS)), lambda xs: _permute(draw, xs))
    person_order = export_order(person_managers, draw(st.sampled_from(ORDERS)), lambda xs: _permute(draw, xs))
    return assemble(unit_parents, person_units, person_managers, unit_order, person_order, names)


def _permute(draw: st.DrawFn, items: list[int]) -> None:
    items[:] = draw(st.permutations(items))


def depths(parents: Sequence[int | None]) -> list[int]:
    """Each node's depth in a forest built top-down (a parent always comes before its children)."""
    found: list[int] = []
    for parent in parents:
        found.append(0 if parent is None else found[parent] + 1)
    return found


def big_export(*, units: int, people: int, seed: int, shape: str = "bushy", order: str = "reversed") -> HrisExport:
    """A large organisation built with `random` from a seed: thousands of units and people, deep or wide."""
    rng = random.Random(seed)
    unit_parents = build_parents(units, shape, lambda i: max(0, i - 1 - int(rng.expovariate(0.05))) if i else 0)
    depth = depths(unit_parents)
    person_units = sorted((rng.randrange(units) for _ in range(people)), key=lambda u: depth[u])
    person_managers = managers_for(person_units, unit_parents, lambda i: rng.randrange(i))
    unit_order = export_order(unit_parents, order, rng.shuffle)
    person_order = export_order(person_managers, order, rng.shuffle)
    return assemble(unit_parents, person_units, person_managers, unit_order, person_order)


def big_exports(*, max_units: int = 3000, max_people: int = 3000) -> st.SearchStrategy[HrisExport]:
    """Large organisations: hypothesis draws only the seed, sizes, shape and order."""
    return st.builds(
        lambda units, people, seed, shape, order: big_export(
            units=units, people=people, seed=seed, shape=shape, order=order
        ),
        st.integers(max_units // 4, max_units),
        st.integers(max(1, max_people // 4), max_people),
        st.integers(0, 2**32 - 1),
        st.sampled_from(SHAPES),
        st.sampled_from(ORDERS),
    )


@contextmanager
def loaded(export: HrisExport) -> Iterator[tuple[dict[str, int], dict[str, int]]]:
    """Import the export through `people_import` (as HR does) and roll it back afterwards.

    Yields ({unit code: id}, {e-mail: id}). Each hypothesis example runs inside the test's transaction, so
    the rollback keeps examples from seeing each other's rows.
    """
    from people.models import OrgUnit, User
    from people.services.hris_import import people_import

    with transaction.atomic():
        result = people_import(actor=None, content=export.to_csv())
        assert not result.problems, [str(p) for p in result.problems[:5]]
        units = dict(OrgUnit.objects.values_list("code", "pk"))
        people = dict(User.objects.filter(email__in=[p.email for p in export.people]).values_list("email", "pk"))
        yield units, people
        transaction.set_rollback(True)
