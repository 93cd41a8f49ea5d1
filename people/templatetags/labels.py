"""`{% load labels %}`: words for codes (people.labels), so no page shows a raw code."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from people.labels import choice_label, language_name

register = template.Library()


@register.filter
def label(code: object) -> str:
    """A stored choice value (a state, a phase) as its translated label."""
    return choice_label(code)


@register.filter
def language_names(codes: Iterable[str] | None) -> str:
    """Language codes as names, comma-separated: ["id", "en"] → "Indonesian, English"."""
    return ", ".join(language_name(code) for code in codes or ())
