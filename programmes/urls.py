from django.urls import include, path

from . import views

app_name = "programmes"

urlpatterns = [
    path("", views.programme_list, name="list"),
    path("new/", views.programme_create_view, name="create"),
    path("<int:programme_id>/", views.programme_detail, name="detail"),
    path("<int:programme_id>/advance/", views.programme_advance_view, name="advance"),
    path("<int:programme_id>/hold/", views.programme_hold_view, name="hold"),
    path("<int:programme_id>/resume/", views.programme_resume_view, name="resume"),
    path("<int:programme_id>/cancel/", views.programme_cancel_view, name="cancel"),
    path("<int:programme_id>/team/", views.team, name="team"),
    path("<int:programme_id>/team/add/", views.team_add, name="team_add"),
    path("<int:programme_id>/team/<int:member_id>/remove/", views.team_remove, name="team_remove"),
    path("<int:programme_id>/policies/", views.policies, name="policies"),
    path("<int:programme_id>/goals/", views.goals, name="goals"),
    path("<int:programme_id>/goals/<int:goal_id>/", views.goal_edit, name="goal_edit"),
    path("<int:programme_id>/goals/<int:goal_id>/delete/", views.goal_delete, name="goal_delete"),
    path("<int:programme_id>/readiness/", views.readiness, name="readiness"),
    path("<int:programme_id>/surveys/", views.survey_list, name="surveys"),
    path("<int:programme_id>/surveys/<int:survey_id>/", views.survey_detail, name="survey_detail"),
    path("<int:programme_id>/surveys/<int:survey_id>/invite/", views.survey_invite, name="survey_invite"),
    path("<int:programme_id>/surveys/<int:survey_id>/close/", views.survey_close, name="survey_close"),
    path("<int:programme_id>/surveys/<int:survey_id>/results/", views.survey_results, name="survey_results"),
    path("<int:programme_id>/surveys/<int:survey_id>/adopt/", views.survey_adopt, name="survey_adopt"),
    path("surveys/respond/<int:invitation_id>/", views.survey_respond, name="survey_respond"),
    path("manager/", views.manager_home, name="manager_home"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    # Recruitment, applications, matching and relationships (issue 4) live in their own module.
    path("", include("programmes.urls_matching")),
    # Orientation, agreements and development plans (issue 5).
    path("", include("programmes.urls_orientation")),
    path("", include("programmes.urls_support")),  # ongoing support (issue 6)
]
