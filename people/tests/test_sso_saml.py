"""SAML 2.0 sign-in against a pysaml2 identity provider started by the test (its own key and certificate).

The provider parses our real AuthnRequest and answers with a real, xmlsec1-signed response; our side checks
it with djangosaml2/pysaml2. Wrong audience, expired and unsigned assertions are refused with a clear page.
"""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import saml2
import time_machine
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.test import Client
from django.urls import reverse
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server

from people.sso.saml import sp_config
from people.tests.factories import UserFactory

IDP = "https://idp.nusantara.test/adfs"
SSO = "https://idp.nusantara.test/adfs/ls/"


def _key_and_cert(folder: Path) -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.nusantara.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = folder / "idp.key", folder / "idp.crt"
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(key_file), str(cert_file)


def _idp_config(key_file: str, cert_file: str, sp_metadata: str | None) -> IdPConfig:
    config = IdPConfig()
    config.load(
        {
            "entityid": IDP,
            "xmlsec_binary": "/usr/bin/xmlsec1",
            "key_file": key_file,
            "cert_file": cert_file,
            "metadata": {"local": [sp_metadata]} if sp_metadata else {},
            "service": {
                "idp": {
                    "endpoints": {"single_sign_on_service": [(SSO, saml2.BINDING_HTTP_REDIRECT)]},
                    "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                    "policy": {"default": {"lifetime": {"minutes": 5}, "attribute_restrictions": None}},
                }
            },
        }
    )
    return config


@pytest.fixture
def idp(tmp_path: Path, settings: Any) -> Server:
    """A running identity provider that knows our service provider, and our site configured to trust it."""
    key_file, cert_file = _key_and_cert(tmp_path)
    idp_metadata = tmp_path / "idp-metadata.xml"
    idp_metadata.write_text(str(entity_descriptor(_idp_config(key_file, cert_file, None))))
    settings.SAML_IDP_METADATA_FILE = str(idp_metadata)
    settings.SITE_URL = "http://testserver"
    sp_metadata = tmp_path / "sp-metadata.xml"
    sp_metadata.write_text(str(entity_descriptor(sp_config())))
    return Server(config=_idp_config(key_file, cert_file, str(sp_metadata)))


def _start(client: Client, next_url: str = "/") -> tuple[Any, str]:
    """Our login view's AuthnRequest, as the provider parses it, and the RelayState to send back."""
    response = client.get(reverse("saml2_login"), {"next": next_url})
    assert response.status_code == 302, response.content[:300]
    location = urlsplit(response["Location"])
    assert location.geturl().startswith(SSO)
    query = parse_qs(location.query)
    return query["SAMLRequest"][0], query.get("RelayState", [""])[0]


def _answer(idp: Server, saml_request: str, email: str, *, audience: str | None = None, signed: bool = True) -> str:
    request = idp.parse_authn_request(saml_request, saml2.BINDING_HTTP_REDIRECT)
    args = idp.response_args(request.message)
    if audience is not None:
        args["sp_entity_id"] = audience
    response = idp.create_authn_response(
        {"mail": [email], "displayName": ["Siti Rahayu"]},
        userid=email,
        name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email),
        authn={"class_ref": saml2.saml.AUTHN_PASSWORD, "authn_auth": IDP},
        sign_assertion=signed,
        sign_response=False,
        **args,
    )
    return base64.b64encode(str(response).encode()).decode()


def _post(client: Client, saml_response: str, relay_state: str) -> Any:
    return client.post(reverse("saml2_acs"), {"SAMLResponse": saml_response, "RelayState": relay_state})


@pytest.mark.django_db
def test_a_person_signs_in_through_the_saml_provider_and_reads_the_privacy_notice_first(idp: Server) -> None:
    siti = UserFactory(email="siti.rahayu@nusantara.co.id")
    client = Client()
    saml_request, relay = _start(client, "/programmes/")

    response = _post(client, _answer(idp, saml_request, "Siti.Rahayu@nusantara.co.id"), relay)

    assert response.status_code == 302, response.content.decode()[:500]
    assert response["Location"].startswith(reverse("people:privacy_notice"))
    assert "%2Fprogrammes%2F" in response["Location"]
    assert client.session["_auth_user_id"] == str(siti.pk)


@pytest.mark.django_db
def test_an_assertion_for_another_service_provider_is_refused(idp: Server) -> None:
    UserFactory(email="siti.rahayu@nusantara.co.id")
    client = Client()
    saml_request, relay = _start(client)

    response = _post(
        client, _answer(idp, saml_request, "siti.rahayu@nusantara.co.id", audience="https://other.example/sp"), relay
    )

    assert response.status_code == 400
    assert "meant for another application" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_an_unsigned_assertion_is_refused(idp: Server) -> None:
    UserFactory(email="siti.rahayu@nusantara.co.id")
    client = Client()
    saml_request, relay = _start(client)

    response = _post(client, _answer(idp, saml_request, "siti.rahayu@nusantara.co.id", signed=False), relay)

    assert response.status_code == 400
    assert "not signed" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_an_expired_assertion_is_refused(idp: Server) -> None:
    UserFactory(email="siti.rahayu@nusantara.co.id")
    client = Client()
    saml_request, relay = _start(client)
    with time_machine.travel(dt.datetime.now(dt.UTC) - dt.timedelta(hours=2), tick=False):
        stale = _answer(idp, saml_request, "siti.rahayu@nusantara.co.id")

    response = _post(client, stale, relay)

    assert response.status_code == 400
    assert "had expired" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_someone_unknown_is_refused_and_a_leaver_too(idp: Server) -> None:
    UserFactory(email="gone@nusantara.co.id", is_active=False)
    for email, words in (
        ("nobody@nusantara.co.id", "no account for you yet"),
        ("gone@nusantara.co.id", "no longer active"),
    ):
        client = Client()
        saml_request, relay = _start(client)

        response = _post(client, _answer(idp, saml_request, email), relay)

        assert response.status_code == 403
        assert words in response.content.decode()


@pytest.mark.django_db
def test_metadata_names_our_assertion_consumer_service(idp: Server) -> None:
    body = Client().get(reverse("saml2_metadata")).content.decode()

    assert "http://testserver/accounts/sso/saml/acs/" in body
    assert 'WantAssertionsSigned="true"' in body


@pytest.mark.django_db
def test_the_login_page_button_starts_saml_when_it_is_the_configured_provider(idp: Server) -> None:
    page = Client().get(reverse("people:login"), {"next": "/programmes/"}).content.decode()

    assert f'href="{reverse("saml2_login")}?next=/programmes/"' in page
