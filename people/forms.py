"""Forms of the people directory."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import User
from .services.hris_file import MAX_FILE_BYTES, file_too_large_message
from .sso.oidc import sso_provider_name


class LoginForm(AuthenticationForm):
    """E-mail and password; the e-mail is matched without regard to case."""

    username = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.error_messages["invalid_login"] = _(
            "That e-mail address and password do not match an account. Both are case-sensitive except the e-mail."
        )

    def confirm_login_allowed(self, user: Any) -> None:
        """With PASSWORD_LOGIN off, only site administrators may use a password (the break-glass account)."""
        super().confirm_login_allowed(user)
        if not settings.PASSWORD_LOGIN and not user.is_site_admin:
            raise ValidationError(
                _("This organisation signs in through %(provider)s. Use the button below."),
                code="password_login_off",
                params={"provider": sso_provider_name()},
            )


class PreferencesForm(forms.ModelForm[User]):
    """A person's own language and time zone."""

    class Meta:
        model = User
        fields = ["preferred_language", "time_zone"]


class LanguageForm(forms.Form):
    """The language switcher in the navigation bar."""

    language = forms.ChoiceField(choices=User.Language.choices)
    next = forms.CharField(required=False)


class PeopleImportForm(forms.Form):
    """An HRIS CSV file to check, and to import unless the person only wants a preview."""

    file = forms.FileField(
        label=_("HRIS file"),
        help_text=format_lazy(
            _("CSV, UTF-8, comma-separated, header on the first row; at most {limit} MB."),
            limit=MAX_FILE_BYTES // 1024 // 1024,
        ),
        allow_empty_file=True,  # the import explains an empty file with the other problems
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    preview = forms.BooleanField(
        label=_("Preview first: check the file and show what would change, without writing anything"),
        required=False,
        initial=True,
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if (upload.size or 0) > MAX_FILE_BYTES:  # refused before it is read into memory
            raise ValidationError(file_too_large_message(upload.size or 0))
        return upload


class PeopleImportConfirmForm(forms.Form):
    """Import the file that was just previewed (kept for this session under a token)."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
