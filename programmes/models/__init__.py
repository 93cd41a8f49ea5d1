"""Programme models, split by concern; import them from here."""

from .core import LOCKED_FROM, POLICY_FIELDS, Enrolment, Programme, ProgrammeRole
from .design import (
    AuditEvent,
    BusinessGoal,
    NeedsSurvey,
    ReadinessAssessment,
    ReadinessItem,
    SurveyAnswer,
    SurveyInvitation,
)
from .notifications import Notification

__all__ = [
    "LOCKED_FROM",
    "POLICY_FIELDS",
    "AuditEvent",
    "BusinessGoal",
    "Enrolment",
    "NeedsSurvey",
    "Notification",
    "Programme",
    "ProgrammeRole",
    "ReadinessAssessment",
    "ReadinessItem",
    "SurveyAnswer",
    "SurveyInvitation",
]
