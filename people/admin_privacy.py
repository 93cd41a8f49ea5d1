"""Private text stays out of the admin: no list, search, filter, ordering or lookup may touch it.

The admin lets a site admin filter any changelist on the model's own fields through the query string
(`?text__regex=^P`), without the field being shown anywhere. On a private note that recovers the text one
character at a time: the count of matching rows answers each guess. `PRIVATE_TEXT` names every field whose
text belongs to the people of a relationship (the author alone, or the pair and its coordinators) and never
to the site's operators; `PrivateTextAdmin` refuses every lookup that reaches one of them, whether on the
model itself or through a relation, and keeps them out of searches. `admin_privacy_problems` lists any
registered admin whose configuration would still show, search, sort or filter on one (a test asserts none).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpRequest

# "app_label.model" → the fields that hold pair content or author-only text.
PRIVATE_TEXT: dict[str, tuple[str, ...]] = {
    "programmes.privatenote": ("text",),
    "programmes.mentoringsession": ("shared_notes", "correction_note"),
    "programmes.checkin": ("concern",),
    "programmes.concern": ("description", "mediation_notes", "outcome"),
    "programmes.coordinatorcontact": ("notes",),
    "programmes.exitsurvey": ("comments",),
}


def private_fields(model: type[models.Model]) -> tuple[str, ...]:
    """The private text fields of a model (none for most)."""
    return PRIVATE_TEXT.get(model._meta.label_lower, ())


def touches_private_text(model: type[models.Model], lookup: str) -> bool:
    """Whether a lookup path (`text__regex`, `session__privatenote__text`) reads a private field on the way."""
    current: Any = model
    for part in lookup.lstrip("-").split(LOOKUP_SEP):
        if part in private_fields(current):
            return True
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return False  # a transform or a lookup name: nothing further to follow
        if not field.is_relation or field.related_model is None:
            return False
        current = field.related_model
    return False


def _names(items: Iterable[Any]) -> list[str]:
    """Field paths from list_display/list_filter/search_fields entries (callables and classes are skipped)."""
    names = []
    for item in items:
        if isinstance(item, tuple | list):
            item = item[0]
        if isinstance(item, str):
            names.append(item.lstrip("^=@"))
    return names


class PrivateTextAdmin(admin.ModelAdmin):
    """A model admin that refuses every lookup, search or sort on private text (see the module docstring)."""

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        # Refused lookups raise DisallowedModelAdminLookup: the admin answers 400, whatever the value.
        if touches_private_text(self.model, lookup):
            return False
        return bool(super().lookup_allowed(lookup, value, request))

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        return [f for f in super().get_search_fields(request) if not touches_private_text(self.model, f.lstrip("^=@"))]

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The change (view) page shows no private text either: the admin is no reading room.
        return [*(super().get_exclude(request, obj) or ()), *private_fields(self.model)]

    def get_sortable_by(self, request: HttpRequest) -> Any:
        shown = self.get_list_display(request)
        return [f for f in _names(shown) if not touches_private_text(self.model, f)]


def admin_privacy_problems(site: admin.AdminSite) -> list[str]:
    """Every registered admin setting that names private text (empty when the admin is clean)."""
    problems = []
    for model, model_admin in site._registry.items():
        settings = {
            "list_display": model_admin.list_display,
            "list_filter": model_admin.list_filter,
            "search_fields": model_admin.search_fields,
            "ordering": model_admin.ordering or (),
            "date_hierarchy": [model_admin.date_hierarchy] if model_admin.date_hierarchy else [],
            "fields": model_admin.fields or (),
            "readonly_fields": model_admin.readonly_fields,
        }
        for setting, items in settings.items():
            for name in _names(items):
                if touches_private_text(model, name):
                    problems.append(f"{model._meta.label}.{setting}: {name}")
        if private_fields(model) and not isinstance(model_admin, PrivateTextAdmin):
            problems.append(f"{model._meta.label}: its admin is not a PrivateTextAdmin")
    return problems
