"""URLs of recruitment, applications and invitations (included into the programmes namespace)."""

from django.urls import path

from programmes.enrolment.views import enrolment, invitations

urlpatterns = [
    # Recruitment and applications
    path("<int:programme_id>/join/", enrolment.recruitment, name="recruitment"),
    path("<int:programme_id>/join/<str:role>/", enrolment.enrolment_apply_view, name="enrolment_apply"),
    path("<int:programme_id>/recruitment/", enrolment.recruitment_edit, name="recruitment_edit"),
    path("<int:programme_id>/invitations/", invitations.invitations, name="invitations"),
    path("<int:programme_id>/invited/<str:token>/", invitations.invitation_link, name="invitation_open"),
    path("<int:programme_id>/applications/", enrolment.enrolment_list, name="enrolment_list"),
    path("<int:programme_id>/applications/<int:enrolment_id>/", enrolment.enrolment_detail, name="enrolment_detail"),
    path("<int:programme_id>/applications/<int:enrolment_id>/edit/", enrolment.enrolment_edit, name="enrolment_edit"),
    path(
        "<int:programme_id>/applications/<int:enrolment_id>/preferences/",
        enrolment.enrolment_preferences,
        name="enrolment_preferences",
    ),
    path(
        "<int:programme_id>/applications/<int:enrolment_id>/withdraw/",
        enrolment.enrolment_withdraw_view,
        name="enrolment_withdraw",
    ),
    path(
        "<int:programme_id>/applications/<int:enrolment_id>/screen/",
        enrolment.enrolment_screen_view,
        name="enrolment_screen",
    ),
    path(
        "<int:programme_id>/applications/<int:enrolment_id>/approval/",
        enrolment.enrolment_approval,
        name="enrolment_approval",
    ),
]
