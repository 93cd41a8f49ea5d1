"""Scheduled HRIS sync: the all-or-nothing people import, fed from a watched folder or an HTTPS URL.

Each run reads the newest file, checks it exactly as the import page does, and works out what it would
change: new people, changed ones, moved ones (another org unit) and leavers (a `left_date` that has passed,
or, for a full file, active people the file no longer lists). A broken file changes nothing; the run is
recorded with every problem and HR analysts are told (through the `hris_sync_failed` signal, which the
programmes app turns into notifications). A good file is applied in one transaction with its leavers closed
through `person_deactivate` (their open programme work is handed back), or, in review mode, waits for an HR
analyst to apply or discard it.
"""

from __future__ import annotations

import hashlib
import ipaddress
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.db.models.functions import Lower
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from people.models import HrisSync, User

from .deactivation import person_deactivate
from .hris_file import MAX_FILE_BYTES, file_too_large_message, read_table
from .hris_import import people_import
from .hris_rows import Directory, Problems, check_managers, check_people, check_units, parse_rows

# Sent with sync=HrisSync when a run refuses its file (HR analysts are told).
hris_sync_failed = Signal()

LEAVER_REASON = "Left the organisation (HRIS sync)."


class SyncSourceError(Exception):
    """The source could not be read; the message says why, for the HR analyst."""


def fetch_source(source: str) -> bytes:
    """The newest CSV file of a folder, or the body of an HTTPS URL (with the stored credential)."""
    if "://" in source:
        return _fetch_url(source)
    folder = Path(source)
    files = sorted(folder.glob("*.csv"), key=lambda f: f.stat().st_mtime) if folder.is_dir() else []
    if not files:
        raise SyncSourceError(_("No CSV file in the folder %(folder)s.") % {"folder": source})
    if files[-1].stat().st_size > MAX_FILE_BYTES:
        raise SyncSourceError(file_too_large_message(files[-1].stat().st_size))
    return files[-1].read_bytes()


def _fetch_url(url: str) -> bytes:
    parts = urlsplit(url)
    if parts.scheme != "https" and not _is_loopback(parts.hostname or ""):
        raise SyncSourceError(_("The HRIS sync only fetches over HTTPS."))
    headers = {"Authorization": settings.HRIS_SYNC_AUTHORIZATION} if settings.HRIS_SYNC_AUTHORIZATION else {}
    try:
        with requests.get(url, headers=headers, timeout=60, stream=True) as response:
            response.raise_for_status()
            body = response.raw.read(MAX_FILE_BYTES + 1, decode_content=True)
    except requests.RequestException as exc:
        raise SyncSourceError(_("The HRIS file could not be fetched: %(error)s") % {"error": exc}) from exc
    if len(body) > MAX_FILE_BYTES:
        raise SyncSourceError(file_too_large_message(len(body)))
    return bytes(body)


def _is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def sync_diff(content: bytes, *, full_file: bool) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """What the file would change (or None) and its problems, each with its row and column."""
    problems = Problems()
    table = read_table(content, problems)
    if table is not None:
        directory = Directory.load()
        parsed = parse_rows(*table, directory, problems)
        by_email = check_people(parsed, problems)
        check_units(parsed, directory, problems)
        check_managers(by_email, directory, problems)
    if problems or table is None:
        return None, [{"row": p.row, "column": p.column, "message": str(p.message)} for p in problems.sorted()]
    active = set(User.objects.filter(is_active=True).annotate(e=Lower("email")).values_list("e", flat=True))
    today = timezone.localdate()
    diff: dict[str, Any] = {"new": [], "changed": [], "moved": [], "leavers": []}
    for person in parsed.people:
        current = directory.people.get(person.email)
        left = person.fields.get("left_date")
        if current is None:
            diff["new"].append(person.email)
            continue
        if left and left <= today and person.email in active:
            diff["leavers"].append(person.email)
        unit_before = directory.unit_code_by_id.get(current["org_unit_id"] or 0)
        if person.unit_code is not None and person.unit_code != unit_before:
            diff["moved"].append({"email": person.email, "from": unit_before or "", "to": person.unit_code})
        manager_before = directory.email_by_id.get(current["manager_id"] or 0, "")
        fields_changed = any(current.get(k) != v for k, v in person.fields.items() if k in current)
        if fields_changed or (person.manager_email is not None and person.manager_email != manager_before):
            diff["changed"].append(person.email)
    if full_file:
        listed = {person.email for person in parsed.people}
        admins = set(User.objects.filter(is_superuser=True).annotate(e=Lower("email")).values_list("e", flat=True))
        diff["leavers"] += sorted(active - listed - admins - set(diff["leavers"]))
    return diff, []


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@transaction.atomic
def hris_sync_run(*, source: str, content: bytes, full_file: bool, review: bool) -> HrisSync:
    """Check one file and apply it (or leave it for review); a file already seen is not run again."""
    digest = _digest(content)
    latest = HrisSync.objects.exclude(state=HrisSync.State.FAILED).first()
    if latest is not None and latest.content_digest == digest and latest.source == source:
        return latest
    diff, problems = sync_diff(content, full_file=full_file)
    sync = HrisSync(source=source, content_digest=digest, full_file=full_file, diff=diff or {}, problems=problems)
    if diff is None:
        return _refuse(sync)
    if review:
        sync.state, sync.content = HrisSync.State.WAITING, content
        sync.save()
        return sync
    return _apply(sync, content, actor=None)


def _refuse(sync: HrisSync) -> HrisSync:
    sync.state, sync.finished_at = HrisSync.State.FAILED, timezone.now()
    sync.save()
    hris_sync_failed.send(sender=HrisSync, sync=sync)
    return sync


def _apply(sync: HrisSync, content: bytes, *, actor: User | None) -> HrisSync:
    # The file comes from the HRIS itself, not from the analyst who may approve it: separation of duties
    # (people.services.import_duties) is for files a person uploads.
    result = people_import(actor=None, content=content, dry_run=False)
    if result.problems:  # the directory changed since the check
        sync.problems = [{"row": p.row, "column": p.column, "message": str(p.message)} for p in result.problems]
        return _refuse(sync)
    for person in User.objects.filter(email__in=sync.diff.get("leavers", []), is_active=True):
        person_deactivate(person=person, reason=LEAVER_REASON)
    sync.state, sync.finished_at, sync.decided_by, sync.content = HrisSync.State.APPLIED, timezone.now(), actor, None
    if not sync.diff.get("new") and not sync.diff.get("changed") and not sync.diff.get("leavers"):
        sync.state = HrisSync.State.UNCHANGED
    sync.save()
    return sync


@transaction.atomic
def hris_sync_decide(*, actor: User, sync: HrisSync, apply: bool) -> HrisSync:
    """An HR analyst applies or discards a run waiting for review (checked again against today's directory)."""
    locked = HrisSync.objects.select_for_update().get(pk=sync.pk)
    if locked.state != HrisSync.State.WAITING or locked.content is None:
        raise SyncSourceError(_("This sync has been decided already."))
    if not apply:
        locked.state, locked.decided_by, locked.finished_at, locked.content = (
            HrisSync.State.DISCARDED,
            actor,
            timezone.now(),
            None,
        )
        locked.save()
        return locked
    content = bytes(locked.content)
    diff, problems = sync_diff(content, full_file=locked.full_file)
    locked.diff, locked.problems = diff or {}, problems
    if diff is None:
        return _refuse(locked)
    return _apply(locked, content, actor=actor)


def hris_sync_scheduled() -> HrisSync | None:
    """The beat's run: fetch the configured source and sync it; a source that cannot be read is recorded too."""
    source = settings.HRIS_SYNC_SOURCE
    if not source:
        return None
    try:
        content = fetch_source(source)
    except SyncSourceError as exc:
        with transaction.atomic():
            return _refuse(HrisSync(source=source, problems=[{"row": None, "column": "", "message": str(exc)}]))
    return hris_sync_run(
        source=source, content=content, full_file=settings.HRIS_SYNC_FULL_FILE, review=settings.HRIS_SYNC_REVIEW
    )
