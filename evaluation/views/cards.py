"""The outcome summary cards the programme page loads as a fragment (htmx), or links to without JavaScript."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from people.types import AuthedRequest
from programmes.access import Action, Standing
from programmes.access_pages import allowed

from ..report_rows import ResultRow
from ..selectors_cycles import latest_results_for_programme


@allowed(Action.READ_STAFF_PAGES)
def outcome_cards(request: AuthedRequest, access: Standing) -> HttpResponse:
    """Each metric's latest result as a card: its sentence and the figure behind it."""
    programme = access.programme
    cards = [
        ResultRow(programme, r.metric.goal, r.metric, r.cycle, r.figures, r.computed_at, r.stale)
        for r in latest_results_for_programme(programme=programme)
    ]
    partial = request.headers.get("HX-Request") == "true"
    template = "evaluation/_outcome_cards.html" if partial else "evaluation/outcome_cards.html"
    return render(request, template, {"programme": programme, "access": access, "cards": cards})
