"""The one helper that renders e-mails: templates/emails/<name>-subject.txt, -body.txt and -body.html.

Every e-mail to a person goes through `email_to_person`, which renders all three parts in that person's
language and time zone, whatever language the calling request or worker happens to have active.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation

from .models import User

EMAIL_PARTS = ("subject.txt", "body.txt", "body.html")


@dataclass(frozen=True)
class RenderedEmail:
    """The three parts of one e-mail, and the language they were rendered in."""

    subject: str
    text: str
    html: str
    language: str


def email_template_names(name: str) -> list[str]:
    """The template paths of e-mail `name`, for rendering and for checking that they exist."""
    return [f"emails/{name}-{part}" for part in EMAIL_PARTS]


def _render_text(template_name: str, context: dict[str, Any]) -> str:
    """Render a plain-text template without HTML escaping (an e-mail's text part is not HTML)."""
    template = get_template(template_name)
    # The Django backend's wrapper always escapes; its inner Template takes a Context we control.
    return template.template.render(Context(context, autoescape=False))  # type: ignore[attr-defined]


def email_render(name: str, context: Mapping[str, Any], *, language: str, time_zone: str = "") -> RenderedEmail:
    """Render e-mail `name` in `language` (and `time_zone`, for dates), with the site's name and URL.

    Templates also get `LANGUAGE_CODE` (the HTML part sets `<html lang>` from it) because no request,
    and so no context processor, is involved.
    """
    try:
        zone = zoneinfo.ZoneInfo(time_zone) if time_zone else timezone.get_current_timezone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = timezone.get_current_timezone()
    with translation.override(language), timezone.override(zone):
        full = {
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
            **context,
            "LANGUAGE_CODE": translation.get_language(),
        }
        subject_name, text_name, html_name = email_template_names(name)
        # A subject is one line: template line breaks and indentation must not leak into the header.
        subject = " ".join(_render_text(subject_name, full).split())
        text = _render_text(text_name, full).strip() + "\n"
        html = get_template(html_name).render(full)
        return RenderedEmail(subject=subject, text=text, html=html, language=str(full["LANGUAGE_CODE"]))


def email_to_person(*, person: User, name: str, context: Mapping[str, Any]) -> EmailMultiAlternatives:
    """A text + HTML message to one person, in their preferred language and time zone (not yet sent)."""
    rendered = email_render(
        name, {**context, "recipient": person}, language=person.preferred_language, time_zone=person.time_zone
    )
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        to=[person.email],
        headers={"Content-Language": rendered.language},
    )
    message.attach_alternative(rendered.html, "text/html")
    return message
