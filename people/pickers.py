"""Searchable pickers: fields that name one org unit or one person by text, with server-side suggestions.

A <select> of every org unit or person renders thousands of options (6,270 units at 50,000 people: 390 KB
per page). A picker renders one text input holding the chosen item's key (a unit's code, a person's e-mail
address). As the person types, htmx asks a search endpoint for at most SEARCH_LIMIT matches and puts them
into a listbox below the input; static/js/picker.js makes input and listbox an ARIA combobox (arrows move,
Enter or a tap picks, Escape closes). Without JavaScript the person types the code or the address.

Validating the value is one indexed query within the field's queryset, so a person can only pick what the
form offers them (a mentor of this programme, an active person), never any row in the database.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from .models import OrgUnit, User

SEARCH_LIMIT = 20
MIN_QUERY = 2  # people: fewer letters match too many to be useful


def render_from_project(template_name: str, context: dict[str, Any]) -> SafeString:
    """Picker templates live in templates/people/ (the form renderer reads only Django's own widget templates)."""
    return mark_safe(render_to_string(template_name, context))


class PickerWidget(forms.TextInput):
    """A combobox: a text input and the listbox its search endpoint fills (templates/people/_picker.html)."""

    template_name = "people/_picker.html"

    def __init__(self, search_url: str = "", attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.search_url = search_url

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        attrs = dict(attrs or {})
        list_id = f"{attrs.get('id') or 'id_' + name}-options"
        attrs.update(
            {
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
                "aria-controls": list_id,
                "autocomplete": "off",
                "autocapitalize": "none",
                "spellcheck": "false",
                "hx-get": self.search_url,
                "hx-trigger": "input changed delay:250ms",
                "hx-target": f"#{list_id}",
                "hx-swap": "innerHTML",
                "hx-sync": "this:replace",
                "hx-vals": json.dumps({"field": name}),
                "data-picker-input": "",
            }
        )
        context = super().get_context(name, value, attrs)
        context["widget"]["list_id"] = list_id
        return context

    def _render(self, template_name: str, context: dict[str, Any], renderer: Any = None) -> SafeString:
        return render_from_project(template_name, context)


class OrgUnitPickerWidget(PickerWidget):
    """A picker that searches org units by code or name."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(search_url="", attrs=attrs)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        self.search_url = reverse("people:org_unit_search")  # resolved late: URLconfs load after forms
        return super().get_context(name, value, attrs)


class OrgUnitPickerField(forms.ModelChoiceField):
    """One org unit, named by its code (links made earlier may carry its id: accepted too); never lists every unit."""

    widget = OrgUnitPickerWidget
    default_error_messages = {
        "invalid_choice": _("No org unit has this code; type part of its name or code and choose from the list.")
    }

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


class OrgUnitMultiPickerWidget(forms.Widget):
    """One picker per chosen unit, plus an empty one to add another (picker.js adds more on request)."""

    template_name = "people/_picker_multi.html"

    def format_value(self, value: Any) -> list[str]:  # type: ignore[override]
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return [str(v.code if isinstance(v, OrgUnit) else v) for v in values]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        base_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        single = OrgUnitPickerWidget(attrs=self.attrs)
        values = [*context["widget"]["value"], ""]
        pickers = []
        for i, code in enumerate(values):
            attrs_i = {**context["widget"]["attrs"], "id": f"{base_id}_{i}"}
            if i:
                attrs_i["aria-label"] = _("Another org unit")
            pickers.append(single.get_context(name, code, attrs_i)["widget"])
        context["widget"]["pickers"] = pickers
        return context

    def _render(self, template_name: str, context: dict[str, Any], renderer: Any = None) -> SafeString:
        return render_from_project(template_name, context)

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_0" if id_ else id_

    def value_from_datadict(self, data: Mapping[str, Any], files: Any, name: str) -> list[str]:
        items = data.getlist(name) if isinstance(data, MultiValueDict) else data.get(name)
        if items is None:
            return []
        items = items if isinstance(items, list | tuple) else [items]
        return [str(item).strip() for item in items if str(item).strip()]

    def value_omitted_from_data(self, data: Mapping[str, Any], files: Any, name: str) -> bool:
        return False  # an empty list is an answer: no unit


class OrgUnitMultiPickerField(forms.ModelMultipleChoiceField):
    """Several org units, each named by its code; unknown codes are refused by name, in one query."""

    widget = OrgUnitMultiPickerWidget

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=OrgUnit.objects.all(), **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, QuerySet | list | tuple):
            return [v.code if isinstance(v, OrgUnit) else v for v in value]
        return value

    def clean(self, value: Any) -> QuerySet[OrgUnit]:
        codes = list(dict.fromkeys(str(v).strip() for v in (value or []) if str(v).strip()))
        if not codes:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return OrgUnit.objects.none()
        by_code = dict(OrgUnit.objects.filter(code__in=codes).values_list("code", "pk"))
        ids = {int(c) for c in codes if c not in by_code and c.isdigit()}  # the ids older links carry
        by_id = set(OrgUnit.objects.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
        unknown = [c for c in codes if c not in by_code and not (c.isdigit() and int(c) in by_id)]
        if unknown:
            raise forms.ValidationError(
                _("No org unit has the code %(codes)s; choose units from the list."),
                params={"codes": ", ".join(unknown)},
                code="invalid_choice",
            )
        return OrgUnit.objects.filter(pk__in={*by_code.values(), *by_id}).order_by("name")


class PersonPickerField(forms.ModelChoiceField):
    """One person out of `queryset` (whom this form may offer), named by e-mail address, searched on the server.

    The queryset yields the people themselves, or rows that point at them through `person_path` (a programme's
    mentor enrolments: `person`); the cleaned value is that row. A valid address of somebody outside the
    queryset is refused with the same words as an unknown one: the form tells nobody who else exists.
    """

    widget = PickerWidget
    default_error_messages = {
        "invalid_choice": _("Nobody you can choose here has this e-mail address; type part of a name and choose.")
    }

    def __init__(self, *, queryset: QuerySet[Any], search_url: str = "", person_path: str = "", **kwargs: Any) -> None:
        super().__init__(queryset=queryset, **kwargs)
        self.person_path = person_path
        self.search_url = search_url

    @property
    def search_url(self) -> str:
        return self._search_url

    @search_url.setter
    def search_url(self, url: str) -> None:
        self._search_url = url
        self.widget.search_url = url

    def _email_lookup(self) -> str:
        return f"{self.person_path}__email__iexact" if self.person_path else "email__iexact"

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):  # a model form's initial value: the row's id
            value = self.queryset.filter(pk=value).first() or value  # type: ignore[union-attr]
        if isinstance(value, User):
            return value.email
        if self.person_path and hasattr(value, self.person_path):
            return getattr(value, self.person_path).email
        return value

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if "@" in text:
            found = self.queryset.filter(**{self._email_lookup(): text}).first()  # type: ignore[union-attr]
        else:  # a row id (links and buttons made before the picker carry one), still within the queryset
            found = self.queryset.filter(pk=int(text)).first() if text.isdigit() else None  # type: ignore[union-attr]
        if found is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return found

    def validate(self, value: Any) -> None:
        forms.Field.validate(self, value)  # to_python already checked the queryset


def org_units_matching(text: str) -> list[OrgUnit]:
    """At most SEARCH_LIMIT units whose code or name contains `text`, by name."""
    text = text.strip()
    if not text:
        return []
    found = OrgUnit.objects.filter(Q(code__icontains=text) | Q(name__icontains=text)).only("code", "name")
    return list(found.order_by("name")[:SEARCH_LIMIT])


def people_matching(people: QuerySet[User], text: str) -> list[User]:
    """At most SEARCH_LIMIT of `people` whose name or e-mail address contains `text` (two letters at least)."""
    text = text.strip()
    if len(text) < MIN_QUERY:
        return []
    found = people.filter(Q(full_name__icontains=text) | Q(email__icontains=text))
    return list(found.select_related("org_unit").order_by("full_name", "pk")[:SEARCH_LIMIT])


def search_text(query: Mapping[str, Any]) -> str:
    """What was typed: `q`, or the value of the input htmx names in `field` (it sends the input by its name)."""
    text = query.get("q") or query.get(str(query.get("field") or ""), "")
    return str(text)[:100]
