"""Benchmark of the report's complementary suppression (evaluation.disclosure): one figure's decision.

    .venv/bin/python bench/disclosure_rule.py [--people 5000] [--units 2000] [--seed 1]

Run it from the repository root. Pure Python, no database: a random org tree of --units units (at most
7 levels), --people people with values in one figure, each in a random unit, with a role (mentee or
mentor). Every filter the report offers (each unit with the units below it, × all roles, mentees,
mentors) is an offered group; the script times `shown_groups`, which the report runs once per distinct
population of a filtered report (figures of a programme share their population, so a page needs a few
such decisions, not one per figure).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evaluation.disclosure import shown_groups


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
    for person in range(args.people):
        roles = ("", rng.choice(["mentee", "mentor"]))
        units = [None, *chain(rng.randrange(args.units))]
        memberships[person] = [(u, r) for u in units for r in roles if (u, r) != (None, "")]
    start = time.perf_counter()
    published = shown_groups(range(args.people), memberships, 5)
    took = time.perf_counter() - start
    offered = len({key for keys in memberships.values() for key in keys})
    print(
        f"{args.people:,} people, {args.units:,} units, {offered:,} offered groups: {took:.2f} s, "
        f"{len(published):,} published"
    )


if __name__ == "__main__":
    main()
