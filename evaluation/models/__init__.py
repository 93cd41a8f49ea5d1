"""Evaluation models, split by concern; import them from here."""

from .comparison import ComparisonGroup, ComparisonMember
from .metrics import OutcomeMetric
from .observations import Observation

__all__ = ["ComparisonGroup", "ComparisonMember", "Observation", "OutcomeMetric"]
