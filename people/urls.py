from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path, reverse_lazy

from . import views, views_auth, views_import_jobs, views_jobs, views_pickers, views_privacy, views_sync
from .sso import oidc

app_name = "people"

urlpatterns = [
    path("login/", login_not_required(views_auth.LoginView.as_view()), name="login"),
    path("sso/oidc/start/", oidc.StartView.as_view(), name="oidc_start"),
    path("sso/oidc/callback/", oidc.CallbackView.as_view(), name="oidc_callback"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        login_not_required(views_auth.PasswordResetView.as_view()),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        login_not_required(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        login_not_required(
            auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("people:password_reset_complete"))
        ),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        login_not_required(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    path("language/", views.set_language, name="set_language"),
    path("preferences/", views.preferences, name="preferences"),
    path("import/", views.import_people, name="import"),
    path("org-units/search/", views_pickers.org_unit_search, name="org_unit_search"),
    path("import/jobs/<int:pk>/", views_import_jobs.import_job, name="import_job"),
    path("import/jobs/<int:pk>/import/", views_import_jobs.import_job_import, name="import_job_import"),
    path("jobs/<int:pk>/", views_jobs.job_progress, name="job_progress"),
    path("hris-sync/", views_sync.hris_syncs, name="hris_syncs"),
    path("hris-sync/<int:pk>/", views_sync.hris_sync, name="hris_sync"),
    path("hris-sync/<int:pk>/decision/", views_sync.hris_sync_decision, name="hris_sync_decision"),
    path("privacy-notice/", views_privacy.privacy_notice, name="privacy_notice"),
]
