"""Forms of the evaluation plan, cycle values, costs, the questionnaires and the report's filters."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.models import LEVEL_MAX, LEVEL_MIN
from people.pickers import OrgUnitPickerField
from programmes.models import Programme

from .forms import BaselineImportForm
from .models import CostItem, EvaluationCycle, Instrument, InstrumentItem, InstrumentResponse
from .reports import ROLES, ReportFilters

DATE = forms.DateInput(attrs={"type": "date"})


class PlanForm(forms.Form):
    """When the programme starts: the default plan is dated from it."""

    starts_on = forms.DateField(label=_("Programme starts on"), widget=DATE, initial=timezone.localdate)


class CycleForm(forms.ModelForm[EvaluationCycle]):
    """One cycle of the plan: kind (on creation only), window and instruments."""

    class Meta:
        model = EvaluationCycle
        fields = ["kind", "opens_on", "closes_on", "instruments"]
        widgets = {"opens_on": DATE, "closes_on": DATE, "instruments": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instruments = self.fields["instruments"]
        assert isinstance(instruments, forms.ModelMultipleChoiceField)
        instruments.queryset = Instrument.objects.filter(programme=programme)
        if self.instance.pk:
            del self.fields["kind"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("A cycle cannot close before it opens."))
        return data


class ObservationImportForm(BaselineImportForm):
    """A file of the cycle's metric values (the same columns as the baseline file)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].label = _("Values file (CSV)")


class CostItemForm(forms.ModelForm[CostItem]):
    """One fully loaded cost of the programme."""

    class Meta:
        model = CostItem
        fields = ["category", "description", "amount"]


class ReportFilterForm(forms.Form):
    """The report's filters; every field is optional and a wrong value is simply ignored with a message."""

    org_unit = OrgUnitPickerField(label=_("Org unit"), required=False)
    cycle = forms.ModelChoiceField(label=_("Cycle"), queryset=EvaluationCycle.objects.none(), required=False)
    role = forms.ChoiceField(
        label=_("Participants' role"),
        required=False,
        choices=[("", _("All")), ("mentee", _("Mentees")), ("mentor", _("Mentors"))],
    )
    period_from = forms.DateField(label=_("From"), required=False, widget=DATE)
    period_to = forms.DateField(label=_("To"), required=False, widget=DATE)

    def __init__(self, *args: Any, programmes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cycle = self.fields["cycle"]
        assert isinstance(cycle, forms.ModelChoiceField)
        cycle.queryset = (
            EvaluationCycle.objects.filter(programme__in=programmes)
            .exclude(kind=EvaluationCycle.Kind.BASELINE)
            .select_related("programme")
            .order_by("programme__name", "opens_on")
        )
        cycle.label_from_instance = lambda c: f"{c.programme.name} · {c}"  # type: ignore[method-assign,assignment]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and end < start:
            self.add_error("period_to", _("The end of the period cannot be before its start."))
        return data

    def filters(self) -> ReportFilters:
        """The valid filters (call after is_valid(); invalid fields are left out)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        unit, cycle, role = data.get("org_unit"), data.get("cycle"), data.get("role") or ""
        start: date | None = data.get("period_from")
        end: date | None = data.get("period_to")
        return ReportFilters(
            org_unit_id=unit.pk if unit else None,
            cycle_id=cycle.pk if cycle else None,
            role=role if role in ROLES else "",
            period_from=start,
            period_to=end,
        )


class ResponseForm(forms.Form):
    """The questionnaire: one required choice per item (Likert) or competency (re-rating)."""

    def __init__(self, *args: Any, response: InstrumentResponse, questions: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        instrument = response.instrument
        if instrument.kind == Instrument.Kind.RERATING:
            low, high = LEVEL_MIN, LEVEL_MAX
        else:
            low, high = instrument.scale_min, instrument.scale_max
        choices = [(str(v), str(v)) for v in range(low, high + 1)]
        for key, text in questions:
            self.fields[f"q{key}"] = forms.TypedChoiceField(
                label=text, choices=choices, coerce=int, widget=forms.RadioSelect(attrs={"class": "likert"})
            )

    def answers(self) -> dict[int, int]:
        """Item or competency id → the chosen point (call after is_valid())."""
        return {int(name[1:]): int(value) for name, value in self.cleaned_data.items()}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.fields:
            raise ValidationError(_("There is nothing to answer."))
        return data


class InstrumentForm(forms.ModelForm[Instrument]):
    """An instrument's wording and who answers it (its kind and level stay as shipped)."""

    class Meta:
        model = Instrument
        fields = ["name", "intro", "ask_mentee", "ask_mentor", "ask_manager"]


ItemFormSet: type[forms.BaseInlineFormSet[InstrumentItem, Instrument, forms.ModelForm[InstrumentItem]]] = (
    forms.inlineformset_factory(
        Instrument,
        InstrumentItem,
        fields=["position", "text", "scale", "reverse_scored"],
        extra=2,
        can_delete=True,
    )
)
