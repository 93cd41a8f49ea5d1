"""Heavy pages kept rendered in the cache, under the version of the data they show.

The coordinator's dashboard, the match review and the outcome reports lay out tens of kilobytes from
figures over a whole programme, and rendering a page's frame (navigation, language switcher) alone costs
several times a bare signed-in request. A reader who comes back, reloads, or pages back gets the page as it
was rendered, under a key made of:

- what it shows, and the *data version* of each programme in it (programmes.core.figures_cache: every
  service that writes something these pages show moves it on, after its transaction commits), kept beside
  the page and compared, so a change shows on the next page; and what the frame shows that can change
  (the view passes the unread count);
- who reads it and how: the reader (pages hold links and actions for them), their language and time
  zone, the path and query string (filters, pages), htmx or not, and the reader's CSRF secret, because
  forms carry a token made from it (a reader without one yet gets a fresh page, not kept);

and for at most PAGE_SECONDS, so that a change no service sees (the admin, a bulk update in a shell)
shows within a minute. A page with a message to show once is rendered, never kept nor taken from the
cache; only a 200 HTML page is kept, and not one the view marks `Cache-Control: no-store` (a match run in
the background). A kept page costs the session, the user, the view's access check (one query, which also
brings the unread count: programmes.access_pages) and one cache round trip. The cache falls back to process
memory while Redis is down (mentoring.cache).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

PAGE_SECONDS = 60


def page_key(request: HttpRequest, name: str, parts: Iterable[object]) -> str | None:
    """The cache key of a rendering for this reader and this request; None when it must not be kept."""
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
    return f"page:{name}:{hashlib.sha256(described.encode()).hexdigest()}"


def cached_page(
    request: HttpRequest,
    name: str,
    parts: Iterable[object],
    render: Callable[[], HttpResponse],
    *,
    watch: Sequence[str] = (),
) -> HttpResponse:
    """The page `render()` makes, kept for this reader and path under `parts` while the cache values at the
    keys in `watch` stay as they were (a programme's data version: programme_version_keys); a page of any
    other kind (an error, a redirect, a file) is returned as made and not kept.

    One cache round trip reads the watched values and the kept page; the page is stored with the values read
    before rendering, so a write while it renders leaves it stale, never current."""
    if request.method != "GET" or list(get_messages(request)):  # a message shown once: render it now
        return render()
    key = page_key(request, name, (*parts, request.path, request.headers.get("HX-Request", "")))
    if key is None:
        return render()
    found = cache.get_many([*watch, key])
    versions, kept = tuple(found.get(watched) for watched in watch), found.get(key)
    if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == versions and isinstance(kept[1], str):
        return HttpResponse(kept[1])
    response = render()
    html_page = response.get("Content-Type", "").startswith("text/html")
    stored = "no-store" not in response.get("Cache-Control", "")  # the view says: never keep this one
    if response.status_code == 200 and not response.streaming and html_page and stored:
        cache.set(key, (versions, response.content.decode()), timeout=PAGE_SECONDS)
    return response
