"""Evaluation views, split by concern."""

from .baselines import baseline_add, baseline_import_view, baseline_template, baselines
from .comparison import comparison, comparison_freeze
from .metrics import metric_create_view, metric_edit, metrics

__all__ = [
    "baseline_add",
    "baseline_import_view",
    "baseline_template",
    "baselines",
    "comparison",
    "comparison_freeze",
    "metric_create_view",
    "metric_edit",
    "metrics",
]
