"""A Redis cache that falls back to this process's memory while Redis is down or hung.

Nothing a page needs may depend on Redis (only background work does): DRF's throttle and any cached value
read the cache on every API request, and Django's RedisCache raises when Redis is gone, which made the
API answer 500. This backend catches Redis errors, serves that request (and every request for the next
RETRY_SECONDS, without asking Redis again, so a hung Redis costs one socket timeout, not one per call)
from a per-process LocMemCache, and goes back to Redis afterwards. Throttling then counts per process
for a while: a little looser, never a failure.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_SECONDS = 15.0
REDIS_ERRORS = (RedisError, OSError)
# The primitive operations; the compound ones of BaseCache (get_or_set, decr, incr_version, ...) call these.
GUARDED = ("add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many", "delete_many", "clear")


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's client builds a new redis.Redis (and its table of response callbacks, a fifth of a millisecond)
    for every cache call; one per connection pool serves them all (a client is safe across threads: the pool
    hands each command its own connection). Every page reads the cache (throttles, kept figures and pages)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._reused: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._reused.get(id(pool))
        if client is None:
            client = self._reused[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class FallbackRedisCache(RedisCache):
    """RedisCache whose operations fall back to a local memory cache while Redis fails."""

    # Shared by every instance in the process: one outage, one timeout.
    down_until: float = float("-inf")

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient
        self.local = LocMemCache(f"fallback-{server}", {"OPTIONS": {"MAX_ENTRIES": 10_000}})

    def redis_is_down(self) -> bool:
        return time.monotonic() < FallbackRedisCache.down_until

    @classmethod
    def forget_outage(cls) -> None:
        """Ask Redis again on the next call (tests; or after a known recovery)."""
        cls.down_until = float("-inf")


def _guarded(name: str) -> Callable[..., Any]:
    redis_method = getattr(RedisCache, name)

    def method(self: FallbackRedisCache, *args: Any, **kwargs: Any) -> Any:
        if not self.redis_is_down():
            try:
                return redis_method(self, *args, **kwargs)
            except REDIS_ERRORS:
                logger.warning("cache: Redis failed; using process memory for %.0f s", RETRY_SECONDS, exc_info=True)
                FallbackRedisCache.down_until = time.monotonic() + RETRY_SECONDS
        return getattr(self.local, name)(*args, **kwargs)

    method.__name__ = name
    method.__doc__ = redis_method.__doc__
    return method


for _name in GUARDED:
    setattr(FallbackRedisCache, _name, _guarded(_name))
