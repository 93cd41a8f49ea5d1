"""Forms of the matching flow. They clean and validate; programmes.matching.services.matching writes."""

from __future__ import annotations

import math
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from programmes.core.states import ENROLMENT_MENTOR_PICKABLE
from programmes.matching.engine.pools import CRITERIA, Weights
from programmes.matching.services.solve import ATTRIBUTES, DEFAULT_ATTRIBUTE_WEIGHT, criterion_label
from programmes.models import Enrolment, MatchingSettings, Programme

WEIGHT_FIELDS = (*CRITERIA, ATTRIBUTES)
# One sentence per weight, under its slider: what the criterion rewards.
WEIGHT_SENTENCES = {
    "language": _("How much it counts that the pair share a language."),
    "competency": _("How much it counts that the mentor is strong where the mentee wants to grow."),
    "goals": _("How much it counts that the mentor's experience fits the mentee's goals."),
    "availability": _("How much it counts that their free hours overlap."),
    "preference": _("How much it counts that the mentee asked for this mentor."),
    "timezone": _("How much it counts that they live in nearby time zones."),
    "diversity": _("How much it counts that they come from different parts of the organisation."),
    ATTRIBUTES: _("How much the attributes a mentee asked for count."),
}


def _weight_field(name: str) -> str:
    return f"weight_{name}"


class RangeInput(forms.NumberInput):
    """A slider; the number it stands for is shown beside it (static/js/weights.js keeps it current)."""

    input_type = "range"


class MatchingSettingsForm(forms.ModelForm[MatchingSettings]):
    """The coordinator's knobs: one weight per criterion (0 switches it off), the rules and the objective."""

    class Meta:
        model = MatchingSettings
        fields = [
            "min_shared_hours",
            "require_shared_language",
            "exclude_past_pairs",
            "apply_format_rule",
            "objective",
            "min_score",
            "self_service",
        ]
        widgets = {"objective": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = dict(self.instance.weights or {})
        defaults = {**Weights().as_dict(), ATTRIBUTES: DEFAULT_ATTRIBUTE_WEIGHT}
        weight_fields = {}
        for name in WEIGHT_FIELDS:
            initial = float(stored.get(name, defaults[name]))
            # A slider from 0 to 1 (the defaults sum to 1); a larger stored weight widens its own slider.
            top = max(1, math.ceil(initial))
            weight_fields[_weight_field(name)] = forms.FloatField(
                label=criterion_label(name),
                min_value=0,
                max_value=10,
                initial=initial,
                help_text=WEIGHT_SENTENCES[name],
                widget=RangeInput(
                    attrs={"min": "0", "max": str(top), "step": "0.05", "class": "form-range", "data-weight": name}
                ),
            )
        # Weights first: they are what coordinators change most.
        self.fields = {**weight_fields, **self.fields}
        # Past pairs are always excluded (a closed or declined pair is never proposed again).
        self.fields["exclude_past_pairs"].disabled = True

    def weight_fields(self) -> list[forms.BoundField]:
        return [self[_weight_field(name)] for name in WEIGHT_FIELDS]

    def weight_values(self) -> dict[str, float]:
        """Each weight as shown (what was typed, or the stored value); 0 where it is not a number."""
        values = {}
        for name in WEIGHT_FIELDS:
            try:
                values[name] = float(self[_weight_field(name)].value() or 0)
            except (TypeError, ValueError):
                values[name] = 0.0
        return values

    def other_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith("weight_")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("objective") == MatchingSettings.Objective.TOTAL_SCORE and data.get("min_score") is None:
            self.add_error("min_score", _("“Best total score only” needs a minimum score per pair."))
        if all(not data.get(_weight_field(name)) for name in WEIGHT_FIELDS if _weight_field(name) in data):
            self.add_error(None, _("Give at least one criterion a weight above 0."))
        return data

    def values(self) -> dict[str, Any]:
        """The model fields and the weights mapping, for the service."""
        data = self.cleaned_data
        values = {name: data[name] for name in self.Meta.fields if name != "exclude_past_pairs"}
        values["weights"] = {name: float(data[_weight_field(name)]) for name in WEIGHT_FIELDS}
        return values


class ReassignForm(forms.Form):
    """Another mentor for a pair in the draft."""

    mentor = forms.ModelChoiceField(queryset=Enrolment.objects.none())

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = Enrolment.objects.filter(  # type: ignore[attr-defined]
            programme=programme,
            role__in=(Enrolment.Role.MENTOR, Enrolment.Role.FACILITATOR),
            state__in=ENROLMENT_MENTOR_PICKABLE,
        ).select_related("person")


class ForbidForm(forms.Form):
    note = forms.CharField(label=_("Why (optional)"), max_length=300, required=False)


class RespondForm(forms.Form):
    """A member's answer to a proposed match; declining asks for a short note."""

    answer = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])
    note = forms.CharField(
        label=_("Note"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("When you decline, say why: the coordinator reads it when finding a new match."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("answer") == "decline" and not (data.get("note") or "").strip():
            self.add_error("note", _("Say briefly why you decline, so the coordinator can find a better match."))
        return data
