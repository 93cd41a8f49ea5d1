"""`{% load moments %}`: a moment stored as data (an ISO datetime in a notification) shown as its reader reads it."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import formats, timezone

register = template.Library()


@register.filter
def moment(value: object) -> str:
    """An ISO datetime in the active language and time zone, the zone named: "3 Dec 2026, 14:00 (Asia/Jakarta)".

    Notifications store the moment, not words: a message reads right in whatever language and time zone its
    reader has when it is shown or sent. Text that is not an ISO datetime (older notifications stored the
    words already) is shown as it is.
    """
    if isinstance(value, datetime):
        when = value
    else:
        try:
            when = datetime.fromisoformat(str(value))
        except ValueError:
            return str(value)
    if timezone.is_naive(when):
        return str(value)
    local = timezone.localtime(when)
    return f"{formats.date_format(local, 'DATETIME_FORMAT')} ({timezone.get_current_timezone_name()})"
