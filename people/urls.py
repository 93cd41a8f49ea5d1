from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path, reverse_lazy

from . import views
from .forms import LoginForm

app_name = "people"

urlpatterns = [
    path(
        "login/",
        login_not_required(
            auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True)
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        login_not_required(
            auth_views.PasswordResetView.as_view(
                success_url=reverse_lazy("people:password_reset_done"),
                email_template_name="emails/password-reset-body.txt",
                html_email_template_name="emails/password-reset-body.html",
                subject_template_name="emails/password-reset-subject.txt",
            )
        ),
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
]
