"""The reason a coordinator gives before reading a pair's content."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ContentReasonForm(forms.Form):
    """Why the reader needs to see this pair's notes, check-ins or concerns now (the members will see it)."""

    reason = forms.CharField(
        label=_("Why do you need to read this?"),
        min_length=10,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The members of the relationship see who read what and this reason."),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_reason(self) -> str:
        return " ".join(str(self.cleaned_data["reason"]).split())
