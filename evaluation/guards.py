"""The evaluation app's lifecycle guards, registered from EvaluationConfig.ready().

programmes never imports evaluation: it only runs what registered itself in programmes.core.lifecycle.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from programmes.core.lifecycle import Blocker, register_guard
from programmes.models import Programme

from .models import ComparisonGroup, EvaluationCycle
from .selectors import metrics_with_baseline


@register_guard(name="baselines", leaving=Programme.Phase.NEEDS_ASSESSMENT)
def metric_defined(programme: Programme) -> list[Blocker]:
    """Leaving needs assessment needs at least one outcome metric: what the programme will be measured by.

    Its baselines come later: the participants' from the moment their applications are accepted (in
    implementation) until their relationship becomes active, the comparison group's once it is drawn
    after screening (evaluation.services.common). Asking for baselines here, before anyone could apply,
    only let a programme move on whose comparison group was drawn before its applicants were known.
    """
    if metrics_with_baseline(programme=programme):
        return []
    return [
        Blocker(
            _("Define at least one outcome metric for a business goal: the programme will be measured by it."),
            reverse("evaluation:metrics", args=[programme.pk]),
        )
    ]


@register_guard(name="evaluation_plan", entering=Programme.Phase.IMPLEMENTATION)
def evaluation_plan_scheduled(programme: Programme) -> list[Blocker]:
    """Entering implementation needs an evaluation plan: scheduled cycles, an end cycle among them.

    Without an end cycle nobody would ever measure what the programme achieved; the plan page makes
    the default plan (baseline, midpoint, end and follow-ups) in one click.
    """
    kinds = set(EvaluationCycle.objects.filter(programme=programme).values_list("kind", flat=True))
    if EvaluationCycle.Kind.END in kinds:
        return []
    message = (
        _("Plan the evaluation: schedule its cycles, including an end-of-programme cycle.")
        if kinds
        else _("Plan the evaluation: schedule its cycles (baseline, midpoint, end and follow-ups).")
    )
    return [Blocker(message, reverse("evaluation:cycles", args=[programme.pk]))]


@register_guard(name="comparison_group", entering=Programme.Phase.EVALUATION)
def comparison_group_frozen(programme: Programme) -> list[Blocker]:
    """Entering evaluation needs a frozen comparison group: without it no difference in differences exists.

    Asked here and not earlier because the group is drawn after screening; it can still be frozen while
    the programme is in implementation, so this guard never leaves a programme stuck.
    """
    if ComparisonGroup.objects.filter(programme=programme, frozen_at__isnull=False).exists():
        return []
    return [
        Blocker(
            _("Draw and freeze the comparison group: the outcomes are measured against it."),
            reverse("evaluation:comparison", args=[programme.pk]),
        )
    ]


@register_guard(name="end_cycle_reported", entering=Programme.Phase.CLOSED)
def end_cycle_reported(programme: Programme) -> list[Blocker]:
    """Closing needs the end-of-programme cycle's results reported."""
    reported = EvaluationCycle.objects.filter(
        programme=programme, kind=EvaluationCycle.Kind.END, state=EvaluationCycle.State.REPORTED
    ).exists()
    if reported:
        return []
    return [
        Blocker(
            _("Report the end-of-programme evaluation cycle's results before closing the programme."),
            reverse("evaluation:cycles", args=[programme.pk]),
        )
    ]
