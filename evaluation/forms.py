"""Forms of the evaluation pages: they clean and validate; services write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.models import User
from people.pickers import OrgUnitMultiPickerField, PickerWidget
from programmes.models import BusinessGoal, Programme

from .models import ComparisonGroup, OutcomeMetric
from .models.comparison import MAX_GROUP_SIZE, new_seed
from .services import ComparisonRule
from .services.baseline_csv import MAX_BYTES, parse_number
from .services.metrics import METRIC_FIELDS


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its fields when the form has them, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class MetricForm(forms.ModelForm[OutcomeMetric]):
    """An outcome metric of one programme, linked to one of its business goals."""

    class Meta:
        model = OutcomeMetric
        fields = list(METRIC_FIELDS)  # what metric_create/metric_update accept

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.programme = programme
        goal_field = self.fields["goal"]
        assert isinstance(goal_field, forms.ModelChoiceField)
        goal_field.queryset = BusinessGoal.objects.filter(programme=programme)
        goal_field.empty_label = None if goal_field.queryset.exists() else _("(name a business goal first)")

    def clean_name(self) -> str:
        name = str(self.cleaned_data["name"]).strip()
        taken = OutcomeMetric.objects.filter(programme=self.programme, name__iexact=name).exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("This programme already has a metric called “%(name)s”."), params={"name": name})
        return name


class BaselineImportForm(forms.Form):
    """An HRIS-style baseline file (the columns are explained beside the form)."""

    file = forms.FileField(
        label=_("Baseline file (CSV)"),
        allow_empty_file=True,  # the importer says "the file is empty" itself
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_BYTES:
            raise ValidationError(
                _("The file is larger than %(mb)d MB; split it into smaller files."), params={"mb": MAX_BYTES >> 20}
            )
        return bytes(upload.read(MAX_BYTES + 1))


class BaselineEntryForm(forms.Form):
    """One person's baseline for one metric, entered by hand."""

    email = forms.EmailField(
        label=_("Person (e-mail)"),
        help_text=_("A participant or a member of the comparison group; start typing to pick."),
    )
    value = forms.CharField(label=_("Value"), max_length=40)
    period_end = forms.DateField(
        label=_("Period end"), widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )

    def __init__(self, *args: Any, metric: OutcomeMetric, baseline: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"m{metric.pk}")
        super().__init__(*args, **kwargs)
        self.metric = metric
        self.fields["value"].help_text = metric.unit
        # A picker that asks the server, not a datalist of every eligible person (thousands with a comparison group).
        search = reverse("evaluation:eligible_people_search", args=[metric.programme_id])
        self.fields["email"].widget = PickerWidget(search_url=search + ("?baseline=1" if baseline else ""))
        self.person: User | None = None

    def clean_email(self) -> str:
        email = str(self.cleaned_data["email"]).strip().lower()
        self.person = User.objects.filter(email__iexact=email).first()
        if self.person is None:
            raise ValidationError(_("No one in the people directory has this e-mail."))
        return email

    def clean_value(self) -> float:
        value = parse_number(str(self.cleaned_data["value"]))
        if value is None:
            raise ValidationError(_("Write a plain number, like 1250000.5 (no separators)."))
        problem = self.metric.check_value(value)
        if problem:
            raise ValidationError(problem)
        return value


class ComparisonRuleForm(forms.Form):
    """The rule that chooses the comparison group; submitting it freezes the group."""

    org_units = OrgUnitMultiPickerField(
        label=_("Org units"),
        required=False,
        help_text=_("Type part of a unit's name or code and choose; leave empty for the whole organisation."),
    )
    include_sub_units = forms.BooleanField(label=_("Include their sub-units"), required=False, initial=True)
    grade_min = forms.IntegerField(label=_("Lowest grade"), required=False, min_value=0, max_value=100)
    grade_max = forms.IntegerField(label=_("Highest grade"), required=False, min_value=0, max_value=100)
    exclude_enrolled = forms.BooleanField(
        label=_("Leave out people enrolled in this programme"), required=False, initial=True
    )
    max_size = forms.IntegerField(
        label=_("Largest size"),
        required=False,
        min_value=5,
        max_value=MAX_GROUP_SIZE,
        help_text=_("When more people match, this many are drawn at random with the seed below."),
    )
    random_seed = forms.IntegerField(label=_("Random seed"), min_value=0, max_value=999_999, initial=new_seed)
    refreeze = forms.BooleanField(
        label=_("Replace the frozen members (refreeze)"),
        required=False,
        help_text=_("Baselines of people who drop out of the group are deleted with their membership."),
    )

    def __init__(self, *args: Any, frozen: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not frozen:
            # Nothing to replace yet: the confirmation would only confuse.
            del self.fields["refreeze"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("grade_min"), data.get("grade_max")
        if low is not None and high is not None and low > high:
            self.add_error("grade_max", _("The highest grade cannot be below the lowest."))
        return data

    def rule(self) -> ComparisonRule:
        """The cleaned rule (call after is_valid())."""
        data = self.cleaned_data
        return ComparisonRule(
            org_units=list(data["org_units"]),
            include_sub_units=data["include_sub_units"],
            grade_min=data["grade_min"],
            grade_max=data["grade_max"],
            exclude_enrolled=data["exclude_enrolled"],
            max_size=data["max_size"],
            random_seed=data["random_seed"],
        )

    @classmethod
    def initial_for(cls, group: ComparisonGroup | None, suggestion: dict[str, Any]) -> dict[str, Any]:
        """The stored rule of a group, or a suggestion (the participants' units and grades) for a new one."""
        if group is None:
            return {**suggestion, "random_seed": new_seed()}
        return {
            "org_units": list(group.org_units.all()),
            "include_sub_units": group.include_sub_units,
            "grade_min": group.grade_min,
            "grade_max": group.grade_max,
            "exclude_enrolled": group.exclude_enrolled,
            "max_size": group.max_size,
            "random_seed": group.random_seed,
        }
