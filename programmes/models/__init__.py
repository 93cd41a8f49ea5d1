"""Programme models, split by concern; import them from here."""

from programmes.core.models.notifications import Notification
from programmes.core.models.programme import LOCKED_FROM, POLICY_FIELDS, Enrolment, Programme, ProgrammeRole
from programmes.design.models import (
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
from programmes.enrolment.models.enrolment import (
    DAYS,
    MAX_RANKED_MENTORS,
    EnrolmentCompetency,
    MentorPreference,
    Recruitment,
    slot_hours,
)
from programmes.enrolment.models.invitations import Invitation
from programmes.matching.models import (
    MatchingSettings,
    MatchProposal,
    MatchRun,
    PairRule,
    Relationship,
    RelationshipMember,
    UnmatchedMentee,
)
from programmes.preparation.models.agreements import CHANNELS, Agreement, AgreementSignature, AgreementVersion
from programmes.preparation.models.development import (
    GOAL_TRANSITIONS,
    DevelopmentGoal,
    DevelopmentPlan,
    GoalComment,
    GoalProgress,
)
from programmes.preparation.models.orientation import (
    AUDIENCE_FOR_ROLE,
    OrientationCompletion,
    OrientationModule,
    OrientationQuestion,
    OrientationText,
)
from programmes.support.models.access import ContentRead
from programmes.support.models.closure import Closure, ExitSurvey
from programmes.support.models.concerns import Concern
from programmes.support.models.sessions import MENTOR_ROLES, MentoringSession, PrivateNote
from programmes.support.models.support import (
    MUTABLE_KINDS,
    CheckIn,
    CoordinatorContact,
    CoordinatorTask,
    NotificationMute,
    RelationshipHealth,
    Resource,
    SupportSettings,
    next_contact_due,
)

__all__ = [
    "AUDIENCE_FOR_ROLE",
    "CHANNELS",
    "DAYS",
    "FORMAT_DEFAULTS",
    "GOAL_TRANSITIONS",
    "LOCKED_FROM",
    "MAX_RANKED_MENTORS",
    "MENTOR_ROLES",
    "MUTABLE_KINDS",
    "POLICY_FIELDS",
    "Agreement",
    "AgreementSignature",
    "AgreementVersion",
    "AuditEvent",
    "BusinessGoal",
    "CheckIn",
    "Closure",
    "Concern",
    "ContentRead",
    "CoordinatorContact",
    "CoordinatorTask",
    "DevelopmentGoal",
    "DevelopmentPlan",
    "Enrolment",
    "EnrolmentCompetency",
    "ExitSurvey",
    "GoalComment",
    "GoalProgress",
    "Invitation",
    "MatchProposal",
    "MatchRun",
    "MatchingSettings",
    "MentorPreference",
    "MentoringSession",
    "NeedsSurvey",
    "Notification",
    "NotificationMute",
    "OrientationCompletion",
    "OrientationModule",
    "OrientationQuestion",
    "OrientationText",
    "PairRule",
    "PrivateNote",
    "Programme",
    "ProgrammeRole",
    "ReadinessAssessment",
    "ReadinessItem",
    "Recruitment",
    "Relationship",
    "RelationshipHealth",
    "RelationshipMember",
    "Resource",
    "SupportSettings",
    "SurveyAnswer",
    "SurveyInvitation",
    "UnmatchedMentee",
    "format_defaults",
    "next_contact_due",
    "slot_hours",
]
