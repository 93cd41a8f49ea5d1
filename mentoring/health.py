"""/health/: can the site serve pages (database, static files), and is the broker reachable. For monitors.

/health/signed-in/ is the floor of a signed-in page: the same middleware (session, user, language,
CSRF), then exactly one query of its own and a few bytes of JSON. Monitors use it to check the sign-in
path; bench/load.py measures every page against it (a page at half its rate costs twice the floor).

It answers within about 100 ms whatever the broker does: the broker is probed in a background thread at
most every BROKER_STATE_SECONDS and the request reads the last known state. A broker that is down
degrades the site (reminders wait) but does not fail it; a database that does not answer, or static files
the pages cannot name (a missing or stale collectstatic manifest makes every HTML page a 500), do.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

logger = logging.getLogger(__name__)

BROKER_TIMEOUT = 1.0
BROKER_STATE_SECONDS = 10.0
# The first request of a process waits this long for the first probe, then reports "unknown".
FIRST_PROBE_WAIT = 0.05
STATIC_TAG = re.compile(r"""\{%\s*static\s+['"]([^'"]+)['"]""")


def database_status() -> str:
    """ "ok" when a trivial query runs, else "error"."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any driver error means the same thing to a monitor
        logger.exception("health: database check failed")
        return "error"
    return "ok"


@functools.cache
def template_static_names() -> tuple[str, ...]:
    """Every static file a template names with `{% static '…' %}` (read once per process)."""
    names: set[str] = set()
    folders: list[Any] = settings.TEMPLATES[0]["DIRS"]  # type: ignore[assignment]
    for folder in folders:
        for root, _dirs, files in os.walk(folder):
            for file in files:
                if file.endswith((".html", ".txt", ".svg")):
                    with open(os.path.join(root, file), encoding="utf-8") as handle:
                        names.update(STATIC_TAG.findall(handle.read()))
    return tuple(sorted(names))


def static_status() -> str:
    """ "ok" when every static file the templates name has a URL (with a manifest: a manifest entry)."""
    try:
        for name in template_static_names():
            staticfiles_storage.url(name)
    except Exception:  # ValueError "Missing staticfiles manifest entry", a missing manifest file, ...
        logger.exception("health: static files cannot be named; pages would fail")
        return "error"
    return "ok"


def probe_broker() -> str:
    """ "ok" when the broker answers within BROKER_TIMEOUT seconds, else "error" (one attempt).

    The embedded file transport has no server to ask: it is "local" when its queue folder is writable.
    """
    url = str(settings.CELERY_BROKER_URL)
    options = dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    if url.startswith("filesystem://"):
        folder = str(options.get("data_folder_out", ""))
        return "local" if folder and os.access(folder, os.W_OK) else "error"
    # A broker that accepts connections but never replies must cost a probe one timeout, not a retry loop.
    options.update(socket_timeout=BROKER_TIMEOUT, socket_connect_timeout=BROKER_TIMEOUT)
    try:
        with Connection(url, connect_timeout=BROKER_TIMEOUT, transport_options=options) as conn:
            conn.ensure_connection(max_retries=0)
    except Exception:  # refused, timed out, bad credentials: all mean "cannot publish now"
        logger.warning("health: broker unreachable", exc_info=True)
        return "error"
    return "ok"


@dataclass
class BrokerState:
    """The last probe's answer in this process, for which broker URL, and when."""

    status: str = "unknown"
    url: str = ""
    checked: float = float("-inf")
    probing: threading.Thread | None = None


_state = BrokerState()
_lock = threading.Lock()


def _probe_in_background(url: str) -> None:
    status = probe_broker()
    with _lock:
        _state.status, _state.url, _state.checked, _state.probing = status, url, time.monotonic(), None


def broker_status(*, wait: float = FIRST_PROBE_WAIT) -> str:
    """The broker's last known state; starts a background probe when it is older than BROKER_STATE_SECONDS.

    Only the first request of a process (or after the broker URL changed) waits, and only `wait` seconds.
    """
    url = str(settings.CELERY_BROKER_URL)
    with _lock:
        if _state.url != url:  # another broker (settings changed): what we knew no longer applies
            _state.status, _state.url, _state.checked = "unknown", url, float("-inf")
        stale = time.monotonic() - _state.checked > BROKER_STATE_SECONDS
        thread = _state.probing
        if stale and thread is None:
            thread = threading.Thread(target=_probe_in_background, args=(url,), daemon=True, name="health-broker")
            _state.probing = thread
            thread.start()
        first = _state.status == "unknown"
    if first and thread is not None:
        thread.join(wait)
    with _lock:
        return _state.status if _state.url == url else "unknown"


def forget_broker_state() -> None:
    """Drop the cached broker state (tests, or a monitor that wants a fresh probe)."""
    with _lock:
        _state.status, _state.url, _state.checked = "unknown", "", float("-inf")


@login_not_required
@require_GET
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """200 when pages can be served (database and static files); the broker's state is reported, not required."""
    database, static, broker = database_status(), static_status(), broker_status()
    status = 200 if database == "ok" and static == "ok" else 503
    return JsonResponse({"database": database, "static": static, "broker": broker}, status=status)


@require_GET
@never_cache
def health_signed_in(request: HttpRequest) -> JsonResponse:
    """200 for a signed-in person after one query (the login page for anyone else): the cheapest signed-in page."""
    database = database_status()
    return JsonResponse({"database": database, "signed_in": True}, status=200 if database == "ok" else 503)
