"""The front door's own views: a log-in that shows the privacy notice once, and a rate-limited password reset."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _

from .client_ip import client_ip
from .forms import LoginForm
from .ratelimit import rate_key, rate_limit_exceeded
from .sign_in import after_sign_in
from .sso.oidc import oidc_enabled, sso_provider_name
from .sso.saml import saml_enabled

HOUR = 60 * 60


class LoginView(auth_views.LoginView):
    """Log in; a person who has not accepted the current privacy notice reads it first, then goes on."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_success_url(self) -> str:
        url = super().get_success_url()
        signing_in = self.request.method == "POST"  # not a signed-in visitor bounced off the log-in page
        return after_sign_in(self.request.user, url) if signing_in else url

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["sso_enabled"] = oidc_enabled() or saml_enabled()
        context["sso_url"] = reverse("people:oidc_start") if oidc_enabled() else reverse("saml2_login")
        context["sso_provider"] = sso_provider_name()
        context["password_login"] = settings.PASSWORD_LOGIN
        return context


class PasswordResetView(auth_views.PasswordResetView):
    """Send a reset link, at most PASSWORD_RESET_LIMIT_PER_ADDRESS an hour from one address and
    PASSWORD_RESET_LIMIT_PER_ACCOUNT an hour for one e-mail address (whether or not it has an account, so the
    limit reveals nothing)."""

    success_url = reverse_lazy("people:password_reset_done")
    email_template_name = "emails/password-reset-body.txt"
    html_email_template_name = "emails/password-reset-body.html"
    subject_template_name = "emails/password-reset-subject.txt"

    def form_valid(self, form: Any) -> HttpResponse:
        address = client_ip(self.request) or "unknown"
        email = form.cleaned_data["email"]
        over = rate_limit_exceeded(
            rate_key("reset-ip", address), limit=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS, window_seconds=HOUR
        ) or rate_limit_exceeded(
            rate_key("reset-account", email), limit=settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT, window_seconds=HOUR
        )
        if over:
            form.add_error(
                None,
                _(
                    "Too many password reset requests. Check your inbox for the link already sent, "
                    "or try again in an hour."
                ),
            )
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)
