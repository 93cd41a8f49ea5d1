"""`{% programme_tabs programme "section" %}`: the programme hub's header and section tabs on every page."""

from __future__ import annotations

from typing import Any

from django import template

from programmes.core.selectors.nav import programme_tabs_for

from ..models import Programme

register = template.Library()


@register.inclusion_tag("programmes/_programme_tabs.html", takes_context=True)
def programme_tabs(context: template.Context, programme: Programme, section: str = "overview") -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    tabs = programme_tabs_for(user=user, programme=programme) if user is not None and user.is_authenticated else []
    return {"programme": programme, "tabs": tabs, "section": section}
