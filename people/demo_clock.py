"""The demo's clock: the demo story happens over past months, so its steps run at past moments.

Services stamp their rows with `timezone.now()` (audit events, state changes, sessions, check-ins), and the
demo calls the same services as the pages. Rather than writing dates into rows afterwards, each step of
the story runs with the clock set to the moment it happened in the story, with time-machine (a pinned,
well-kept library that moves the clock for the whole process, C-level calls included). The clock keeps
ticking from that moment, so code that waits for time to pass still works.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

import time_machine
from django.utils import timezone


def moment(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """`day` at `hour`:`minute` in the site's time zone (office hours by default)."""
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@contextmanager
def at(when: datetime | date) -> Iterator[datetime]:
    """Run the block as if it were `when` (a date means 10:00 that day); yields the moment."""
    instant = when if isinstance(when, datetime) else moment(when)
    with time_machine.travel(instant, tick=True):
        yield instant


def days_before(today: date, days: int) -> date:
    return today - timedelta(days=days)
