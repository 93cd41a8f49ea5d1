"""Forms of the people directory."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import User


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


class PreferencesForm(forms.ModelForm[User]):
    """A person's own language and time zone."""

    class Meta:
        model = User
        fields = ["preferred_language", "time_zone"]


class LanguageForm(forms.Form):
    """The language switcher in the navigation bar."""

    language = forms.ChoiceField(choices=User.Language.choices)
    next = forms.CharField(required=False)
