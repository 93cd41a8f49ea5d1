"""Words for codes, so no page shows a raw code ("id", "on_hold", "needs_assessment").

`choice_label(code)` finds the translated label of a stored choice value in any model's choices (states
and phases kept in audit history as codes); `language_name(code)` names an ISO 639-1 language in the
reader's language. Built from the app registry, so `people` needs no import of the apps above it.
"""

from __future__ import annotations

from functools import cache

from django.apps import apps
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

# Languages of the region that Django's own list does not name.
EXTRA_LANGUAGES: dict[str, StrOrPromise] = {
    "jv": _("Javanese"),
    "su": _("Sundanese"),
    "ms": _("Malay"),
}


@cache
def _choices() -> dict[str, StrOrPromise]:
    labels: dict[str, StrOrPromise] = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, label in getattr(field, "flatchoices", None) or ():
                if isinstance(value, str) and value:
                    labels.setdefault(value, label)
    return labels


def choice_label(code: object) -> str:
    """The translated label of a stored choice value; the value itself when no model knows it."""
    if code is None or code == "":
        return ""
    label = _choices().get(str(code))
    return str(label) if label is not None else str(code)


def language_name(code: str) -> str:
    """An ISO 639-1 code as the reader calls the language: "id" → "Indonesian" / "Bahasa Indonesia"."""
    code = code.strip().lower()
    if code in EXTRA_LANGUAGES:
        return str(EXTRA_LANGUAGES[code])
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code.upper()
