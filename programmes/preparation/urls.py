"""URLs of orientation, mentoring agreements and development plans (included into the programmes namespace)."""

from django.urls import path

from .views import agreements, development, orientation

AGREEMENT = "<int:programme_id>/relationships/<int:relationship_id>/agreement/"
PLAN = "<int:programme_id>/plans/<int:enrolment_id>/"
GOAL = PLAN + "goals/<int:goal_id>/"

urlpatterns = [
    # Orientation
    path("<int:programme_id>/orientation/", orientation.orientation_home, name="orientation"),
    path("<int:programme_id>/orientation/<int:module_id>/", orientation.orientation_module, name="orientation_module"),
    path("<int:programme_id>/orientation/manage/", orientation.orientation_manage, name="orientation_manage"),
    path(
        "<int:programme_id>/orientation/manage/new/",
        orientation.orientation_module_create,
        name="orientation_module_create",
    ),
    path(
        "<int:programme_id>/orientation/manage/<int:module_id>/edit/",
        orientation.orientation_module_edit,
        name="orientation_module_edit",
    ),
    path(
        "<int:programme_id>/orientation/manage/<int:module_id>/delete/",
        orientation.orientation_module_delete_view,
        name="orientation_module_delete",
    ),
    path(
        "<int:programme_id>/orientation/manage/defaults/",
        orientation.orientation_defaults_view,
        name="orientation_defaults",
    ),
    # The mentoring agreement
    path(AGREEMENT, agreements.agreement_detail, name="agreement"),
    path(AGREEMENT + "edit/", agreements.agreement_edit, name="agreement_edit"),
    path(AGREEMENT + "sign/", agreements.agreement_sign_view, name="agreement_sign"),
    path(AGREEMENT + "first-meeting/", agreements.agreement_first_meeting_view, name="agreement_first_meeting"),
    path(AGREEMENT + "versions/<int:number>/", agreements.agreement_version, name="agreement_version"),
    path(AGREEMENT + "versions/<int:number>/print/", agreements.agreement_print, name="agreement_print"),
    # Development plans
    path(PLAN, development.plan_detail, name="plan"),
    path(PLAN + "goals/new/", development.goal_create, name="goal_create"),
    path(GOAL + "edit/", development.goal_edit, name="goal_edit"),
    path(GOAL + "status/", development.goal_status, name="goal_status"),
    path(GOAL + "progress/", development.goal_progress, name="goal_progress"),
    path(GOAL + "comment/", development.goal_comment, name="goal_comment"),
    path(GOAL + "share/", development.goal_share, name="goal_share"),
    path(PLAN + "manager/", development.plan_manager, name="plan_manager"),
    path(PLAN + "manager/acknowledge/", development.plan_acknowledge, name="plan_acknowledge"),
    # The coordinator's overview
    path("<int:programme_id>/preparation/", development.preparation, name="preparation"),
]
