"""Indonesian date formats: one for dates and one for moments on every page; forms get ISO values first.

Django's own Indonesian formats render a form's date as 03-12-2026, which <input type="date"> cannot show,
so an edited date came back blank. ISO goes first (see the English module); the Indonesian ways of typing
a date still parse after it.
"""

from django.conf.locale.id import formats as django_id

DATE_FORMAT = "j M Y"  # 3 Des 2026
SHORT_DATE_FORMAT = DATE_FORMAT
DATETIME_FORMAT = "D j M Y, H.i"  # Kam 3 Des 2026, 09.30
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "H.i"
DATE_INPUT_FORMATS = ["%Y-%m-%d", *[f for f in django_id.DATE_INPUT_FORMATS if f != "%Y-%m-%d"]]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%dT%H:%M",
    *[f for f in django_id.DATETIME_INPUT_FORMATS if f != "%Y-%m-%dT%H:%M"],
]
