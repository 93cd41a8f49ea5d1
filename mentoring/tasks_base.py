"""The base class of every task of ours: the one retry policy.

A database that is briefly away (failover, restart) is retried soon, with jittered exponential backoff
(about 2, 4, 8, 16 s). Periodic entries expire after one interval, so later retries would only duplicate
the next run; every task is idempotent (house rule), so a retry never does its work twice.
"""

from __future__ import annotations

from celery import Task
from django.db import InterfaceError, OperationalError


class MentoringTask(Task):
    """Retries on a database connection that dropped; any other error fails the task at once."""

    autoretry_for: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
    retry_backoff: int = 2
    retry_backoff_max: int = 60
    retry_jitter: bool = True
    max_retries: int = 4


class LongSweepTask(MentoringTask):
    """The policy for sweeps that run for minutes: fewer, further-apart retries (about 5, 10, 20 s)."""

    retry_backoff: int = 5
    retry_backoff_max: int = 120
    max_retries: int = 3
