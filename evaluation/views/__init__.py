"""Evaluation views, split by concern."""

from .cards import outcome_cards
from .comparison import comparison, comparison_freeze
from .costs import cost_add, cost_remove, costs
from .cycles import cycle_add, cycle_close_view, cycle_edit, cycle_generate, cycle_open_view, cycle_report_view, cycles
from .exports import export_job, export_job_download, export_job_status
from .home import home_panel
from .instruments import instrument_edit, instruments
from .metrics import metric_create_view, metric_edit, metrics
from .observations import (
    eligible_people_search,
    observation_add,
    observations_import_view,
    observations_page,
    observations_template,
)
from .reports import (
    report,
    report_export,
    report_pdf,
    report_print,
    reports,
    reports_export,
    reports_pdf,
    reports_print,
)
from .respond import my_cycle, respond

__all__ = [
    "comparison",
    "comparison_freeze",
    "cost_add",
    "cost_remove",
    "costs",
    "cycle_add",
    "cycle_close_view",
    "cycle_edit",
    "cycle_generate",
    "cycle_open_view",
    "cycle_report_view",
    "cycles",
    "eligible_people_search",
    "export_job",
    "export_job_download",
    "export_job_status",
    "home_panel",
    "instrument_edit",
    "instruments",
    "metric_create_view",
    "metric_edit",
    "metrics",
    "my_cycle",
    "observation_add",
    "observations_import_view",
    "observations_page",
    "observations_template",
    "outcome_cards",
    "report",
    "report_export",
    "report_pdf",
    "report_print",
    "reports",
    "reports_export",
    "reports_pdf",
    "reports_print",
    "respond",
]
