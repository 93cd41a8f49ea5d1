"""HRIS files waiting between their preview and their import: kept in the default storage, bound to a session.

The file is stored rather than sent back with the form, because a browser cannot re-submit a file and a
20 MB hidden field would pass the request size limits. Only the session that uploaded it can import it.
"""

from __future__ import annotations

import secrets

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpRequest

SESSION_KEY = "people_import_pending"
FOLDER = "people-imports"


def pending_import_save(request: HttpRequest, content: bytes, name: str) -> str:
    """Keep `content` for this session (replacing any earlier preview) and return the token that names it."""
    pending_import_discard(request)
    token = secrets.token_urlsafe(24)
    path = default_storage.save(f"{FOLDER}/{token}.csv", ContentFile(content))
    request.session[SESSION_KEY] = {"token": token, "path": path, "name": name}
    return token


def pending_import_take(request: HttpRequest, token: str) -> bytes | None:
    """The content kept under `token` for this session, removed from storage; None when there is none."""
    pending = request.session.get(SESSION_KEY)
    if not pending or not secrets.compare_digest(str(pending.get("token", "")), token):
        return None
    try:
        with default_storage.open(pending["path"], "rb") as stored:
            content = stored.read()
    except OSError:
        content = None
    pending_import_discard(request)
    return bytes(content) if content is not None else None


def pending_import_discard(request: HttpRequest) -> None:
    """Forget this session's kept file, if any, and delete it from storage."""
    pending = request.session.pop(SESSION_KEY, None)
    if pending and pending.get("path"):
        default_storage.delete(pending["path"])
