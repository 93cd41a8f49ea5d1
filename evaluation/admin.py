"""Admin pages of the evaluation app: for site administrators repairing data, not for daily work.

Baselines and the comparison group are fixed by the services once a programme is in implementation;
the admin does not enforce that, so the observation and member lists are read-only here.
"""

from django.contrib import admin

from .models import (
    ComparisonGroup,
    ComparisonMember,
    CostItem,
    EvaluationCycle,
    Instrument,
    InstrumentItem,
    Observation,
    OutcomeMetric,
    OutcomeResult,
)


@admin.register(OutcomeMetric)
class OutcomeMetricAdmin(admin.ModelAdmin[OutcomeMetric]):
    list_display = ["name", "programme", "goal", "level", "direction", "kind", "unit"]
    list_filter = ["level", "direction", "kind", "programme"]
    search_fields = ["name"]
    raw_id_fields = ["goal", "created_by"]


@admin.register(Observation)
class ObservationAdmin(admin.ModelAdmin[Observation]):
    list_display = ["metric", "person", "group", "period_kind", "period_end", "value", "source", "recorded_at"]
    list_filter = ["period_kind", "group", "source", "metric__programme"]
    search_fields = ["person__email", "metric__name"]
    list_select_related = ["metric", "person"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


class ComparisonMemberInline(admin.TabularInline[ComparisonMember, ComparisonGroup]):
    model = ComparisonMember
    raw_id_fields = ["person"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(ComparisonGroup)
class ComparisonGroupAdmin(admin.ModelAdmin[ComparisonGroup]):
    list_display = ["programme", "frozen_at", "frozen_by", "matched_count", "freeze_count"]
    readonly_fields = ["matched_count", "frozen_at", "frozen_by", "freeze_count"]
    raw_id_fields = ["frozen_by"]
    inlines = [ComparisonMemberInline]


class InstrumentItemInline(admin.TabularInline[InstrumentItem, Instrument]):
    model = InstrumentItem
    extra = 0


@admin.register(Instrument)
class InstrumentAdmin(admin.ModelAdmin[Instrument]):
    list_display = ["name", "programme", "level", "kind", "subject"]
    list_filter = ["level", "kind", "programme"]
    inlines = [InstrumentItemInline]


@admin.register(EvaluationCycle)
class EvaluationCycleAdmin(admin.ModelAdmin[EvaluationCycle]):
    """Dates and instruments only: states move through the services (which write the audit trail)."""

    list_display = ["programme", "kind", "opens_on", "closes_on", "state"]
    list_filter = ["kind", "state", "programme"]
    readonly_fields = ["state", "opened_at", "closed_at", "analysed_at", "reported_at"]


@admin.register(OutcomeResult)
class OutcomeResultAdmin(admin.ModelAdmin[OutcomeResult]):
    """Snapshots are immutable: shown, never edited here."""

    list_display = ["metric", "cycle", "computed_at", "method_version", "suppressed", "stale", "superseded_at"]
    list_filter = ["suppressed", "stale", "programme"]
    list_select_related = ["metric", "cycle"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(CostItem)
class CostItemAdmin(admin.ModelAdmin[CostItem]):
    list_display = ["programme", "category", "description", "amount"]
    list_filter = ["category", "programme"]
