"""Admin of the ongoing-support models (registered from programmes/admin.py).

Sessions, check-ins and concerns are personal: only superusers see them in the admin, read-only, and
their private text (a private note's text, shared notes, concern and check-in text) is never shown,
searched, sorted or filtered there, to anyone (people.admin_privacy refuses every lookup that reaches it).
A superuser can see that a note exists and delete it (an erasure request), not read it: the database
operator's access is not a reason for the admin to make reading someone's private notes a click away.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from people.admin_privacy import PrivateTextAdmin
from programmes.models import (
    CheckIn,
    Closure,
    Concern,
    CoordinatorTask,
    MentoringSession,
    PrivateNote,
    RelationshipHealth,
    Resource,
)


class SuperuserReadOnly(PrivateTextAdmin):
    """Visible to superusers only, and not editable here (the pages and services own every change)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MentoringSession)
class MentoringSessionAdmin(SuperuserReadOnly):
    list_display = ["held_at", "relationship", "status", "minutes", "mode", "confirmation"]
    list_filter = ["status", "mode", "programme"]
    raw_id_fields = ["relationship", "programme", "logged_by", "confirmed_by"]


@admin.register(PrivateNote)
class PrivateNoteAdmin(SuperuserReadOnly):
    """Metadata only: who wrote a note on which session, and when. Never its text, nor its length."""

    list_display = ["pk", "session", "author", "created_at"]
    fields = ["session", "author", "created_at", "updated_at"]
    readonly_fields = ["session", "author", "created_at", "updated_at"]
    exclude = ["text"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)


@admin.register(CheckIn)
class CheckInAdmin(SuperuserReadOnly):
    list_display = ["relationship", "respondent", "round", "due_on", "answered_at"]
    raw_id_fields = ["relationship", "programme", "respondent"]


@admin.register(Concern)
class ConcernAdmin(SuperuserReadOnly):
    list_display = ["pk", "relationship", "category", "severity", "state", "created_at"]
    list_filter = ["state", "category", "severity"]


@admin.register(Closure)
class ClosureAdmin(SuperuserReadOnly):
    list_display = ["relationship", "anticipated", "no_fault", "initiated_at", "closed_at", "rematch_eligible"]


@admin.register(RelationshipHealth)
class RelationshipHealthAdmin(SuperuserReadOnly):
    list_display = ["relationship", "at_risk", "at_risk_kind", "last_activity_at", "next_contact_due", "health"]
    list_filter = ["at_risk", "health"]


@admin.register(CoordinatorTask)
class CoordinatorTaskAdmin(SuperuserReadOnly):
    list_display = ["title", "programme", "state", "due_on"]


@admin.register(Resource)
class ResourceAdmin(admin.ModelAdmin[Resource]):
    list_display = ["title", "programme", "kind", "audience", "created_at"]
    list_filter = ["kind", "audience"]
