"""The evaluation app's pages: a programme's set-up, plan, values and report under /evaluation/programmes/<id>/,
the cross-programme report under /evaluation/reports/, and each person's own questionnaires and exports."""

from django.urls import path

from . import views

app_name = "evaluation"

P = "programmes/<int:programme_id>/"
C = P + "cycles/<int:cycle_id>/"

urlpatterns = [
    path(P + "metrics/", views.metrics, name="metrics"),
    path(P + "metrics/new/", views.metric_create_view, name="metric_create"),
    path(P + "metrics/<int:metric_id>/edit/", views.metric_edit, name="metric_edit"),
    path(P + "baselines/", views.observations_page, name="baselines"),
    path(P + "baselines/import/", views.observations_import_view, name="baseline_import"),
    path(P + "baselines/template.csv", views.observations_template, name="baseline_template"),
    path(P + "people/search/", views.eligible_people_search, name="eligible_people_search"),
    path(P + "metrics/<int:metric_id>/baselines/add/", views.observation_add, name="baseline_add"),
    path(P + "comparison/", views.comparison, name="comparison"),
    path(P + "comparison/freeze/", views.comparison_freeze, name="comparison_freeze"),
    # The evaluation plan and its cycles
    path(P + "cycles/", views.cycles, name="cycles"),
    path(P + "cycles/generate/", views.cycle_generate, name="cycle_generate"),
    path(P + "cycles/new/", views.cycle_add, name="cycle_add"),
    path(C + "edit/", views.cycle_edit, name="cycle_edit"),
    path(C + "open/", views.cycle_open_view, name="cycle_open"),
    path(C + "close/", views.cycle_close_view, name="cycle_close"),
    path(C + "reported/", views.cycle_report_view, name="cycle_report"),
    path(C + "values/", views.observations_page, name="cycle_observations"),
    path(C + "values/import/", views.observations_import_view, name="cycle_observation_import"),
    path(C + "values/template.csv", views.observations_template, name="cycle_observation_template"),
    path(C + "metrics/<int:metric_id>/values/add/", views.observation_add, name="cycle_observation_add"),
    path(P + "instruments/", views.instruments, name="instruments"),
    path(P + "instruments/<int:instrument_id>/edit/", views.instrument_edit, name="instrument_edit"),
    path(P + "costs/", views.costs, name="costs"),
    path(P + "costs/new/", views.cost_add, name="cost_add"),
    path(P + "costs/<int:cost_id>/remove/", views.cost_remove, name="cost_remove"),
    # Reports and the programme page's outcome cards
    path(P + "report/", views.report, name="report"),
    path(P + "report/print/", views.report_print, name="report_print"),
    path(P + "report/pdf/", views.report_pdf, name="report_pdf"),
    path(P + "report/export/<str:fmt>/", views.report_export, name="report_export"),
    path(P + "cards/", views.outcome_cards, name="outcome_cards"),
    path("home/", views.home_panel, name="home_panel"),
    path("reports/", views.reports, name="reports"),
    path("reports/print/", views.reports_print, name="reports_print"),
    path("reports/pdf/", views.reports_pdf, name="reports_pdf"),
    path("reports/export/<str:fmt>/", views.reports_export, name="reports_export"),
    path("exports/<int:job_id>/", views.export_job, name="export_job"),
    path("exports/<int:job_id>/status/", views.export_job_status, name="export_job_status"),
    path("exports/<int:job_id>/download/", views.export_job_download, name="export_job_download"),
    # Each person's own questionnaires
    path("cycles/<int:cycle_id>/mine/", views.my_cycle, name="my_cycle"),
    path("questionnaires/<int:response_id>/", views.respond, name="respond"),
]
