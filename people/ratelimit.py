"""A fixed-window request counter in the cache, for the front door's rate limits (password reset)."""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)


def rate_key(scope: str, value: str) -> str:
    """A cache key for one scope and value; the value is hashed so no address or e-mail sits in the cache."""
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}"


def rate_limit_exceeded(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one request against `key`; True when this request is over `limit` in the current window.

    A cache that is down lets the request through (and logs it): the limit protects against abuse, and
    refusing everybody's password reset because Redis restarted would be worse.
    """
    try:
        cache.add(key, 0, timeout=window_seconds)
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    except Exception:
        logger.warning("rate limit cache unavailable; letting %s through", key.split(":")[1], exc_info=True)
        return False
    return count > limit
