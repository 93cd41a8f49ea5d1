"""The notification outbox: write rows with the change that causes them; send due rows exactly once.

Writers call `notification_create` (or `notification_create_many`) inside their own transaction, so a
notification exists exactly when the change that caused it committed, and the unique dedupe key makes
writing it twice harmless. The periodic task calls `notifications_send_due`, which claims each row with a
conditional UPDATE before sending it: however many sweepers run at once, exactly one owns a row, and a
row that was sent is never claimed again. (After healthchecks' sendalerts.)

Sending and marking sent cannot be one atomic act: a worker killed (or a database connection dropped)
between the SMTP hand-over and the mark leaves a claimed, unmarked row that is sent again when its lease
ends. Two things keep that from showing: every copy of a row carries the same `Message-ID`, derived from
its dedupe key, so mail servers and clients collapse a resend into one message; and the mark is retried on
a fresh connection before giving up, so a dropped connection alone does not cause a resend.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.db.models import Q, QuerySet
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone

from people.emails import email_template_names, email_to_person
from people.models import User
from programmes.models import Notification

logger = logging.getLogger(__name__)

#: After this many failed sends a row stays unsent, with its last error, for an administrator to see.
MAX_ATTEMPTS = 5
#: The wait after the n-th failure is BACKOFF_BASE * 5 ** (n - 1): 1, 5, 25, 125 minutes.
BACKOFF_BASE = timedelta(minutes=1)
NOT_EMAILED = "Not e-mailed: the recipient has left or is inactive."


@functools.cache
def _check_templates(kind: str, channel: str) -> None:
    """Fail at write time, in the caller's tests, when a kind has no templates (a typo, a new kind)."""
    names = [f"notifications/{kind}.html"]
    if channel == Notification.Channel.EMAIL:
        names += email_template_names(kind)
    for name in names:
        try:
            get_template(name)
        except TemplateDoesNotExist as exc:
            raise ValueError(f"Notification kind {kind!r} needs the template {name}.") from exc


def _new_row(
    *,
    recipient: User,
    kind: str,
    dedupe_key: str,
    context: dict[str, Any] | None,
    url: str,
    due_at: datetime | None,
    channel: str,
) -> Notification:
    """An unsaved, validated row."""
    if url and not url.startswith("/"):
        raise ValueError(f"A notification links to a path on this site, not {url!r}.")
    row = Notification(
        recipient=recipient,
        kind=kind,
        dedupe_key=dedupe_key,
        channel=channel,
        context=context or {},
        url=url,
        due_at=due_at or timezone.now(),
    )
    # The database enforces the dedupe key (see below); the recipient is an instance already.
    row.full_clean(exclude=["recipient"], validate_unique=False)
    return row


@transaction.atomic
def notification_create(
    *,
    recipient: User,
    kind: str,
    dedupe_key: str,
    context: dict[str, Any] | None = None,
    url: str = "",
    due_at: datetime | None = None,
    channel: str = Notification.Channel.EMAIL,
) -> Notification:
    """Write one outbox row in the caller's transaction; a second call with the same key returns the first row.

    `kind` names templates/notifications/<kind>.html and, for e-mail, templates/emails/<kind>-*.txt/html;
    they see `context` as `c`. `url` is a path on this site ("/programmes/3/"). Concurrent writers of one
    key are settled by the unique constraint: the loser's INSERT fails inside a savepoint once the
    winner commits, and it reads the winner's row.
    """
    _check_templates(kind, channel)
    existing = Notification.objects.filter(dedupe_key=dedupe_key).first()
    if existing is not None:
        return existing
    row = _new_row(
        recipient=recipient, kind=kind, dedupe_key=dedupe_key, context=context, url=url, due_at=due_at, channel=channel
    )
    try:
        with transaction.atomic():
            row.save(force_insert=True)
    except IntegrityError:
        return Notification.objects.get(dedupe_key=dedupe_key)
    return row


@transaction.atomic
def notification_create_many(
    *,
    recipients: Iterable[User],
    kind: str,
    dedupe_key: Callable[[User], str],
    context: dict[str, Any] | Callable[[User], dict[str, Any]] | None = None,
    url: str | Callable[[User], str] = "",
    due_at: datetime | None = None,
    channel: str = Notification.Channel.EMAIL,
) -> list[Notification]:
    """The bulk variant: one row per recipient, keyed by `dedupe_key(recipient)`, in a few INSERTs.

    `context` and `url` are shared, or functions of the recipient when each row has its own (a personal
    link). Keys that exist already keep their row untouched (INSERT ... ON CONFLICT DO NOTHING). Returns
    every recipient's row, new or old.
    """
    _check_templates(kind, channel)
    rows = [
        _new_row(
            recipient=person,
            kind=kind,
            dedupe_key=dedupe_key(person),
            context=context(person) if callable(context) else context,
            url=url(person) if callable(url) else url,
            due_at=due_at,
            channel=channel,
        )
        for person in recipients
    ]
    Notification.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    keys = [row.dedupe_key for row in rows]
    found: list[Notification] = []
    for start in range(0, len(keys), 500):
        found += Notification.objects.filter(dedupe_key__in=keys[start : start + 500])
    return found


def retry_delay(attempts: int) -> timedelta:
    """How long a row waits after its `attempts`-th failed send: 1, 5, 25, 125 minutes."""
    return BACKOFF_BASE * 5 ** (max(attempts, 1) - 1)


def _claimable(*, now: datetime, lease: timedelta) -> QuerySet[Notification]:
    """Due, unsent rows with attempts left that nobody holds a live claim on."""
    return Notification.objects.filter(sent_at__isnull=True, due_at__lte=now, attempts__lt=MAX_ATTEMPTS).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - lease)
    )


def notifications_send_due(
    *,
    now: datetime | None = None,
    batch: int = 100,
    lease: timedelta = timedelta(minutes=10),
    budget: timedelta = timedelta(seconds=60),
) -> int:
    """Send up to `batch` due notifications, each exactly once; returns how many rows this call settled.

    Each row is claimed by a conditional UPDATE that only one sweeper can win, right before it is sent,
    so rows left over when the time `budget` runs out stay unclaimed for the next sweep. A claim older
    than `lease` belongs to a worker that died mid-send, and the row may be claimed again. Call it
    outside a transaction: claims must commit at once to be seen by other sweepers.
    """
    now = now or timezone.now()
    deadline = time.monotonic() + budget.total_seconds()
    settled = 0
    candidates = list(_claimable(now=now, lease=lease).order_by("due_at").values_list("pk", flat=True)[:batch])
    for pk in candidates:
        if time.monotonic() > deadline:
            break
        if _claimable(now=now, lease=lease).filter(pk=pk).update(claimed_at=now) == 1:
            settled += _deliver(pk, now=now)
    return settled


def _deliver(pk: int, *, now: datetime) -> int:
    """Send one claimed row and mark it sent (1), or record the failure and back off (0)."""
    row = Notification.objects.select_related("recipient").get(pk=pk)
    try:
        note = _send(row, now=now)
    except Exception as exc:  # a bad address, SMTP down, a template error: this row waits, the rest go
        logger.warning("notification %s (%s) failed to send", row.pk, row.kind, exc_info=True)
        attempts = row.attempts + 1
        Notification.objects.filter(pk=pk).update(
            attempts=attempts,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            claimed_at=None,
            due_at=now + retry_delay(attempts),
        )
        return 0
    _mark_sent(pk, now=now, note=note)
    return 1


def _mark_sent(pk: int, *, now: datetime, note: str, tries: int = 4) -> None:
    """Mark a sent row, retrying on a fresh connection: a connection dropped right after the SMTP hand-over
    must not leave the row to be sent again when its lease ends (the sweep runs outside transactions)."""
    for attempt in range(tries):
        try:
            Notification.objects.filter(pk=pk, sent_at__isnull=True).update(sent_at=now, last_error=note)
            return
        except (OperationalError, InterfaceError):
            if attempt == tries - 1 or connection.in_atomic_block:
                raise
            logger.warning("notification %s sent but not yet marked; retrying on a new connection", pk)
            connection.close()
            time.sleep(0.5 * (attempt + 1))


def message_id(dedupe_key: str) -> str:
    """The `Message-ID` of every copy of one notification: the same for a resend, unique per row.

    Derived from the dedupe key (hashed: keys hold ids and words, not for other eyes), at the sender's domain.
    """
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "mentoring.invalid"
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()[:40]
    return f"<notification.{digest}@{domain}>"


def _send(row: Notification, *, now: datetime) -> str:
    """E-mail the row if it is an e-mail to someone still here; returns a note for last_error ("" if none)."""
    if row.channel != Notification.Channel.EMAIL:
        return ""
    person = row.recipient
    if not person.is_active or person.has_left(on=timezone.localdate(now)):
        return NOT_EMAILED
    context = {"c": row.context, "notification": row, "link": absolute_url(row.url)}
    message = email_to_person(person=person, name=row.kind, context=context)
    message.extra_headers["Message-ID"] = message_id(row.dedupe_key)
    # Attachments written with the row (a session's .ics invite): [{"filename", "content", "mimetype"}].
    for attachment in row.context.get("attachments", []):
        message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    message.send()
    return ""


def absolute_url(path: str) -> str:
    """The link an e-mail carries: the site's public address plus the row's path (the home page if none)."""
    return f"{settings.SITE_URL}{path or '/'}"
