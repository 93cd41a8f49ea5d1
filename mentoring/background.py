"""Publishing tasks from web requests without ever waiting on, or failing because of, the broker."""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task: Task, *args: Any, **kwargs: Any) -> None:
    """Publish `task(*args, **kwargs)` once the current transaction commits (at once outside one).

    A broker that is down costs the request at most the short publish retry policy and socket timeouts
    of mentoring/celery.py and settings.py, and is logged, not raised: the publish is kept as a
    `people.PendingPublish` row that the republish sweep (beat, every minute) sends once the broker is
    back. In eager mode (tests) errors propagate, because there they are the task's own errors.
    """

    def publish() -> None:
        try:
            task.apply_async(args=args, kwargs=kwargs)
        except Exception:
            if task.app.conf.task_always_eager:
                raise
            logger.warning("could not publish %s; the periodic sweep will catch up", task.name, exc_info=True)
            remember_failed_publish(task.name, list(args), dict(kwargs))

    transaction.on_commit(publish)


def remember_failed_publish(name: str, args: list[Any], kwargs: dict[str, Any]) -> None:
    """Keep a publish that failed for the republish sweep (best effort: the database may be down too)."""
    from people.models import PendingPublish

    try:
        PendingPublish.objects.create(task=name, args=args, kwargs=kwargs)
    except Exception:
        logger.exception("could not keep the failed publish of %s; the periodic jobs will catch up", name)
