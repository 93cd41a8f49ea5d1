"""Evaluation services: every write of the evaluation app goes through one of these."""

from .common import EvaluationError, baselines_locked, lock_for_baselines, lock_for_metrics, metrics_locked
from .comparison import ComparisonRule, FreezeResult, comparison_candidates, comparison_group_freeze
from .metrics import metric_create, metric_update
from .observations import BaselineImportError, ImportResult, baseline_import, baseline_record

__all__ = [
    "BaselineImportError",
    "ComparisonRule",
    "EvaluationError",
    "FreezeResult",
    "ImportResult",
    "baseline_import",
    "baseline_record",
    "baselines_locked",
    "comparison_candidates",
    "comparison_group_freeze",
    "lock_for_baselines",
    "lock_for_metrics",
    "metric_create",
    "metric_update",
    "metrics_locked",
]
