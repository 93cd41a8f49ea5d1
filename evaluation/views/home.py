"""The evaluation part of the home page, served as an htmx fragment (and as a page without JavaScript)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from people.types import AuthedRequest

from ..selectors_home import evaluation_todos_for_user


def home_panel(request: AuthedRequest) -> HttpResponse:
    """Questionnaires to answer, answers in reported cycles, outcome reports ready and recent exports."""
    todos = evaluation_todos_for_user(user=request.user)
    # The home page asks for one part per panel (a participant who also reads reports sees each once).
    part = request.GET.get("part", "")
    partial = request.headers.get("HX-Request") == "true"
    template = "evaluation/_home_panel.html" if partial else "evaluation/home_panel.html"
    context = {"todos": todos, "answers": part in ("", "answers"), "reports": part in ("", "reports")}
    return render(request, template, context)
