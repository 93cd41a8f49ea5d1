"""The evaluation app's pages, all under /evaluation/programmes/<programme_id>/."""

from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("programmes/<int:programme_id>/metrics/", views.metrics, name="metrics"),
    path("programmes/<int:programme_id>/metrics/new/", views.metric_create_view, name="metric_create"),
    path("programmes/<int:programme_id>/metrics/<int:metric_id>/edit/", views.metric_edit, name="metric_edit"),
    path("programmes/<int:programme_id>/baselines/", views.baselines, name="baselines"),
    path("programmes/<int:programme_id>/baselines/import/", views.baseline_import_view, name="baseline_import"),
    path("programmes/<int:programme_id>/baselines/template.csv", views.baseline_template, name="baseline_template"),
    path(
        "programmes/<int:programme_id>/metrics/<int:metric_id>/baselines/add/",
        views.baseline_add,
        name="baseline_add",
    ),
    path("programmes/<int:programme_id>/comparison/", views.comparison, name="comparison"),
    path("programmes/<int:programme_id>/comparison/freeze/", views.comparison_freeze, name="comparison_freeze"),
]
