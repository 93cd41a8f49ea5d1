from django.urls import include, path

from programmes.core.views.notifications import notification_list, notification_read
from programmes.design.views.design import (
    goal_delete,
    goal_edit,
    goals,
    person_search,
    policies,
    programme_create_view,
    readiness,
    team,
    team_add,
    team_remove,
)
from programmes.design.views.lifecycle import (
    programme_advance_view,
    programme_cancel_view,
    programme_hold_view,
    programme_resume_view,
)
from programmes.design.views.programmes import programme_detail, programme_list
from programmes.design.views.survey import (
    survey_adopt,
    survey_close,
    survey_detail,
    survey_invite,
    survey_list,
    survey_respond,
    survey_results,
)
from programmes.home.views.home import manager_home

app_name = "programmes"

urlpatterns = [
    path("", programme_list, name="list"),
    path("new/", programme_create_view, name="create"),
    path("<int:programme_id>/", programme_detail, name="detail"),
    path("<int:programme_id>/advance/", programme_advance_view, name="advance"),
    path("<int:programme_id>/hold/", programme_hold_view, name="hold"),
    path("<int:programme_id>/resume/", programme_resume_view, name="resume"),
    path("<int:programme_id>/cancel/", programme_cancel_view, name="cancel"),
    path("<int:programme_id>/team/", team, name="team"),
    path("<int:programme_id>/team/add/", team_add, name="team_add"),
    path("<int:programme_id>/people/search/", person_search, name="person_search"),
    path("<int:programme_id>/team/<int:member_id>/remove/", team_remove, name="team_remove"),
    path("<int:programme_id>/policies/", policies, name="policies"),
    path("<int:programme_id>/goals/", goals, name="goals"),
    path("<int:programme_id>/goals/<int:goal_id>/", goal_edit, name="goal_edit"),
    path("<int:programme_id>/goals/<int:goal_id>/delete/", goal_delete, name="goal_delete"),
    path("<int:programme_id>/readiness/", readiness, name="readiness"),
    path("<int:programme_id>/surveys/", survey_list, name="surveys"),
    path("<int:programme_id>/surveys/<int:survey_id>/", survey_detail, name="survey_detail"),
    path("<int:programme_id>/surveys/<int:survey_id>/invite/", survey_invite, name="survey_invite"),
    path("<int:programme_id>/surveys/<int:survey_id>/close/", survey_close, name="survey_close"),
    path("<int:programme_id>/surveys/<int:survey_id>/results/", survey_results, name="survey_results"),
    path("<int:programme_id>/surveys/<int:survey_id>/adopt/", survey_adopt, name="survey_adopt"),
    path("surveys/respond/<int:invitation_id>/", survey_respond, name="survey_respond"),
    path("manager/", manager_home, name="manager_home"),
    path("notifications/", notification_list, name="notifications"),
    path("notifications/<int:pk>/read/", notification_read, name="notification_read"),
    # Recruitment and applications, then matching and relationships (issue 4).
    path("", include("programmes.enrolment.urls")),
    path("", include("programmes.matching.urls")),
    # Orientation, agreements and development plans (issue 5).
    path("", include("programmes.preparation.urls")),
    path("", include("programmes.support.urls")),  # ongoing support (issue 6)
]
