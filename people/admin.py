from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Competency, CompetencyRating, OrgUnit, User


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
