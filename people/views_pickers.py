"""Suggestions for the searchable pickers (people/pickers.py), as listbox <li role="option">s."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .models import User
from .pickers import org_units_matching, search_text
from .types import AuthedRequest


@require_GET
def org_unit_search(request: AuthedRequest) -> HttpResponse:
    """Org units whose code or name contains what was typed (any signed-in person: unit names are not secret)."""
    return render(request, "people/_org_unit_options.html", {"units": org_units_matching(search_text(request.GET))})


def render_people_options(request: AuthedRequest, people: list[User]) -> HttpResponse:
    """The options of a person picker; the endpoint that scopes `people` decides who may be found."""
    return render(request, "people/_person_options.html", {"people": people})
