"""Forms of the programmes app. They clean and validate; services do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from people.models import LEVEL_MAX, LEVEL_MIN, Competency, User
from people.pickers import OrgUnitMultiPickerField, PersonPickerField
from programmes.core.selectors.programmes import parse_emails
from programmes.models import POLICY_FIELDS, BusinessGoal, NeedsSurvey, Programme, ProgrammeRole, ReadinessAssessment

LEVEL_CHOICES = [(level, str(level)) for level in range(LEVEL_MIN, LEVEL_MAX + 1)]


class ProgrammeCreateForm(forms.ModelForm[Programme]):
    """Name, purpose and format; everything else follows on the design pages."""

    class Meta:
        model = Programme
        fields = ["name", "purpose", "format"]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 3})}


class TransitionForm(forms.Form):
    """A lifecycle move: an optional reason, and the phase the person saw (so a double click moves once)."""

    reason = forms.CharField(label=_("Reason"), required=False, max_length=1000)
    expected_phase = forms.ChoiceField(choices=Programme.Phase.choices, required=False, widget=forms.HiddenInput)


class ReasonRequiredTransitionForm(TransitionForm):
    """Hold and cancel: the reason is required (it tells the team, and stays in the audit trail)."""

    reason = forms.CharField(label=_("Reason"), max_length=1000)


class PeopleSearchForm(forms.Form):
    q = forms.CharField(label=_("Find a person by name or e-mail"), required=False, max_length=100)


class TeamAddForm(forms.Form):
    """Any active person of the directory, found with the programme's person search, in a team role."""

    person = PersonPickerField(
        label=_("Person"),
        queryset=User.objects.filter(is_active=True),
        help_text=_("Type part of the name or e-mail address and choose."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=ProgrammeRole.Role.choices)

    def __init__(self, *args: Any, programme: Programme | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if programme is not None:
            person_search_for(self, "person", programme)


def person_search_for(form: forms.BaseForm, name: str, programme: Programme) -> None:
    """Point a person picker at the programme's directory search (coordinators' only)."""
    field = form.fields[name]
    assert isinstance(field, PersonPickerField)
    field.search_url = reverse("programmes:person_search", args=[programme.pk])


class PolicyForm(forms.ModelForm[Programme]):
    """The format and every policy; all required, so a saved page means the policies are decided."""

    class Meta:
        model = Programme
        fields = ["format", *POLICY_FIELDS]
        widgets = {
            "agreement_template": forms.Textarea(attrs={"rows": 6}),
            "no_fault_clause": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("group_size_min"), data.get("group_size_max")
        if low is not None and high is not None and low > high:
            self.add_error("group_size_max", _("The largest group cannot be smaller than the smallest."))
        return data


class BusinessGoalForm(forms.ModelForm[BusinessGoal]):
    """Statement, strategic priority and the owner (by e-mail address)."""

    owner = PersonPickerField(
        label=_("Owner"),
        queryset=User.objects.filter(is_active=True),
        help_text=_("The person in the business who answers for this goal: type part of the name and choose."),
    )

    class Meta:
        model = BusinessGoal
        fields = ["statement", "priority", "owner"]
        widgets = {"statement": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, programme: Programme | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if programme is not None:
            person_search_for(self, "owner", programme)
        if self.instance.pk and self.instance.owner_id and not self.is_bound:
            self.initial["owner"] = self.instance.owner.email if self.instance.owner else ""


class ReadinessItemForm(forms.Form):
    """One line of the checklist; a blank new line is ignored."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Factor"), max_length=200, required=False)
    score = forms.TypedChoiceField(
        label=_("Score"), choices=[("", "–"), *LEVEL_CHOICES], coerce=int, empty_value=None, required=False
    )
    evidence = forms.CharField(label=_("Evidence"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_content = data.get("score") is not None or (data.get("evidence") or "").strip()
        if not (data.get("name") or "").strip() and (data.get("id") or has_content):
            self.add_error("name", _("Name the factor (or tick remove)."))
        return data


ReadinessItemFormSet = forms.formset_factory(ReadinessItemForm, extra=1, can_delete=True, max_num=40)


class ReadinessDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=ReadinessAssessment.Decision.choices, required=False, widget=forms.RadioSelect
    )
    conditions = forms.CharField(
        label=_("Conditions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One condition a line; required for “go with conditions”."),
    )


class NeedsSurveyForm(forms.ModelForm[NeedsSurvey]):
    """The survey's questions (competencies) and its population rule."""

    grades_text = forms.CharField(
        label=_("Grades"),
        required=False,
        max_length=200,
        help_text=_("Comma-separated, e.g. 4, 5, 6. With units chosen, only these grades in those units."),
    )

    class Meta:
        model = NeedsSurvey
        fields = ["title", "instructions", "competencies", "org_units", "emails", "closes_on"]
        widgets = {
            "instructions": forms.Textarea(attrs={"rows": 2}),
            "competencies": forms.CheckboxSelectMultiple,
            "emails": forms.Textarea(attrs={"rows": 3}),
            "closes_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competencies"].queryset = Competency.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["org_units"] = OrgUnitMultiPickerField(
            label=_("Org units"), required=False, help_text=_("Type part of a unit's name or code and choose.")
        )
        if self.instance.pk and not self.is_bound:
            self.initial["grades_text"] = ", ".join(str(g) for g in self.instance.grades)

    def clean_grades_text(self) -> list[int]:
        raw = self.cleaned_data.get("grades_text") or ""
        parts = [p.strip() for p in raw.replace(";", ",").split(",") if p.strip()]
        if not all(p.isdigit() and 0 < int(p) < 100 for p in parts):
            raise ValidationError(_("Grades are whole numbers separated by commas, e.g. 4, 5, 6."))
        return sorted({int(p) for p in parts})

    def clean_emails(self) -> str:
        emails = parse_emails(self.cleaned_data.get("emails") or "")
        validator = forms.EmailField()
        bad = []
        for email in emails:
            try:
                validator.clean(email)
            except ValidationError:
                bad.append(email)
        if bad:
            raise ValidationError(_("Not e-mail addresses: %(bad)s."), params={"bad": ", ".join(bad)})
        known = set(User.objects.filter(email__in=emails, is_active=True).values_list("email", flat=True))
        unknown = [e for e in emails if e not in known]
        if unknown:
            raise ValidationError(
                _("No active person in the directory has these addresses: %(unknown)s."),
                params={"unknown": ", ".join(unknown)},
            )
        return "\n".join(emails)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("org_units") or data.get("grades_text") or data.get("emails")):
            raise ValidationError(_("Choose who to ask: org units, grades or a list of e-mail addresses."))
        return data

    def save(self, commit: bool = True) -> NeedsSurvey:
        self.instance.grades = self.cleaned_data.get("grades_text") or []
        return super().save(commit=commit)


class SurveyResponseForm(forms.Form):
    """Current and needed level (1–5) for each of the survey's competencies."""

    def __init__(self, *args: Any, competencies: list[Competency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.competencies = competencies
        for competency in competencies:
            for kind, label in (("current", _("Current level")), ("needed", _("Needed level"))):
                self.fields[f"{kind}_{competency.pk}"] = forms.TypedChoiceField(
                    label=label, choices=LEVEL_CHOICES, coerce=int, widget=forms.RadioSelect
                )

    def rows(self) -> list[tuple[Competency, forms.BoundField, forms.BoundField]]:
        """Each competency with its two fields, for the template."""
        return [(c, self[f"current_{c.pk}"], self[f"needed_{c.pk}"]) for c in self.competencies]

    def answers(self) -> dict[int, tuple[int, int]]:
        return {
            c.pk: (self.cleaned_data[f"current_{c.pk}"], self.cleaned_data[f"needed_{c.pk}"]) for c in self.competencies
        }


class AdoptCompetenciesForm(forms.Form):
    competencies = forms.TypedMultipleChoiceField(
        label=_("Target competencies"), coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competencies"].choices = choices  # type: ignore[attr-defined]
