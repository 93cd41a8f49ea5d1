"""English date formats: one for dates and one for moments on every page; forms get ISO values first.

A browser's <input type="date"> and "datetime-local" only take ISO values (2026-12-03, 2026-12-03T09:30),
so the first input format, the one Django renders a form's value with, is ISO in every language.
"""

from django.conf.locale.en import formats as django_en

DATE_FORMAT = "j M Y"  # 3 Dec 2026
SHORT_DATE_FORMAT = DATE_FORMAT
DATETIME_FORMAT = "D j M Y, H:i"  # Thu 3 Dec 2026, 09:30
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "H:i"
DATE_INPUT_FORMATS = ["%Y-%m-%d", *[f for f in django_en.DATE_INPUT_FORMATS if f != "%Y-%m-%d"]]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%dT%H:%M",
    *[f for f in django_en.DATETIME_INPUT_FORMATS if f != "%Y-%m-%dT%H:%M"],
]
