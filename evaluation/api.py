"""The read-only outcomes API for HR analysts: programmes, metrics, results and process metrics.

Token authentication (rest_framework.authtoken; `manage.py drf_create_token <e-mail>` makes one), or the
browser session. Every list is scoped to what the caller may read (evaluation.reports.programmes_for_reports):
org-wide HR analysts and site admins see every programme, programme-scoped HR analysts and coordinators
their own, everyone else nothing (empty lists, 404 on details). Results carry only the figures the
snapshot kept: groups of fewer than 5 people are suppressed here as everywhere. Throttled per user.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle

from people.models import User
from programmes.access import Action
from programmes.access_pages import PolicyPermission
from programmes.models import BusinessGoal, Programme

from .models import EvaluationCycle, OutcomeMetric, OutcomeResult
from .outcomes import figures_digest
from .reports import programmes_for_reports
from .selectors_process import process_metrics_for_programmes
from .sentences import result_sentence


class GoalSerializer(serializers.ModelSerializer[BusinessGoal]):
    class Meta:
        model = BusinessGoal
        fields = ["id", "statement", "priority"]


class ProgrammeSerializer(serializers.ModelSerializer[Programme]):
    """A programme with its business goals."""

    business_goals = GoalSerializer(many=True, read_only=True)

    class Meta:
        model = Programme
        fields = ["id", "name", "purpose", "format", "phase", "term_months", "business_goals"]


class MetricSerializer(serializers.ModelSerializer[OutcomeMetric]):
    """An outcome metric and the business goal it measures."""

    class Meta:
        model = OutcomeMetric
        fields = [
            "id", "programme", "goal", "name", "unit", "level", "direction", "kind", "data_source",
            "value_per_unit", "target_change", "target_basis",
        ]  # fmt: skip


class CycleSerializer(serializers.ModelSerializer[EvaluationCycle]):
    class Meta:
        model = EvaluationCycle
        fields = ["id", "kind", "opens_on", "closes_on", "state"]


class ResultSerializer(serializers.ModelSerializer[OutcomeResult]):
    """A current outcome result: every figure with its n; suppressed cells carry none."""

    cycle = CycleSerializer(read_only=True)
    sentence = serializers.SerializerMethodField()
    figures = serializers.SerializerMethodField()
    figures_digest = serializers.SerializerMethodField(
        help_text="SHA-256 of the published figures: equal digests, equal figures. No per-person value enters it."
    )

    class Meta:
        model = OutcomeResult
        fields = [
            "id", "programme", "metric", "cycle", "computed_at", "method_version", "figures_digest", "stale",
            "suppressed", "figures", "sentence",
        ]  # fmt: skip

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_figures(self, result: OutcomeResult) -> dict[str, Any]:
        return dict(result.figures)

    def get_figures_digest(self, result: OutcomeResult) -> str:
        # Never the stored input fingerprint: that one is computed from each person's own values.
        return figures_digest(dict(result.figures))

    def get_sentence(self, result: OutcomeResult) -> str:
        metric = result.metric
        return result_sentence(metric.name, metric.unit, metric.direction, result.figures)


class ProcessMetricSerializer(serializers.Serializer[dict[str, Any]]):
    """One process metric of a programme (suppressed below 5 people)."""

    key = serializers.CharField()
    name = serializers.CharField(source="label")
    unit = serializers.CharField()
    available = serializers.BooleanField()
    suppressed = serializers.BooleanField()
    value = serializers.FloatField(allow_null=True)
    n = serializers.IntegerField(allow_null=True)
    target = serializers.FloatField(allow_null=True)
    note = serializers.CharField()


def _visible(request: Request) -> QuerySet[Programme]:
    user = request.user
    assert isinstance(user, User)  # IsAuthenticated ran first
    return programmes_for_reports(user=user)


def _int_param(request: Request, name: str) -> int | None:
    """An optional whole-number filter from the query string; 400 with a message when it is not one."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationError({name: "Give a whole number (an id)."}) from None
    if not 0 < value < 2**63:
        raise ValidationError({name: "Give a positive id."})
    return value


def _filter_param(name: str, what: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.INT, description=f"Only {what} with this id.", required=False)


class OutcomesThrottle(UserRateThrottle):
    """Per-user request budget of the outcomes API (settings: REST_FRAMEWORK DEFAULT_THROTTLE_RATES["user"])."""


class _ReadOnly(viewsets.ReadOnlyModelViewSet[Any]):
    # Lists are scoped by programmes_for_reports; each object found is checked by the access policy too.
    permission_classes = [PolicyPermission]
    policy_action = Action.READ_STAFF_PAGES
    throttle_classes = [OutcomesThrottle]
    # Ids the database can hold; anything longer is simply not found (never an overflow error).
    lookup_value_regex = r"[0-9]{1,18}"


class ProgrammeViewSet(_ReadOnly):
    """Programmes the caller may read, with their business goals; /process-metrics/ per programme."""

    serializer_class = ProgrammeSerializer

    def get_queryset(self) -> QuerySet[Programme]:
        return _visible(self.request).prefetch_related("business_goals").order_by("name", "pk")

    @extend_schema(responses=ProcessMetricSerializer(many=True))
    @action(detail=True, url_path="process-metrics", pagination_class=None)
    def process_metrics(self, request: Request, pk: str | None = None) -> Response:
        """How the programme runs: time to match, match rate, mentor utilisation and more."""
        programme = self.get_object()
        figures = process_metrics_for_programmes(programme_ids=[programme.pk])[programme.pk]
        rows: Any = [f.as_dict() for f in figures]
        return Response(ProcessMetricSerializer(rows, many=True).data)


@extend_schema(parameters=[_filter_param("programme", "metrics of the programme")])
class MetricViewSet(_ReadOnly):
    """Outcome metrics of the programmes the caller may read."""

    serializer_class = MetricSerializer

    def get_queryset(self) -> QuerySet[OutcomeMetric]:
        metrics = OutcomeMetric.objects.filter(programme__in=_visible(self.request)).order_by("programme_id", "pk")
        if (programme := _int_param(self.request, "programme")) is not None:
            metrics = metrics.filter(programme_id=programme)
        return metrics


@extend_schema(
    parameters=[
        _filter_param("programme", "results of the programme"),
        _filter_param("metric", "results of the metric"),
        _filter_param("cycle", "results of the evaluation cycle"),
    ]
)
class ResultViewSet(_ReadOnly):
    """Current outcome results (one per metric and cycle) of the programmes the caller may read."""

    serializer_class = ResultSerializer

    def get_queryset(self) -> QuerySet[OutcomeResult]:
        results = (
            OutcomeResult.objects.filter(programme__in=_visible(self.request), superseded_at__isnull=True)
            .select_related("metric", "cycle")
            .order_by("programme_id", "metric_id", "cycle__opens_on", "pk")
        )
        for name in ("programme", "metric", "cycle"):
            if (value := _int_param(self.request, name)) is not None:
                results = results.filter(**{f"{name}_id": value})
        return results
