"""Suggestions for the searchable pickers (people/pickers.py), as <option>s for a <datalist>."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .pickers import org_units_matching
from .types import AuthedRequest


@require_GET
def org_unit_search(request: AuthedRequest) -> HttpResponse:
    """Org units whose code or name contains what was typed (htmx sends the input as its own name)."""
    text = request.GET.get("q") or next((str(v) for v in request.GET.values() if v), "")
    return render(request, "people/_org_unit_options.html", {"units": org_units_matching(text[:100])})
