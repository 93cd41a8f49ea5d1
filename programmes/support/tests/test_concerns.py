"""Concerns and mediation: confidential to the coordinators, open → mediating → resolved | escalated."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from conftest import Personas
from programmes.core.errors import DomainError, InvalidTransition
from programmes.models import AuditEvent, Concern, Notification, RelationshipHealth
from programmes.support.services.concerns import (
    concern_add_note,
    concern_escalate,
    concern_raise,
    concern_resolve,
    concern_start_mediation,
)
from programmes.tests.support_helpers import persona_pair

pytestmark = pytest.mark.django_db
DESCRIPTION = "He reads his phone through our sessions"


def _raise(p: Personas, **overrides: object) -> Concern:
    values: dict[str, object] = {
        "category": Concern.Category.NOT_WORKING,
        "severity": Concern.Severity.MEDIUM,
        "description": DESCRIPTION,
        "confidential": True,
    }
    values.update(overrides)
    return concern_raise(actor=p.mentee, relationship=p.relationship, **values)  # type: ignore[arg-type]


def _detail(p: Personas, concern: Concern) -> str:
    return reverse("programmes:concern_detail", args=[p.programme.pk, p.relationship.pk, concern.pk])


def test_a_member_raises_a_concern_through_the_page_and_the_coordinators_are_told(
    client: Client, personas: Personas
) -> None:
    persona_pair(personas)
    client.force_login(personas.mentee)
    url = reverse("programmes:concern_raise", args=[personas.programme.pk, personas.relationship.pk])
    response = client.post(
        url, {"category": "time", "severity": "low", "description": DESCRIPTION, "confidential": "on"}
    )
    concern = Concern.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _detail(personas, concern)
    assert (concern.raised_by, concern.state, concern.confidential) == (personas.mentee, "open", True)
    notice = Notification.objects.get(kind="concern_raised")
    assert notice.recipient == personas.coordinator
    assert DESCRIPTION not in str(notice.context)  # the e-mail says that, not what
    assert AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Concern), object_id=concern.pk, to_state="open"
    ).exists()


def test_this_isnt_working_flags_the_relationship_at_risk(personas: Personas) -> None:
    persona_pair(personas)
    _raise(personas)
    health = RelationshipHealth.objects.get(relationship=personas.relationship)
    assert health.at_risk
    assert health.at_risk_kind == "concern"


def test_a_confidential_concern_is_hidden_from_the_other_member(client: Client, personas: Personas) -> None:
    persona_pair(personas)
    concern = _raise(personas)
    client.force_login(personas.mentor)
    assert client.get(_detail(personas, concern)).status_code == 404
    support = reverse("programmes:relationship_support", args=[personas.programme.pk, personas.relationship.pk])
    assert DESCRIPTION not in client.get(support).content.decode()
    shared = _raise(personas, confidential=False, category=Concern.Category.TIME, description="Shared worry")
    assert "Shared worry" in client.get(_detail(personas, shared)).content.decode()


def test_mediation_runs_open_mediating_resolved_and_the_raiser_hears_the_outcome(
    client: Client, personas: Personas
) -> None:
    persona_pair(personas)
    concern = _raise(personas)
    concern_start_mediation(actor=personas.coordinator, concern=concern, note="Called both; meeting Friday.")
    concern_add_note(actor=personas.coordinator, concern=concern, note="Friday went well.")
    with pytest.raises(DomainError, match="outcome"):
        concern_resolve(actor=personas.coordinator, concern=concern, outcome="  ")
    concern_resolve(actor=personas.coordinator, concern=concern, outcome="They agreed phones away.")
    concern.refresh_from_db()
    assert concern.state == "resolved"
    assert concern.handled_by == personas.coordinator
    assert "Called both" in concern.mediation_notes
    assert "Friday went well" in concern.mediation_notes
    assert Notification.objects.get(kind="concern_updated").recipient == personas.mentee
    assert not RelationshipHealth.objects.get(relationship=personas.relationship).at_risk
    states = list(
        AuditEvent.objects.filter(content_type=ContentType.objects.get_for_model(Concern), object_id=concern.pk)
        .order_by("pk")
        .values_list("to_state", flat=True)
    )
    assert states == ["open", "mediating", "resolved"]
    client.force_login(personas.mentee)
    page = client.get(_detail(personas, concern)).content.decode()
    assert "They agreed phones away." in page
    assert "Friday went well" not in page


def test_a_concern_is_escalated_from_open_and_then_cannot_be_mediated(personas: Personas) -> None:
    persona_pair(personas)
    concern = _raise(personas, category=Concern.Category.CONDUCT, severity=Concern.Severity.HIGH)
    concern_escalate(actor=personas.coordinator, concern=concern, outcome="Passed to HR business partner.")
    with pytest.raises(InvalidTransition):
        concern_start_mediation(actor=personas.coordinator, concern=concern)
    concern.refresh_from_db()
    assert concern.state == "escalated"


def test_a_refused_move_on_the_page_is_a_message_not_an_error(client: Client, personas: Personas) -> None:
    persona_pair(personas)
    concern = _raise(personas)
    client.force_login(personas.coordinator)
    response = client.post(_detail(personas, concern), {"action": "resolve", "outcome": ""}, follow=True)
    assert response.status_code == 200
    assert "Write the outcome" in response.content.decode()
    concern.refresh_from_db()
    assert concern.state == "open"
    response = client.post(_detail(personas, concern), {"action": "explode"})
    assert response.status_code == 200
    concern.refresh_from_db()
    assert concern.state == "open"


def test_only_members_raise_concerns(personas: Personas) -> None:
    persona_pair(personas)
    with pytest.raises(DomainError):
        concern_raise(
            actor=personas.coordinator,
            relationship=personas.relationship,
            category="other",
            severity="low",
            description="",
            confidential=True,
        )
