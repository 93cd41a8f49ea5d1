"""Forms of ongoing support: sessions, check-ins, contacts, concerns, closure, resources, settings, mutes.

They clean and validate; the services in programmes.support.services.{sessions,support,closure} write.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.pickers import PersonPickerField
from programmes.core.errors import DomainError
from programmes.matching.selectors.matching import mentor_enrolments_pickable
from programmes.models import (
    MUTABLE_KINDS,
    CheckIn,
    Concern,
    CoordinatorContact,
    Enrolment,
    Relationship,
    Resource,
    SupportSettings,
)
from programmes.support.models.support import RESOURCE_TYPES
from programmes.support.services.resources import ResourceInput
from programmes.support.services.support import CheckInAnswer, ContactInput

SCALE = [(i, str(i)) for i in range(1, 6)]
# Radio buttons and checkboxes drawn as large toggle chips (Bootstrap's .btn-check): quick to hit on a phone.
CHIP = {"class": "btn-check"}
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    """The phone's own date and time picker (<input type="datetime-local">), in the person's time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format=DATETIME_LOCAL)


class CheckInForm(forms.Form):
    """The pulse: five quick answers."""

    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you with the relationship? (1 low – 5 high)"),
        choices=SCALE,
        coerce=int,
        widget=forms.RadioSelect(attrs=CHIP),
    )
    progress = forms.TypedChoiceField(
        label=_("How much progress are you making on your goals? (1 none – 5 a lot)"),
        choices=SCALE,
        coerce=int,
        widget=forms.RadioSelect(attrs=CHIP),
    )
    working = forms.ChoiceField(
        label=_("Is this relationship working?"), choices=CheckIn.Working.choices, widget=forms.RadioSelect(attrs=CHIP)
    )
    concern = forms.CharField(
        label=_("Anything worrying you? (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    contact_me = forms.BooleanField(label=_("Please ask the coordinator to contact me"), required=False)

    def to_answer(self) -> CheckInAnswer:
        data = self.cleaned_data
        return CheckInAnswer(
            satisfaction=data["satisfaction"],
            progress=data["progress"],
            working=data["working"],
            concern=data["concern"],
            contact_me=data["contact_me"],
        )


class ContactForm(forms.Form):
    """A coordinator's contact with a pair."""

    contacted_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    channel = forms.ChoiceField(label=_("Channel"), choices=CoordinatorContact.Channel.choices)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=0, max_value=600, initial=15)
    nature = forms.ChoiceField(label=_("Nature"), choices=CoordinatorContact.Nature.choices)
    health = forms.ChoiceField(
        label=_("Health"),
        choices=[("green", _("Green: going well")), ("amber", _("Amber: needs watching")), ("red", _("Red: at risk"))],
        widget=forms.RadioSelect,
    )
    notes = forms.CharField(
        label=_("Notes (coordinators only)"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("contacted_on", timezone.localdate())

    def to_input(self) -> ContactInput:
        data = self.cleaned_data
        return ContactInput(
            contacted_on=data["contacted_on"],
            channel=data["channel"],
            minutes=data["minutes"],
            nature=data["nature"],
            health=data["health"],
            notes=data["notes"],
        )


class ConcernForm(forms.Form):
    """A member raises a concern."""

    category = forms.ChoiceField(label=_("What is it about?"), choices=Concern.Category.choices)
    severity = forms.ChoiceField(
        label=_("How serious is it?"),
        choices=Concern.Severity.choices,
        initial=Concern.Severity.MEDIUM,
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label=_("What is happening? (optional)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    confidential = forms.BooleanField(
        label=_("Keep it between me and the coordinators"),
        required=False,
        initial=True,
        help_text=_("Untick to let the others in this relationship read it too."),
    )


class ConcernActionForm(forms.Form):
    """The coordinator's move on a concern: a note, start mediating, resolve or escalate."""

    ACTIONS = [
        ("note", _("Add a note")),
        ("mediate", _("Start mediation")),
        ("resolve", _("Resolve")),
        ("escalate", _("Escalate")),
    ]
    action = forms.ChoiceField(choices=ACTIONS, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Mediation note"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    outcome = forms.CharField(
        label=_("Outcome (for resolve or escalate)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class HoldForm(forms.Form):
    reason = forms.CharField(label=_("Why (optional)"), max_length=500, required=False)


class EndForm(forms.Form):
    """No-fault: nobody has to give a reason to end a relationship."""

    anticipated = forms.BooleanField(
        label=_("We planned to end now (our goals are reached, or the term is over)"), required=False
    )
    reason = forms.CharField(
        label=_("Reason (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("You need not give one. Ending a relationship is no-fault."),
    )


class CloseForm(forms.Form):
    """The coordinator completes a closure."""

    final_meeting_at = forms.DateTimeField(label=_("Final meeting"), required=False, widget=DateTimeLocalInput())
    rematch_eligible = forms.BooleanField(label=_("The mentee may be rematched"), required=False, initial=True)


class RematchForm(forms.Form):
    """Another mentor of the programme with a free place, found by name (never a list of every mentor)."""

    mentor = PersonPickerField(
        label=_("New mentor"),
        queryset=Enrolment.objects.none(),
        person_path="person",
        help_text=_("Type part of the mentor's name or e-mail address and choose."),
    )

    def __init__(self, *args: Any, relationship: Relationship, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["mentor"]
        assert isinstance(field, PersonPickerField)
        field.queryset = mentor_enrolments_pickable(
            programme=relationship.programme, relationship_id=relationship.pk
        ).order_by("person__full_name")
        search = reverse("programmes:mentor_search", args=[relationship.programme_id])
        field.search_url = f"{search}?relationship={relationship.pk}"


class ExitSurveyForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("Overall, how satisfied are you? (1 low – 5 high)"), choices=SCALE, coerce=int, widget=forms.RadioSelect
    )
    goals_met = forms.TypedChoiceField(
        label=_("How far were your goals met? (1 not at all – 5 fully)"),
        choices=SCALE,
        coerce=int,
        widget=forms.RadioSelect,
    )
    would_take_part_again = forms.NullBooleanField(
        label=_("Would you take part in a mentoring programme again?"), required=False, widget=forms.NullBooleanSelect
    )
    wants_rematch = forms.NullBooleanField(
        label=_("Would you like a new match?"), required=False, widget=forms.NullBooleanSelect
    )
    comments = forms.CharField(
        label=_("Comments (optional)"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ResourceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Resource.Kind.choices, widget=forms.RadioSelect, initial="link")
    url = forms.URLField(label=_("Link"), max_length=500, required=False, assume_scheme="https")
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("Up to 10 MB: %(types)s.") % {"types": ", ".join(sorted(RESOURCE_TYPES))},
    )
    audience = forms.ChoiceField(label=_("For"), choices=Resource.Audience.choices)
    tags = forms.CharField(label=_("Tags"), max_length=300, required=False, help_text=_("Separated by commas."))
    description = forms.CharField(
        label=_("Description"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Resource.Kind.LINK and not data.get("url"):
            self.add_error("url", _("A link needs its address."))
        if data.get("kind") == Resource.Kind.FILE and not data.get("file"):
            self.add_error("file", _("Choose a file to upload."))
        tags = [t.strip() for t in (data.get("tags") or "").split(",") if t.strip()]
        if any(len(t) > 40 for t in tags):
            self.add_error("tags", _("Tags are short words, separated by commas."))
        data["tag_list"] = tuple(tags)
        return data

    def to_input(self) -> ResourceInput:
        data = self.cleaned_data
        return ResourceInput(
            title=data["title"],
            kind=data["kind"],
            audience=data["audience"],
            description=data["description"],
            url=data.get("url") or "",
            tags=data["tag_list"],
            upload=data.get("file"),
        )


class SupportSettingsForm(forms.ModelForm[SupportSettings]):
    class Meta:
        model = SupportSettings
        fields = ["checkin_first_days", "checkin_interval_days"]


class MuteForm(forms.Form):
    muted = forms.MultipleChoiceField(
        label=_("Switch off these reminders"),
        choices=MUTABLE_KINDS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def add_service_error(form: forms.Form, exc: DomainError | ValidationError) -> None:
    """Show a service's refusal on the form: a model field's error beside that field, anything else on top."""
    if isinstance(exc, DomainError):
        form.add_error(None, str(exc.message))
        return
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, errors in exc.message_dict.items():
        form.add_error(name if name in form.fields else None, errors)


def service_error_text(exc: DomainError | ValidationError) -> str:
    """A refusal as one line, for the message of a button that has no form."""
    return str(exc.message) if isinstance(exc, DomainError) else " ".join(exc.messages)
