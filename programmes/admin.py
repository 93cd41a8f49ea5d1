from django.contrib import admin

from programmes.support import admin as admin_support  # noqa: F401  (registers the ongoing-support admins)

from .models import Enrolment, Notification, Programme, ProgrammeRole


class ProgrammeRoleInline(admin.TabularInline[ProgrammeRole, Programme]):
    model = ProgrammeRole
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin[Programme]):
    list_display = ["name", "format", "phase", "created_at"]
    list_filter = ["format", "phase"]
    inlines = [ProgrammeRoleInline]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin[Enrolment]):
    list_display = ["person", "programme", "role", "state"]
    list_filter = ["role", "state", "programme"]
    raw_id_fields = ["person"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ["kind", "recipient", "channel", "due_at", "sent_at", "read_at"]
    list_filter = ["kind", "channel"]
    raw_id_fields = ["recipient"]
    readonly_fields = ["claimed_at", "sent_at", "attempts", "last_error"]
