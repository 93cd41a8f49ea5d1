"""The evaluation app's lifecycle guards, registered from EvaluationConfig.ready().

programmes never imports evaluation: it only runs what registered itself in programmes.lifecycle.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from programmes.lifecycle import Blocker, register_guard
from programmes.models import Programme

from .models import EvaluationCycle
from .selectors import metrics_with_baseline


@register_guard(name="baselines", leaving=Programme.Phase.NEEDS_ASSESSMENT)
def metric_with_baseline(programme: Programme) -> list[Blocker]:
    """Leaving needs assessment needs at least one outcome metric with at least one baseline value.

    One metric with a baseline is enough to move on: reaction (level 1) metrics have no baseline by
    nature, and the baselines page shows which metrics still lack one.
    """
    flags = metrics_with_baseline(programme=programme)
    if not flags:
        return [
            Blocker(
                _("Define at least one outcome metric for a business goal, then record its baselines."),
                reverse("evaluation:metrics", args=[programme.pk]),
            )
        ]
    if not any(flags):
        message = ngettext(
            "The outcome metric has no baseline yet: record baselines for it (import a file or enter them by hand).",
            "None of the %(count)d outcome metrics has a baseline yet: record baselines for at least one "
            "(import a file or enter them by hand).",
            len(flags),
        ) % {"count": len(flags)}
        return [Blocker(message, reverse("evaluation:baselines", args=[programme.pk]))]
    return []


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
