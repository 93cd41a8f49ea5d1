"""Programme figures that read a programme's whole history, kept in the cache and brought up to date by the worker.

The dashboard's monthly sessions and check-ins, its lists over every running pair and the report's process
figures aggregate every session, check-in and enrolment of a programme: at 6,000 pairs and 125,000
sessions that is most of a page's time, and it grows with the programme. Each is computed once and kept
with the programme's *data version* at the time, which every service that writes something the
programme's pages show moves on (`programme_data_changed`: a session logged, a check-in answered, a pair
moved, a concern raised, a proposal locked, a cycle value recorded, ...), now and after its transaction
commits. The same version keys the heavy pages kept rendered (mentoring.page_cache).

Stale while revalidate: a page that finds the kept figures older than the version shows them as they are
and asks the worker (`refresh_figures`, once per figure however many pages ask) to compute them again, so
no page waits for a whole-history aggregate because a mentor somewhere logged a session; the next page
shows the change, a second or two later. Kept figures older than FIGURES_SECONDS are never shown: the page
computes them itself, so anything that moves a figure without moving the version (the admin, a bulk
update) shows within that time, and a stopped worker or broker costs speed, never correctness. With the
worker in eager mode (the tests, `make run` without Redis does not use it) the page computes at once.

A figure is registered by name (`@programme_figures("name")`), so that the worker can compute it from its
name, the programme ids and the variant (what else the figure depends on: the day, the reader's time zone).

The cache falls back to process memory while Redis is down (mentoring.cache): figures are then computed
per process, never older than FIGURES_SECONDS.
"""

from __future__ import annotations

import functools
import io
import logging
import pickle
import time
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from celery import shared_task
from django.core.cache import cache
from django.db import transaction
from django.utils.functional import Promise, lazy

from mentoring.tasks_base import MentoringTask

Compute = Callable[[list[int], str], dict[int, Any]]
FIGURES_SECONDS = 300
REFRESH_LOCK_SECONDS = 60  # one refresh asked at a time per figure; a lost one is asked again after this
logger = logging.getLogger(__name__)
_registry: dict[str, Compute] = {}
_clock = time.time  # the age of kept figures (tests move it on)


class Kept(NamedTuple):
    """A figure as kept in the cache: the version it was computed under, when, and the value (pickled by _dumps)."""

    version: int
    computed_at: float
    value: bytes


@functools.cache
def _lazy_class(func: Callable[..., Any], resultclasses: tuple[type, ...]) -> Callable[..., Any]:
    return lazy(func, *resultclasses)


def _lazy_unpickle(func: Callable[..., Any], args: tuple[Any, ...], kw: dict[str, Any], *classes: type) -> Any:
    return _lazy_class(func, classes)(*args, **kw)


class _Pickler(pickle.Pickler):
    """Pickles translatable labels (gettext_lazy) so that they load fast: Django's own unpickling builds a new
    proxy class for every label (tens of thousands of hasattr calls), 20 ms for a report's process figures."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, Promise):
            _unpickle, args = obj.__reduce__()
            return _lazy_unpickle, args
        return NotImplemented


def _dumps(value: Any) -> bytes:
    buffer = io.BytesIO()
    _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


def programme_figures(name: str) -> Callable[[Compute], Compute]:
    """Register `compute(programme_ids, variant) -> {programme_id: value}` under `name` (a decorator)."""

    def register(compute: Compute) -> Compute:
        if _registry.get(name, compute) is not compute:
            raise ValueError(f"two programme figures are called {name!r}")
        _registry[name] = compute
        return compute

    return register


def _version_key(programme_id: int) -> str:
    return f"programme-figures-version:{programme_id}"


def _value_key(name: str, variant: str, programme_id: int) -> str:
    return f"programme-figures:{name}:{variant}:{programme_id}"


def programme_data_changed(programme_id: int) -> None:
    """Something the programme's pages show changed: the kept figures and pages are stale.

    The version moves on now (this transaction's own reads, and tests, see the change) and again once the
    transaction commits, so figures computed in between from the old rows are not taken as current.
    """

    def bump() -> None:
        cache.set(_version_key(programme_id), time.time_ns(), timeout=None)

    bump()
    transaction.on_commit(bump)


def cached_per_programme(name: str, programme_ids: Iterable[int], *, variant: str = "") -> dict[int, Any]:
    """The registered figure `name` of each programme: kept, stale (the worker recomputes), or computed now.

    Two cache round trips when everything is kept (the versions, the values).
    """
    compute = _registry[name]
    ids = list(dict.fromkeys(programme_ids))
    versions = _versions(ids)
    keys = {pk: _value_key(name, variant, pk) for pk in ids}
    found: dict[str, Kept] = cache.get_many(list(keys.values()))
    now = _clock()
    result: dict[int, Any] = {}
    stale: list[int] = []
    for pk, key in keys.items():
        kept = found.get(key)
        if isinstance(kept, Kept) and now - kept.computed_at < FIGURES_SECONDS:
            result[pk] = pickle.loads(kept.value)  # noqa: S301 - our own cache
            if kept.version != versions[pk]:
                stale.append(pk)
    missing = [pk for pk in ids if pk not in result]
    if missing:
        result.update(_compute_and_keep(name, compute, missing, variant, versions))
    if stale:
        result.update(_refresh(name, compute, stale, variant))
    return result


def _versions(ids: list[int]) -> dict[int, int]:
    found = cache.get_many([_version_key(pk) for pk in ids])
    return {pk: found.get(_version_key(pk), 0) for pk in ids}


def programme_version_keys(programme_ids: Iterable[int]) -> list[str]:
    """The cache keys of the programmes' data versions: what a kept page watches (mentoring.page_cache)."""
    return [_version_key(pk) for pk in programme_ids]


def _compute_and_keep(
    name: str, compute: Compute, ids: list[int], variant: str, versions: dict[int, int]
) -> dict[int, Any]:
    """Compute the figures and keep them under the versions read *before* computing (a write meanwhile makes
    them stale, never current)."""
    computed = compute(ids, variant)
    now = _clock()
    cache.set_many(
        {_value_key(name, variant, pk): Kept(versions[pk], now, _dumps(computed[pk])) for pk in ids if pk in computed},
        timeout=FIGURES_SECONDS,
    )
    return computed


def _refresh(name: str, compute: Compute, ids: list[int], variant: str) -> dict[int, Any]:
    """Ask the worker to compute stale figures again; in eager mode compute them now and return them."""
    if refresh_figures.app.conf.task_always_eager:
        return _compute_and_keep(name, compute, ids, variant, _versions(ids))
    asked = [pk for pk in ids if cache.add(_lock_key(name, variant, pk), 1, timeout=REFRESH_LOCK_SECONDS)]
    if asked:
        try:
            refresh_figures.apply_async(args=(name, asked, variant))
        except Exception:  # the broker is away: the kept figures are shown until they are too old
            logger.warning("could not ask for programme figures %s to be refreshed", name, exc_info=True)
            cache.delete_many([_lock_key(name, variant, pk) for pk in asked])
    return {}


def _lock_key(name: str, variant: str, programme_id: int) -> str:
    return f"programme-figures-refresh:{name}:{variant}:{programme_id}"


@shared_task(base=MentoringTask, name="programmes.tasks.refresh_figures", ignore_result=True, time_limit=600)
def refresh_figures(name: str, programme_ids: list[int], variant: str) -> None:
    """Compute a figure of some programmes again (asked by a page that found it stale)."""
    try:
        _compute_and_keep(name, _registry[name], programme_ids, variant, _versions(programme_ids))
    finally:
        cache.delete_many([_lock_key(name, variant, pk) for pk in programme_ids])
