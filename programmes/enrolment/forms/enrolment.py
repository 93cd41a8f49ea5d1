"""Forms of recruitment and applications. They clean and validate; programmes.enrolment.services.enrolment writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from people.models import LEVEL_MAX, LEVEL_MIN, Competency, validate_time_zone
from people.services.languages import ISO_639_1
from programmes.enrolment.models.enrolment import (
    ATTRIBUTE_PREFERENCES,
    AVAILABILITY_SLOTS,
    BLOCKS,
    DAYS,
    MAX_RANKED_MENTORS,
)
from programmes.enrolment.services.enrolment import ApplicationProfile, CompetencyEntry
from programmes.models import Enrolment, Recruitment

LEVEL_CHOICES = [(level, str(level)) for level in range(LEVEL_MIN, LEVEL_MAX + 1)]
COMPETENCY_ROWS = 5


def _slot_choices() -> list[tuple[str, str]]:
    labels = {
        f"{day}_{code}": f"{day_label} · {block_label}" for day, day_label in DAYS for code, block_label, *_ in BLOCKS
    }
    return [(slot, str(labels[slot])) for slot in AVAILABILITY_SLOTS]


class RecruitmentForm(forms.ModelForm[Recruitment]):
    """The recruitment page: what the programme asks of people and who may apply."""

    class Meta:
        model = Recruitment
        fields = ["is_open", "commitment", "eligibility", "closes_on", "manager_approval_required"]
        widgets = {
            "commitment": forms.Textarea(attrs={"rows": 3}),
            "eligibility": forms.Textarea(attrs={"rows": 3}),
            "closes_on": forms.DateInput(attrs={"type": "date"}),
        }


class ApplicationForm(forms.Form):
    """An application's profile; competencies come in the formset beside it.

    Mentors and facilitators give a capacity; mentees and peers may tick attribute preferences.
    """

    goals = forms.CharField(
        label=_("Your goals"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you want to achieve (mentees) or what you want to pass on (mentors)."),
    )
    availability = forms.MultipleChoiceField(
        label=_("When you are usually free, in your own time zone"),
        choices=_slot_choices,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.CharField(
        label=_("Languages you can mentor in"),
        max_length=100,
        help_text=_("Two-letter codes separated by commas, e.g. id, en."),
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    time_zone = forms.CharField(label=_("Time zone"), max_length=64, validators=[validate_time_zone])
    capacity = forms.IntegerField(
        label=_("How many mentees you can take on"), min_value=1, max_value=20, required=False
    )
    attribute_preferences = forms.MultipleChoiceField(
        label=_("I would prefer (optional)"),
        choices=ATTRIBUTE_PREFERENCES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, role: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.role = role
        if role in (Enrolment.Role.MENTOR, Enrolment.Role.FACILITATOR):
            del self.fields["attribute_preferences"]
            self.fields["capacity"].required = True
        else:
            del self.fields["capacity"]

    def clean_languages(self) -> list[str]:
        codes = [c.strip().lower() for c in self.cleaned_data["languages"].replace(";", ",").split(",") if c.strip()]
        unknown = [c for c in codes if c not in ISO_639_1]
        if unknown:
            raise ValidationError(_("Unknown language codes: %(codes)s.") % {"codes": ", ".join(unknown)})
        if not codes:
            raise ValidationError(_("Give at least one language."))
        return list(dict.fromkeys(codes))


def availability_grid(form: ApplicationForm) -> dict[str, Any]:
    """The weekly grid (days × blocks) with the boxes the form's value ticks, for the template."""
    value = form["availability"].value() or []
    labels = dict(_slot_choices())
    grid = [
        (day_label, [(f"{day}_{code}", labels[f"{day}_{code}"], f"{day}_{code}" in value) for code, *_rest in BLOCKS])
        for day, day_label in DAYS
    ]
    return {"availability_grid": grid, "block_labels": [label for _code, label, *_rest in BLOCKS]}


class CompetencyRowForm(forms.Form):
    """One competency row; a mentee gives current and target level, a mentor the level they offer."""

    competency = forms.ModelChoiceField(
        label=_("Competency"),
        queryset=Competency.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    current_level = forms.TypedChoiceField(
        label=_("Now"),
        choices=[("", "–"), *LEVEL_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    level = forms.TypedChoiceField(
        label=_("Level"),
        choices=[("", "–"), *LEVEL_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def __init__(self, *args: Any, competencies: QuerySet[Competency], gives: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competency"].queryset = competencies  # type: ignore[attr-defined]
        self.gives = gives
        if gives:
            del self.fields["current_level"]
            self.fields["level"].label = _("Your level")
        else:
            self.fields["level"].label = _("Target")
        # The row sits in a table under column headings, with no <label> of its own: name each select for
        # screen readers, with its row number (WCAG 1.3.1, 4.1.2).
        row = (self.prefix or "").rsplit("-", 1)[-1]
        number = int(row) + 1 if row.isdigit() else 1
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = _("%(field)s, row %(row)s") % {"field": field.label, "row": number}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        competency, level = data.get("competency"), data.get("level")
        if competency is None:
            return data
        if level is None:
            self.add_error("level", _("Give a level."))
        if not self.gives:
            current = data.get("current_level")
            if current is None:
                self.add_error("current_level", _("Give your current level."))
            elif level is not None and current >= level:
                self.add_error("level", _("The target must be above your current level."))
        return data


class BaseCompetencyFormSet(forms.BaseFormSet[CompetencyRowForm]):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        chosen = [f.cleaned_data["competency"] for f in self.forms if f.cleaned_data.get("competency")]
        if not chosen:
            raise ValidationError(_("Add at least one competency."))
        if len({c.pk for c in chosen}) != len(chosen):
            raise ValidationError(_("Each competency appears once."))

    def entries(self) -> list[CompetencyEntry]:
        return [
            CompetencyEntry(
                competency=f.cleaned_data["competency"],
                level=f.cleaned_data["level"],
                current_level=f.cleaned_data.get("current_level"),
            )
            for f in self.forms
            if f.cleaned_data.get("competency")
        ]


CompetencyFormSet = forms.formset_factory(
    CompetencyRowForm, formset=BaseCompetencyFormSet, extra=COMPETENCY_ROWS, max_num=10, validate_max=True
)


def competency_formset(
    data: Any, *, enrolment: Enrolment | None, gives: bool, competencies: QuerySet[Competency]
) -> BaseCompetencyFormSet:
    """The competency rows, filled from an existing application when editing."""
    initial = []
    if enrolment is not None and data is None:
        initial = [
            {"competency": row.competency_id, "current_level": row.current_level, "level": row.level}
            for row in enrolment.competencies.all()
        ]
    formset = CompetencyFormSet(
        data, initial=initial, prefix="comp", form_kwargs={"competencies": competencies, "gives": gives}
    )
    return formset  # type: ignore[return-value]


def application_initial(enrolment: Enrolment | None, person: Any) -> dict[str, Any]:
    """Start from the application, else from the directory (languages, location, time zone)."""
    if enrolment is not None:
        return {
            "goals": enrolment.goals,
            "availability": enrolment.availability,
            "languages": ", ".join(enrolment.effective_languages()),
            "location": enrolment.location,
            "time_zone": enrolment.effective_time_zone(),
            "capacity": enrolment.capacity,
            "attribute_preferences": enrolment.attribute_preferences,
        }
    return {
        "languages": ", ".join(person.languages or []),
        "location": person.location,
        "time_zone": person.time_zone,
    }


def application_profile(form: ApplicationForm, formset: BaseCompetencyFormSet) -> ApplicationProfile:
    """The service's input, from a valid form and formset."""
    data = form.cleaned_data
    return ApplicationProfile(
        goals=data["goals"],
        availability=list(data["availability"]),
        languages=data["languages"],
        location=data.get("location", ""),
        time_zone=data["time_zone"],
        capacity=data.get("capacity"),
        attribute_preferences=list(data.get("attribute_preferences") or []),
        competencies=formset.entries(),
    )


class ScreeningForm(forms.Form):
    """The coordinator's decision on an application."""

    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])
    reason = forms.CharField(label=_("Reason"), max_length=1000, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "decline" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the application is declined; the applicant will read it."))
        return data


class ApprovalForm(forms.Form):
    """The manager's decision on an application."""

    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    reason = forms.CharField(label=_("Reason"), max_length=1000, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "refuse" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why, so that your colleague understands."))
        return data


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=1000, required=False)


class PreferenceForm(forms.Form):
    """A mentee's ranking: up to five mentors, first choice first."""

    def __init__(self, *args: Any, mentors: list[Enrolment], initial_ranks: dict[int, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "–"), *((m.pk, str(m.person)) for m in mentors)]
        for rank in range(1, MAX_RANKED_MENTORS + 1):
            chosen = next((pk for pk, r in initial_ranks.items() if r == rank), None)
            self.fields[f"rank_{rank}"] = forms.TypedChoiceField(
                label=_("Choice %(n)d") % {"n": rank},
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                initial=chosen,
            )
        self.mentors = {m.pk: m for m in mentors}

    def ranked(self) -> list[Enrolment]:
        picked = [self.cleaned_data.get(f"rank_{r}") for r in range(1, MAX_RANKED_MENTORS + 1)]
        return [self.mentors[pk] for pk in picked if pk is not None]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        picked = [data.get(f"rank_{r}") for r in range(1, MAX_RANKED_MENTORS + 1)]
        chosen = [pk for pk in picked if pk is not None]
        if len(set(chosen)) != len(chosen):
            raise ValidationError(_("Each mentor appears once in your ranking."))
        return data
