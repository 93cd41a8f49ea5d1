"""SCIM 2.0 provisioning the way Entra ID does it: its request bodies (from Microsoft's SCIM validator
documentation), its filters and its PATCH dialect, against our /scim/v2/ endpoints with a real bearer token."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from people.models import ScimClient, ScimGroup, User
from people.scim.auth import scim_client_create
from people.tests.factories import UserFactory
from programmes.core.states import OPEN
from programmes.matching.services.matching import match_run_create, match_run_publish
from programmes.matching.services.relationships import relationship_respond
from programmes.models import AuditEvent, Enrolment, Relationship
from programmes.tests.matching_helpers import coordinator_of, matching_programme, pool_mentee, pool_mentor

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SCIM = "application/scim+json"


@pytest.fixture
def entra(db: None) -> Client:
    """A client speaking for Entra ID with its own bearer token."""
    _, token = scim_client_create(name="Entra ID (Nusantara)")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _send(client: Client, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body) if body is not None else None
    return getattr(client, method)(url, data=data, content_type=SCIM)


def _entra_user(user_name: str, email: str, **extra: Any) -> dict[str, Any]:
    """Entra's "Create User" body (Microsoft Learn: SCIM endpoint, request 1)."""
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "userName": user_name,
        "active": True,
        "emails": [{"primary": True, "type": "work", "value": email}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "Wayan Sudarsana", "familyName": "Sudarsana", "givenName": "Wayan"},
        "roles": [],
        **extra,
    }


def test_entra_creates_a_user_then_finds_it_by_its_user_name(entra: Client) -> None:
    created = _send(entra, "post", "/scim/v2/Users", _entra_user("wayan@nusantara.co.id", "wayan@nusantara.co.id"))

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["userName"] == "wayan@nusantara.co.id"
    assert body["active"] is True
    person = User.objects.get(pk=int(body["id"]))
    assert (person.full_name, person.external_id) == ("Wayan Sudarsana", "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef")
    assert not person.has_usable_password()  # they sign in through the provider

    found = entra.get("/scim/v2/Users", {"filter": 'userName eq "WAYAN@nusantara.co.id"'}).json()
    assert found["totalResults"] == 1
    assert found["Resources"][0]["id"] == body["id"]
    missing = entra.get("/scim/v2/Users", {"filter": 'userName eq "nobody@nusantara.co.id"'}).json()
    assert missing["totalResults"] == 0
    assert missing["Resources"] == []


def test_a_user_name_that_is_not_an_email_takes_the_work_email(entra: Client) -> None:
    body = _entra_user("Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1", "Test_User_fd0ea19b@testuser.com")

    created = _send(entra, "post", "/scim/v2/Users", body)

    assert created.status_code == 201
    assert created.json()["userName"] == "test_user_fd0ea19b@testuser.com"


def test_a_second_user_with_the_same_email_is_a_conflict_in_scims_words(entra: Client) -> None:
    UserFactory(email="wayan@nusantara.co.id")

    again = _send(entra, "post", "/scim/v2/Users", _entra_user("wayan@nusantara.co.id", "Wayan@Nusantara.co.id"))

    assert again.status_code == 409
    assert again.json()["scimType"] == "uniqueness"
    assert User.objects.filter(email__iexact="wayan@nusantara.co.id").count() == 1


def test_entra_patches_email_name_employee_number_and_manager_in_one_request(entra: Client) -> None:
    manager = UserFactory(email="made.manager@nusantara.co.id")
    person = UserFactory(email="wayan@nusantara.co.id", full_name="Wayan Sudarsana")
    patch = {
        "schemas": [PATCH],
        "Operations": [
            {"op": "Replace", "path": 'emails[type eq "work"].value', "value": "wayan.s@nusantara.co.id"},
            {"op": "Replace", "path": "name.familyName", "value": "Sudarsana-Putra"},
            {"op": "Add", "path": f"{ENTERPRISE}:employeeNumber", "value": "E-7788"},
            {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": str(manager.pk)},
            {"op": "Replace", "path": "title", "value": "Kepala Cabang"},
        ],
    }

    response = _send(entra, "patch", f"/scim/v2/Users/{person.pk}", patch)

    assert response.status_code == 200, response.content
    person.refresh_from_db()
    assert person.email == "wayan.s@nusantara.co.id"
    assert person.full_name == "Wayan Sudarsana-Putra"
    assert (person.employee_number, person.manager_id, person.job_title) == ("E-7788", manager.pk, "Kepala Cabang")
    assert response.json()[ENTERPRISE]["manager"] == {"value": str(manager.pk)}


def test_a_bad_patch_changes_nothing_and_says_why(entra: Client) -> None:
    person = UserFactory(email="wayan@nusantara.co.id", full_name="Wayan Sudarsana")
    patch = {
        "schemas": [PATCH],
        "Operations": [
            {"op": "Replace", "path": "displayName", "value": "Changed Name"},
            {"op": "Add", "path": f"{ENTERPRISE}:manager", "value": "999999"},
        ],
    }

    response = _send(entra, "patch", f"/scim/v2/Users/{person.pk}", patch)

    assert response.status_code == 400
    assert "Unknown manager" in response.json()["detail"]
    person.refresh_from_db()
    assert person.full_name == "Wayan Sudarsana"


def test_entras_string_false_deactivates_and_the_relationship_ends_through_the_state_machine(entra: Client) -> None:
    programme = matching_programme()
    mentor, mentee = pool_mentor(programme), pool_mentee(programme)
    run = match_run_create(actor=coordinator_of(programme), programme=programme)
    match_run_publish(actor=coordinator_of(programme), run=run)
    relationship = Relationship.objects.get(programme=programme)
    for enrolment in (mentor, mentee):
        relationship_respond(actor=enrolment.person, relationship=relationship, enrolment=enrolment, accept=True)
    relationship.refresh_from_db()
    assert relationship.state == Relationship.State.ACCEPTED

    # Entra's "Disable User" (older tenants send the boolean as the string "False").
    patch = {"schemas": [PATCH], "Operations": [{"op": "Replace", "path": "active", "value": "False"}]}
    response = _send(entra, "patch", f"/scim/v2/Users/{mentee.person.pk}", patch)

    assert response.status_code == 200
    assert response.json()["active"] is False
    mentee.refresh_from_db()
    relationship.refresh_from_db()
    assert mentee.state == mentee.State.WITHDRAWN
    assert relationship.state not in OPEN
    withdrawal = AuditEvent.objects.get(
        content_type=ContentType.objects.get_for_model(Enrolment), object_id=mentee.pk, to_state="withdrawn"
    )
    assert "identity provider" in withdrawal.reason


def test_delete_closes_the_account_but_keeps_the_person_for_the_programmes_history(entra: Client) -> None:
    person = UserFactory(email="wayan@nusantara.co.id")

    response = _send(entra, "delete", f"/scim/v2/Users/{person.pk}")

    assert response.status_code == 204
    person.refresh_from_db()
    assert person.is_active is False
    assert entra.get(f"/scim/v2/Users/{person.pk}").json()["active"] is False


def test_listing_pages_with_start_index_and_count(entra: Client) -> None:
    UserFactory.create_batch(5)

    page = entra.get("/scim/v2/Users", {"startIndex": 2, "count": 2}).json()

    assert page["totalResults"] == User.objects.count()
    assert page["startIndex"] == 2
    assert page["itemsPerPage"] == 2
    ids = [int(r["id"]) for r in page["Resources"]]
    assert ids == list(User.objects.order_by("pk").values_list("pk", flat=True)[1:3])


def test_groups_are_created_filtered_patched_and_deleted_as_entra_does(entra: Client) -> None:
    ani, budi = UserFactory(email="ani@nusantara.co.id"), UserFactory(email="budi@nusantara.co.id")
    created = _send(
        entra,
        "post",
        "/scim/v2/Groups",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
            "displayName": "Pemimpin Penjualan",
            "meta": {"resourceType": "Group"},
        },
    )
    assert created.status_code == 201
    group_id = created.json()["id"]

    listed = entra.get(
        "/scim/v2/Groups", {"excludedAttributes": "members", "filter": 'displayName eq "Pemimpin Penjualan"'}
    ).json()
    assert listed["totalResults"] == 1
    assert "members" not in listed["Resources"][0]

    add = {
        "schemas": [PATCH],
        "Operations": [
            {
                "op": "Add",
                "path": "members",
                "value": [{"$ref": None, "value": str(ani.pk)}, {"$ref": None, "value": str(budi.pk)}],
            }
        ],
    }
    assert _send(entra, "patch", f"/scim/v2/Groups/{group_id}", add).status_code == 200
    remove = {"schemas": [PATCH], "Operations": [{"op": "Remove", "path": f'members[value eq "{ani.pk}"]'}]}
    rename = {"schemas": [PATCH], "Operations": [{"op": "Replace", "path": "displayName", "value": "Sales leaders"}]}
    assert _send(entra, "patch", f"/scim/v2/Groups/{group_id}", remove).status_code == 200
    body = _send(entra, "patch", f"/scim/v2/Groups/{group_id}", rename).json()

    assert body["displayName"] == "Sales leaders"
    assert [m["value"] for m in body["members"]] == [str(budi.pk)]
    assert _send(entra, "delete", f"/scim/v2/Groups/{group_id}").status_code == 204
    assert not ScimGroup.objects.exists()


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"HTTP_AUTHORIZATION": "Bearer not-a-token"}, 401), ({"HTTP_AUTHORIZATION": "Basic eDp5"}, 401)],
)
def test_without_a_valid_token_scim_answers_401_in_scims_shape(db: None, headers: dict[str, str], status: int) -> None:
    response = Client(**headers).get("/scim/v2/Users")

    assert response.status_code == status
    assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]


def test_a_signed_in_person_cannot_use_scim_with_their_session(db: None) -> None:
    admin = UserFactory(is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)

    assert client.get("/scim/v2/Users").status_code == 401


def test_unsupported_filters_and_malformed_bodies_are_400s_never_500s(entra: Client) -> None:
    bad_filter = entra.get("/scim/v2/Users", {"filter": 'title co "x"'})
    not_json = entra.generic("POST", "/scim/v2/Users", b"{not json", content_type=SCIM)
    a_list = _send(entra, "post", "/scim/v2/Users", [])  # type: ignore[arg-type]
    bad_email = _send(entra, "post", "/scim/v2/Users", _entra_user("x", "not-an-email"))
    no_schema = _send(entra, "patch", f"/scim/v2/Users/{UserFactory().pk}", {"Operations": []})

    assert [r.status_code for r in (bad_filter, not_json, a_list, bad_email, no_schema)] == [400] * 5
    assert bad_filter.json()["scimType"] == "invalidFilter"


def test_discovery_documents_name_patch_and_filter_support(entra: Client) -> None:
    config = entra.get(reverse("scim:service_provider_config")).json()
    types = entra.get(reverse("scim:resource_types")).json()

    assert config["patch"]["supported"] is True
    assert config["filter"]["supported"] is True
    assert {t["id"] for t in types["Resources"]} == {"User", "Group"}


def test_the_command_prints_a_token_that_works_once_and_revoke_closes_it(db: None) -> None:
    out = io.StringIO()
    call_command("scim_client", "Okta", stdout=out)
    token = out.getvalue().rsplit(": ", 1)[1].strip()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/scim/v2/Users").status_code == 200
    assert token not in str(list(ScimClient.objects.values()))  # only its digest is kept

    call_command("scim_client", "Okta", "--revoke", stdout=io.StringIO())

    assert client.get("/scim/v2/Users").status_code == 401
    with pytest.raises(CommandError):
        call_command("scim_client", "Okta", stdout=io.StringIO())  # the name is taken
