"""Programme figures that read a programme's whole history, kept in the cache per programme and version.

The dashboard's monthly sessions and check-ins and the report's process figures aggregate every session,
check-in and enrolment of a programme: at 6,000 pairs and 125,000 sessions that is most of a page's time,
and it grows with the programme. They are computed once and kept under the programme's *figures
version*, which the services that log, change or cancel a session or answer a check-in move on (after
their transaction commits), so the next page shows the change. Anything else that moves a figure (a
relationship that ends, an enrolment, a bulk update, the admin) shows within FIGURES_SECONDS, after which
every cached figure is computed again anyway.

The cache falls back to process memory while Redis is down (mentoring.cache): figures are then computed
per process, never wrong for longer than FIGURES_SECONDS.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")
FIGURES_SECONDS = 300


def _version_key(programme_id: int) -> str:
    return f"programme-figures-version:{programme_id}"


def programme_figures_changed(programme_id: int) -> None:
    """Something the programme's figures count changed: the cached ones are stale.

    The version moves on now (this transaction's own reads, and tests, see the change) and again once the
    transaction commits, so figures another request computed in between from the old rows are not kept.
    """

    def bump() -> None:
        cache.set(_version_key(programme_id), time.time_ns(), timeout=None)

    bump()
    transaction.on_commit(bump)


def cached_per_programme(
    name: str, programme_ids: Iterable[int], compute: Callable[[list[int]], dict[int, T]], *, variant: str = ""
) -> dict[int, T]:
    """`compute(ids)` for the programmes whose figures are not cached under their current version.

    Two cache round trips when everything is cached (the versions, the values); `variant` separates values
    that depend on more than the programme (the day, say).
    """
    ids = list(dict.fromkeys(programme_ids))
    versions = cache.get_many([_version_key(pk) for pk in ids])
    keys = {pk: f"programme-figures:{name}:{variant}:{pk}:{versions.get(_version_key(pk), 0)}" for pk in ids}
    found = cache.get_many(list(keys.values()))
    result = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in ids if pk not in result]
    if missing:
        computed = compute(missing)
        cache.set_many({keys[pk]: computed[pk] for pk in missing if pk in computed}, timeout=FIGURES_SECONDS)
        result.update(computed)
    return result
