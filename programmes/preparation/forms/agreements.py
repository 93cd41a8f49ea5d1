"""Agreement forms: the terms (edited by the members), the signature, and the first meeting."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programmes.models import CHANNELS, AgreementVersion, DevelopmentGoal
from programmes.preparation.services.agreements import AgreementTerms


class GoalChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: DevelopmentGoal) -> str:
        return f"{obj.competency.name}: {obj.statement}"


class AgreementForm(forms.Form):
    """The terms of one version; `number` and `revision` tell the service which version the member edited."""

    number = forms.IntegerField(widget=forms.HiddenInput)
    revision = forms.IntegerField(widget=forms.HiddenInput)
    meeting_cadence_days = forms.IntegerField(label=_("We meet every … days"), min_value=1, max_value=90)
    meeting_minutes = forms.IntegerField(label=_("Each meeting lasts … minutes"), min_value=15, max_value=480)
    channels = forms.MultipleChoiceField(label=_("How we meet"), choices=CHANNELS, widget=forms.CheckboxSelectMultiple)
    mentee_expects = forms.CharField(
        label=_("What the mentee expects of the mentor"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Preparation, availability between meetings, feedback, introductions…"),
    )
    mentor_expects = forms.CharField(
        label=_("What the mentor expects of the mentee"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Setting the agenda, following up, honesty about what works…"),
    )
    goals = forms.CharField(
        label=_("Our goals"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    linked_goals = GoalChoiceField(
        label=_("Development goals this agreement serves"),
        queryset=DevelopmentGoal.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    confidentiality = forms.CharField(
        label=_("Confidentiality"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    terms = forms.CharField(
        label=_("Other terms"), max_length=8000, required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    no_fault_clause = forms.CharField(
        label=_("No-fault clause"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    change_note = forms.CharField(
        label=_("What changed (for the other members)"),
        max_length=300,
        required=False,
        help_text=_("After a signature, a change makes a new version that everyone signs again."),
    )

    def __init__(self, *args: Any, goals: list[DevelopmentGoal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["linked_goals"]
        assert isinstance(field, GoalChoiceField)
        field.queryset = DevelopmentGoal.objects.filter(pk__in=[g.pk for g in goals]).select_related("competency")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends <= starts:
            self.add_error("ends_on", _("The end date comes after the start date."))
        return data

    def agreement_terms(self) -> AgreementTerms:
        data = self.cleaned_data
        return AgreementTerms(
            meeting_cadence_days=data["meeting_cadence_days"],
            meeting_minutes=data["meeting_minutes"],
            channels=list(data["channels"]),
            confidentiality=data["confidentiality"],
            mentee_expects=data["mentee_expects"],
            mentor_expects=data["mentor_expects"],
            goals=data["goals"],
            linked_goals=list(data["linked_goals"]),
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            terms=data["terms"],
            no_fault_clause=data["no_fault_clause"],
            change_note=data["change_note"],
        )

    def based_on(self) -> tuple[int, int]:
        return self.cleaned_data["number"], self.cleaned_data["revision"]


def agreement_initial(version: AgreementVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "revision": version.revision,
        "meeting_cadence_days": version.meeting_cadence_days,
        "meeting_minutes": version.meeting_minutes,
        "channels": list(version.channels),
        "mentee_expects": version.mentee_expects,
        "mentor_expects": version.mentor_expects,
        "goals": version.goals,
        "linked_goals": [g.pk for g in version.linked_goals.all()],
        "confidentiality": version.confidentiality,
        "starts_on": version.starts_on,
        "ends_on": version.ends_on,
        "terms": version.terms,
        "no_fault_clause": version.no_fault_clause,
    }


class SignForm(forms.Form):
    """Signing: the member types their full name; `number` is the version they read."""

    number = forms.IntegerField(widget=forms.HiddenInput)
    typed_name = forms.CharField(
        label=_("Type your full name to sign"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )


class FirstMeetingForm(forms.Form):
    """When the first meeting took place (the member's own time zone)."""

    met_at = forms.DateTimeField(
        label=_("Our first meeting took place on"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )

    def clean_met_at(self) -> datetime:
        value: datetime = self.cleaned_data["met_at"]
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value
