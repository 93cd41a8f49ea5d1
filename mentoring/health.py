"""/health/: is the database reachable, is the broker reachable. For load balancers and monitors."""

from __future__ import annotations

import logging
import os

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

logger = logging.getLogger(__name__)

BROKER_TIMEOUT = 1.5


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


def broker_status() -> str:
    """ "ok" when the broker answers within BROKER_TIMEOUT seconds, else "error".

    The embedded file transport has no server to ask: it is "local" when its queue folder is writable.
    """
    url = str(settings.CELERY_BROKER_URL)
    options = dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS)
    if url.startswith("filesystem://"):
        folder = str(options.get("data_folder_out", ""))
        return "local" if folder and os.access(folder, os.W_OK) else "error"
    # A monitor must get an answer quickly even from a broker that accepts connections but never replies.
    options.update(socket_timeout=BROKER_TIMEOUT, socket_connect_timeout=BROKER_TIMEOUT)
    try:
        with Connection(url, connect_timeout=BROKER_TIMEOUT, transport_options=options) as conn:
            conn.ensure_connection(max_retries=0)  # one attempt: a monitor asks again soon enough
    except Exception:  # refused, timed out, bad credentials: all mean "cannot publish now"
        logger.warning("health: broker unreachable", exc_info=True)
        return "error"
    return "ok"


@login_not_required
@require_GET
@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """200 when the database answers (the broker being down degrades but does not fail the site)."""
    database, broker = database_status(), broker_status()
    status = 200 if database == "ok" else 503
    return JsonResponse({"database": database, "broker": broker}, status=status)
