"""Rendered parts of heavy pages kept in the cache, under the version of the data they show.

The coordinator's dashboard, the match review and the outcome reports render tens of kilobytes from
figures over a whole programme; a reader who comes back, or a second coordinator, gets the same HTML. A
page keeps its main part under a key made of:

- what it shows, with the *data version* of each programme in it (programmes.core.figures_cache: every
  service that writes something these pages show moves it on, after its transaction commits), so a change
  shows on the next page;
- who reads it and how: the reader (the parts hold links and actions for them), their language and time
  zone, the query string (filters, pages), and the reader's CSRF secret, because forms in the part carry a
  token made from it (a reader without one yet gets a fresh part, not kept);

and for at most FRAGMENT_SECONDS, so that a change no service sees (the admin, a bulk update in a shell)
shows within a minute. The cache falls back to process memory while Redis is down (mentoring.cache).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

FRAGMENT_SECONDS = 60


def fragment_key(request: HttpRequest, name: str, parts: Iterable[object]) -> str | None:
    """The cache key of a part of a page for this reader and this request; None when it must not be kept."""
    secret = request.META.get("CSRF_COOKIE")
    user = getattr(request, "user", None)
    if not secret or user is None or not user.is_authenticated:
        return None
    described = repr(
        (
            name,
            tuple(parts),
            user.pk,
            hashlib.sha256(str(secret).encode()).hexdigest(),
            translation.get_language(),
            timezone.get_current_timezone_name(),
            sorted(request.GET.lists()),
        )
    )
    return f"fragment:{name}:{hashlib.sha256(described.encode()).hexdigest()}"


def cached_fragment(request: HttpRequest, name: str, parts: Iterable[object], render: Callable[[], str]) -> SafeString:
    """The part `render()` makes, kept for this reader under `parts` (the data versions it shows)."""
    key = fragment_key(request, name, parts)
    if key is not None:
        html = cache.get(key)
        if isinstance(html, str):
            return mark_safe(html)
    html = render()
    if key is not None:
        cache.set(key, str(html), timeout=FRAGMENT_SECONDS)
    return mark_safe(html)
