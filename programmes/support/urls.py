"""URLs of ongoing support (issue 6): sessions, check-ins, concerns, contacts, closure, resources, the
coordinator's dashboard and muted reminders. Included into the programmes namespace."""

from django.urls import path

from programmes.support.views import content_access, dashboard, resources, sessions, support

REL = "<int:programme_id>/relationships/<int:relationship_id>/"
SESSION = REL + "sessions/<int:session_id>/"

urlpatterns = [
    # A running relationship
    path(REL + "support/", support.relationship_support, name="relationship_support"),
    path(REL + "hold/", support.relationship_hold_view, name="relationship_hold"),
    path(REL + "resume/", support.relationship_resume_view, name="relationship_resume"),
    path(REL + "end/", support.relationship_end, name="relationship_end"),
    path(REL + "close/", support.closure_complete, name="closure_complete"),
    path(REL + "rematch/", support.closure_rematch_view, name="closure_rematch"),
    path(REL + "exit-survey/", support.exit_survey_view, name="exit_survey"),
    path(REL + "checkins/<int:checkin_id>/", support.checkin_answer_view, name="checkin_answer"),
    path(REL + "concerns/new/", support.concern_raise_view, name="concern_raise"),
    path(REL + "concerns/<int:concern_id>/", support.concern_detail, name="concern_detail"),
    path(REL + "contacts/new/", support.contact_log_view, name="contact_log"),
    # Audited access to the pair's content (issue 12)
    path(REL + "reason/", content_access.content_reason, name="content_reason"),
    path(REL + "reads/", content_access.content_reads, name="content_reads"),
    # The session log
    path(REL + "sessions/", sessions.session_list, name="session_list"),
    path(REL + "sessions/new/", sessions.session_log_view, name="session_log"),
    path(REL + "sessions/export.csv", sessions.session_export, name="session_export"),
    path(SESSION, sessions.session_detail, name="session_detail"),
    path(SESSION + "edit/", sessions.session_edit, name="session_edit"),
    path(SESSION + "confirm/", sessions.session_confirm_view, name="session_confirm"),
    path(SESSION + "cancel/", sessions.session_cancel_view, name="session_cancel"),
    path(SESSION + "invite.ics", sessions.session_ics_view, name="session_ics"),
    # The programme
    path("<int:programme_id>/dashboard/", dashboard.dashboard, name="dashboard"),
    path("<int:programme_id>/support/settings/", dashboard.support_settings, name="support_settings"),
    path("<int:programme_id>/tasks/<int:task_id>/done/", dashboard.task_done, name="task_done"),
    path("<int:programme_id>/resources/", resources.resource_list, name="resources"),
    path("<int:programme_id>/resources/new/", resources.resource_create_view, name="resource_create"),
    path("<int:programme_id>/resources/<int:resource_id>/", resources.resource_open, name="resource_open"),
    path(
        "<int:programme_id>/resources/<int:resource_id>/delete/", resources.resource_delete_view, name="resource_delete"
    ),
    # The person
    path("notifications/preferences/", support.notification_preferences, name="notification_preferences"),
]
