"""The outcomes API under /api/: programmes, metrics, results, process metrics, and the OpenAPI schema."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from . import api

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.include_format_suffixes = False
router.register("programmes", api.ProgrammeViewSet, basename="programme")
router.register("metrics", api.MetricViewSet, basename="metric")
router.register("results", api.ResultViewSet, basename="result")

urlpatterns = [
    # Behind authentication (SPECTACULAR_SETTINGS["SERVE_PERMISSIONS"]).
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    *router.urls,
]
