"""The relationship hub (the links of one relationship, on its page and on the participants' home pages) shows
each viewer only links they may open."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from conftest import Personas
from people.models import User
from programmes.preparation.services.agreements import agreement_draft_for
from programmes.tests.support_helpers import persona_pair

pytestmark = pytest.mark.django_db


def _hub_links(client: Client, url: str) -> list[str]:
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    start = html.index('data-testid="relationship-links"')
    return re.findall(r'href="(/[^"]*)"', html[start : html.index("</nav>", start)])


def _refused(client: Client, user: User, links: list[str]) -> list[str]:
    client.force_login(user)
    return [f"{link} -> {status}" for link in links if (status := client.get(link).status_code) != 200]


def test_every_link_of_the_hub_opens_for_whoever_is_shown_it(client: Client, personas: Personas) -> None:
    relationship = persona_pair(personas)
    agreement_draft_for(relationship)  # as accepting the match does
    page = reverse("programmes:relationship_support", args=[personas.programme.pk, relationship.pk])
    concern = reverse("programmes:concern_raise", args=[personas.programme.pk, relationship.pk])
    for user in (personas.coordinator, personas.mentor, personas.mentee):
        client.force_login(user)
        links = _hub_links(client, page)
        assert _refused(client, user, links) == [], user
        assert (concern in links) == (user != personas.coordinator), user  # members only raise concerns
    for user in (personas.mentor, personas.mentee):
        client.force_login(user)
        links = _hub_links(client, reverse("home"))
        assert concern in links
        assert _refused(client, user, links) == [], user
