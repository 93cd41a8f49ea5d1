"""Programme views, split by concern."""

from .design import (
    goal_delete,
    goal_edit,
    goals,
    policies,
    programme_create_view,
    readiness,
    team,
    team_add,
    team_remove,
)
from .home import home, manager_home
from .lifecycle import programme_advance_view, programme_cancel_view, programme_hold_view, programme_resume_view
from .notifications import notification_list, notification_read
from .programmes import programme_detail, programme_list
from .survey import (
    survey_adopt,
    survey_close,
    survey_detail,
    survey_invite,
    survey_list,
    survey_respond,
    survey_results,
)

__all__ = [
    "goal_delete",
    "goal_edit",
    "goals",
    "home",
    "manager_home",
    "notification_list",
    "notification_read",
    "policies",
    "programme_advance_view",
    "programme_cancel_view",
    "programme_create_view",
    "programme_detail",
    "programme_hold_view",
    "programme_list",
    "programme_resume_view",
    "readiness",
    "survey_adopt",
    "survey_close",
    "survey_detail",
    "survey_invite",
    "survey_list",
    "survey_respond",
    "survey_results",
    "team",
    "team_add",
    "team_remove",
]
