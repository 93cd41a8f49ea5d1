"""Searchable pickers: a field that names one org unit by its code, with server-side suggestions.

A <select> of every org unit renders thousands of options (6,270 at 50,000 people: 390 KB per page). This
field renders one text input holding the chosen unit's code; htmx asks `people:org_unit_search` for at most
SEARCH_LIMIT matching units as the person types and fills the input's <datalist>. Without JavaScript the
person types the code. Validating the value is one indexed query, whatever the size of the organisation.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse

from .models import OrgUnit

SEARCH_LIMIT = 20


class OrgUnitPickerWidget(forms.TextInput):
    """A search input with a datalist the search endpoint fills (see templates/people/_org_unit_options.html)."""

    input_type = "search"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        list_id = f"{name}-options"
        attrs = {
            **(attrs or {}),
            "list": list_id,
            "autocomplete": "off",
            "hx-get": reverse("people:org_unit_search"),
            "hx-trigger": "input changed delay:250ms",
            "hx-target": f"#{list_id}",
            "hx-swap": "innerHTML",
        }
        context = super().get_context(name, value, attrs)
        context["widget"]["list_id"] = list_id
        return context

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> Any:
        from django.utils.html import format_html

        html = super().render(name, value, attrs, renderer)
        return format_html('{}<datalist id="{}-options"></datalist>', html, name)


class OrgUnitPickerField(forms.ModelChoiceField):
    """One org unit, named by its code (links made earlier may carry its id: accepted too); never lists every unit."""

    widget = OrgUnitPickerWidget

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=OrgUnit.objects.all(), **kwargs)

    def prepare_value(self, value: Any) -> Any:
        return value.code if isinstance(value, OrgUnit) else value

    def to_python(self, value: Any) -> OrgUnit | None:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        unit = OrgUnit.objects.filter(code=text).first()
        if unit is None and text.isdigit():
            unit = OrgUnit.objects.filter(pk=int(text)).first()
        if unit is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return unit


def org_units_matching(text: str) -> list[OrgUnit]:
    """At most SEARCH_LIMIT units whose code or name contains `text`, codes that start with it first."""
    text = text.strip()
    if not text:
        return []
    from django.db.models import Q

    found = OrgUnit.objects.filter(Q(code__icontains=text) | Q(name__icontains=text)).only("code", "name")
    return list(found.order_by("name")[:SEARCH_LIMIT])
