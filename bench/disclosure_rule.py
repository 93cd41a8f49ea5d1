"""Benchmark of the report's complementary suppression (evaluation.disclosure): one figure's decision.

    .venv/bin/python bench/disclosure_rule.py [--people 5000] [--units 2000] [--seed 1]

Run it from the repository root. No database: a random org tree of --units units (at most 7 levels),
--people people with values in one figure, each in a random unit, with a role (mentee or mentor). Every
filter the report offers (each unit with the units below it, × all roles, mentees, mentors) is an
offered group. The script times:

- `shown_groups`, the rule itself, which runs once per distinct population of a filtered report (figures
  of a programme share their population, so a page needs a few such decisions, not one per figure);
- the report's path (evaluation.report_disclosure.FilterUniverse.published_keys) for one reader: the
  first decision (the rule, then stored in the cache), and the next reader's, a page or export later
  (a new universe, so only the shared cache is reused: the digest of the inputs and one cache read).

The cache is Django's: Redis with REDIS_URL set (as in production), else process memory.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")
django.setup()

from evaluation.disclosure import shown_groups  # noqa: E402
from evaluation.report_disclosure import FilterUniverse  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    parent: dict[int, int | None] = {0: None}
    shallow = [0]  # units less than six levels deep, as in an HR org chart
    depth = {0: 0}
    for unit in range(1, args.units):
        parent[unit] = rng.choice(shallow)
        depth[unit] = depth[parent[unit]] + 1
        if depth[unit] < 6:
            shallow.append(unit)

    def chain(unit: int | None) -> list[int]:
        found = []
        while unit is not None:
            found.append(unit)
            unit = parent[unit]
        return found

    memberships = {}
    chains, roles = {}, {}
    for person in range(args.people):
        roles[person] = tuple(sorted({"", rng.choice(["mentee", "mentor"])}))
        chains[person] = chain(rng.randrange(args.units))
        units = [None, *chains[person]]
        memberships[person] = [(u, r) for u in units for r in roles[person] if (u, r) != (None, "")]
    start = time.perf_counter()
    published = shown_groups(range(args.people), memberships, 5)
    took = time.perf_counter() - start
    offered = len({key for keys in memberships.values() for key in keys})
    print(
        f"{args.people:,} people, {args.units:,} units, {offered:,} offered groups: {took:.2f} s, "
        f"{len(published):,} published"
    )
    from django.core.cache import cache

    population = frozenset(range(args.people))
    cache.delete(FilterUniverse(chain_of=chains, roles_of=roles).cache_key(population))
    for reader in ("first reader (rule, then cached)", "next reader (cached)"):
        universe = FilterUniverse(chain_of=chains, roles_of=roles)
        start = time.perf_counter()
        keys = universe.published_keys(population)
        print(f"report path, {reader}: {time.perf_counter() - start:.2f} s, {len(keys):,} published filters")
    cache.delete(universe.cache_key(population))


if __name__ == "__main__":
    main()
