"""Programme models, split by concern; import them from here."""

from .core import LOCKED_FROM, POLICY_FIELDS, Enrolment, Programme, ProgrammeRole
from .design import (
    FORMAT_DEFAULTS,
    AuditEvent,
    BusinessGoal,
    NeedsSurvey,
    ReadinessAssessment,
    ReadinessItem,
    SurveyAnswer,
    SurveyInvitation,
    format_defaults,
)
from .enrolment import EnrolmentCompetency, MentorPreference, Recruitment
from .notifications import Notification
from .pairing import (
    OPEN_RELATIONSHIP_STATES,
    MatchingSettings,
    MatchProposal,
    MatchRun,
    PairRule,
    Relationship,
    RelationshipMember,
    UnmatchedMentee,
)

__all__ = [
    "FORMAT_DEFAULTS",
    "LOCKED_FROM",
    "OPEN_RELATIONSHIP_STATES",
    "POLICY_FIELDS",
    "AuditEvent",
    "BusinessGoal",
    "Enrolment",
    "EnrolmentCompetency",
    "MatchProposal",
    "MatchRun",
    "MatchingSettings",
    "MentorPreference",
    "NeedsSurvey",
    "Notification",
    "PairRule",
    "Programme",
    "ProgrammeRole",
    "ReadinessAssessment",
    "ReadinessItem",
    "Recruitment",
    "Relationship",
    "RelationshipMember",
    "SurveyAnswer",
    "SurveyInvitation",
    "UnmatchedMentee",
    "format_defaults",
]
