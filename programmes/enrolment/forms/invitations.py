"""The coordinator's invitation form: who to invite (criteria or a pasted list) and in which role."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from people.models import Competency, OrgUnit
from programmes.models import Enrolment

MAX_PASTED = 5000


class InvitationForm(forms.Form):
    """At least one criterion; every criterion given must hold (an org unit includes the units below it)."""

    role = forms.ChoiceField(label=_("Invite them as"), choices=Enrolment.Role.choices)
    unit_code = forms.CharField(
        label=_("Org unit code"), required=False, help_text=_("The unit and every unit below it, e.g. SAL.")
    )
    grade_min = forms.IntegerField(label=_("Grade from"), required=False, min_value=1, max_value=12)
    grade_max = forms.IntegerField(label=_("Grade to"), required=False, min_value=1, max_value=12)
    competency = forms.ModelChoiceField(
        label=_("Competency gap in"), queryset=Competency.objects.order_by("name"), required=False
    )
    below_level = forms.IntegerField(label=_("Latest rating below level"), required=False, min_value=2, max_value=5)
    emails = forms.CharField(
        label=_("Or paste e-mail addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line, or separated by commas or semicolons."),
    )

    def clean_unit_code(self) -> OrgUnit | None:
        code = self.cleaned_data["unit_code"].strip()
        if not code:
            return None
        unit = OrgUnit.objects.filter(code__iexact=code).first()
        if unit is None:
            raise ValidationError(_("No org unit has the code %(code)s."), params={"code": code})
        return unit

    def clean_emails(self) -> list[str] | None:
        text = self.cleaned_data["emails"]
        items = [item.strip().lower() for item in re.split(r"[\s,;]+", text) if item.strip()]
        if not items:
            return None
        if len(items) > MAX_PASTED:
            raise ValidationError(_("Paste at most %(n)d addresses at a time."), params={"n": MAX_PASTED})
        wrong = []
        for item in items:
            try:
                validate_email(item)
            except ValidationError:
                wrong.append(item)
        if wrong:
            raise ValidationError(_("These are not e-mail addresses: %(list)s"), params={"list": ", ".join(wrong[:10])})
        return items

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        criteria = ("unit_code", "grade_min", "grade_max", "competency", "emails")
        if not any(data.get(name) not in (None, "") for name in criteria):
            raise ValidationError(_("Give at least one criterion, or paste a list of addresses."))
        if (data.get("competency") is None) != (data.get("below_level") is None):
            raise ValidationError(_("A competency gap needs both the competency and the level."))
        if data.get("grade_min") and data.get("grade_max") and data["grade_min"] > data["grade_max"]:
            raise ValidationError(_("The first grade must not be above the second."))
        return data

    def audience_filters(self) -> dict[str, Any]:
        data = self.cleaned_data
        competency = data.get("competency")
        return {
            "unit": data.get("unit_code"),
            "grade_min": data.get("grade_min"),
            "grade_max": data.get("grade_max"),
            "competency_id": competency.pk if competency else None,
            "below_level": data.get("below_level"),
            "emails": data.get("emails"),
        }
