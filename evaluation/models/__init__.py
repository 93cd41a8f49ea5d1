"""Evaluation models, split by concern; import them from here."""

from .comparison import ComparisonGroup, ComparisonMember
from .cycles import EvaluationCycle
from .instruments import Answer, Instrument, InstrumentItem, InstrumentResponse
from .metrics import OutcomeMetric
from .observations import Observation
from .results import CostItem, OutcomeResult

__all__ = [
    "Answer",
    "ComparisonGroup",
    "ComparisonMember",
    "CostItem",
    "EvaluationCycle",
    "Instrument",
    "InstrumentItem",
    "InstrumentResponse",
    "Observation",
    "OutcomeMetric",
    "OutcomeResult",
]
