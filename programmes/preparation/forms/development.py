"""Development plan forms: a goal, a progress entry, a status move, a comment, and sharing with the manager."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.models import LEVEL_MAX, LEVEL_MIN, Competency
from programmes.models import BusinessGoal, DevelopmentGoal, Programme
from programmes.preparation.models.development import goal_choices_for_status
from programmes.preparation.services.development import GoalInput, ProgressInput

LEVELS = [(level, str(level)) for level in range(LEVEL_MIN, LEVEL_MAX + 1)]


class GoalForm(forms.Form):
    """A goal of the mentee's plan; the baseline may stay empty to take it from the needs survey or a rating."""

    competency = forms.ModelChoiceField(label=_("Competency"), queryset=Competency.objects.none())
    business_goal = forms.ModelChoiceField(
        label=_("Business goal it serves"), queryset=BusinessGoal.objects.none(), required=False
    )
    statement = forms.CharField(
        label=_("Goal (SMART)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Specific, measurable, achievable, relevant and time-bound: what you will be able to do."),
    )
    baseline_level = forms.TypedChoiceField(
        label=_("Baseline level"),
        choices=[("", _("From the needs survey or my latest rating")), *LEVELS],
        coerce=int,
        empty_value=None,
        required=False,
    )
    target_level = forms.TypedChoiceField(label=_("Target level"), choices=LEVELS, coerce=int)
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))
    shared_with_manager = forms.BooleanField(label=_("My manager may see this goal"), required=False)

    def __init__(self, *args: Any, programme: Programme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        targets = list(programme.target_competencies.values_list("pk", flat=True))
        first = Case(When(pk__in=targets, then=Value(0)), default=Value(1))
        competency = self.fields["competency"]
        business_goal = self.fields["business_goal"]
        assert isinstance(competency, forms.ModelChoiceField)
        assert isinstance(business_goal, forms.ModelChoiceField)
        competency.queryset = Competency.objects.order_by(first, "name")
        business_goal.queryset = BusinessGoal.objects.filter(programme=programme)

    def goal_input(self) -> GoalInput:
        data = self.cleaned_data
        return GoalInput(
            competency=data["competency"],
            business_goal=data["business_goal"],
            statement=data["statement"],
            baseline_level=data["baseline_level"],
            target_level=data["target_level"],
            due_on=data["due_on"],
            shared_with_manager=data["shared_with_manager"],
        )


def goal_initial(goal: DevelopmentGoal) -> dict[str, Any]:
    return {
        "competency": goal.competency_id,
        "business_goal": goal.business_goal_id,
        "statement": goal.statement,
        "baseline_level": goal.baseline_level if goal.baseline_source == goal.BaselineSource.ENTERED else "",
        "target_level": goal.target_level,
        "due_on": goal.due_on,
        "shared_with_manager": goal.shared_with_manager,
    }


class ProgressForm(forms.Form):
    recorded_on = forms.DateField(
        label=_("Date"), initial=timezone.localdate, widget=forms.DateInput(attrs={"type": "date"})
    )
    level = forms.TypedChoiceField(label=_("Level reached"), choices=LEVELS, coerce=int)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    evidence = forms.CharField(
        label=_("Evidence"), max_length=500, required=False, help_text=_("A link, a document, a result.")
    )

    def progress_input(self) -> ProgressInput:
        data = self.cleaned_data
        return ProgressInput(
            recorded_on=data["recorded_on"], level=data["level"], note=data["note"], evidence=data["evidence"]
        )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    note = forms.CharField(label=_("Why (optional)"), max_length=1000, required=False)

    def __init__(self, *args: Any, goal: DevelopmentGoal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = goal_choices_for_status(goal.status)


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ShareForm(forms.Form):
    shared = forms.BooleanField(required=False)
