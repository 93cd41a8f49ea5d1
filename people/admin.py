from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import BackgroundJob, Competency, CompetencyRating, OrgUnit, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["full_name"]
    list_display = ["full_name", "email", "job_title", "org_unit", "grade", "is_hr_analyst", "is_active"]
    list_filter = ["is_hr_analyst", "is_staff", "is_superuser", "is_active", "org_unit"]
    search_fields = ["full_name", "email", "employee_number"]
    raw_id_fields = ["manager", "org_unit"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Person"),
            {
                "fields": (
                    "full_name",
                    "employee_number",
                    "job_title",
                    "grade",
                    "org_unit",
                    "manager",
                    "location",
                    "languages",
                    "hire_date",
                    "left_date",
                )
            },
        ),
        (_("Preferences"), {"fields": ("preferred_language", "time_zone")}),
        (_("Roles"), {"fields": ("is_active", "is_hr_analyst", "is_staff", "is_superuser", "groups")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        """The form, refusing a reporting line that would grant its editor access (separation of duties)."""
        form = super().get_form(request, obj, change=change, **kwargs)
        editor = request.user

        class NoSelfGrant(form):  # type: ignore[valid-type,misc]
            def clean(self) -> dict[str, Any]:
                data = super().clean()
                _refuse_self_grant(self, editor, data)
                return data

        return NoSelfGrant


def _refuse_self_grant(form: forms.ModelForm, editor: Any, data: dict[str, Any]) -> None:
    """An admin may not make themselves someone's manager, nor change their own line, unit or grade."""
    person, before = form.instance, form.initial
    manager = data.get("manager")
    if manager is not None and manager.pk == editor.pk and before.get("manager") != editor.pk:
        form.add_error("manager", _("You cannot make yourself this person's manager; ask another administrator."))
    if person.pk == editor.pk:
        for name in ("manager", "org_unit", "grade"):
            if name in data and _value(data[name]) != before.get(name):
                form.add_error(name, _("This is your own record: ask another administrator to change it."))


def _value(value: Any) -> Any:
    return value.pk if hasattr(value, "pk") else value


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin[OrgUnit]):
    list_display = ["name", "code", "parent"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent"]


@admin.register(Competency)
class CompetencyAdmin(admin.ModelAdmin[Competency]):
    list_display = ["name", "code", "parent"]
    search_fields = ["name", "code"]


@admin.register(CompetencyRating)
class CompetencyRatingAdmin(admin.ModelAdmin[CompetencyRating]):
    list_display = ["person", "competency", "level", "source", "rated_on"]
    list_filter = ["source", "competency"]
    raw_id_fields = ["person", "rater"]


@admin.register(BackgroundJob)
class BackgroundJobAdmin(admin.ModelAdmin[BackgroundJob]):
    """Every kind of background job, for support; read-only (the services move them), files never shown here."""

    list_display = ["pk", "kind", "state", "stage", "done", "total", "requested_by", "created_at", "finished_at"]
    list_filter = ["kind", "state"]
    list_select_related = ["requested_by"]
    exclude = ["file"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
