"""The site admin's erasure form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from people.models import User


class EraseForm(forms.Form):
    """Whom to erase (by e-mail address) and an explicit confirmation: erasure cannot be undone."""

    email = forms.EmailField(label=_("E-mail address of the person to erase"))
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone: their name, address and writing are removed for good.")
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor

    def clean_email(self) -> User:
        person = User.objects.filter(email__iexact=self.cleaned_data["email"].strip()).first()
        if person is None:
            raise forms.ValidationError(_("Nobody in the directory has this address."))
        if person.pk == self.actor.pk:
            raise forms.ValidationError(_("You cannot erase yourself; ask another site admin."))
        return person
