"""OpenID Connect sign-in against a real OpenID provider (oidc-provider-mock) started by the test.

Our side runs in Django's test client; the provider is a real HTTP server on loopback, so the code exchange,
the JWKS fetch, the signature, expiry and nonce checks all happen for real. Only the two tokens no honest
provider would issue (one for another application, one unsigned) are handed to the callback in place of the
provider's answer.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode
from oidc_provider_mock import User as ProviderUser
from oidc_provider_mock import run_server_in_thread

from people.models import User
from people.sso.oidc import OrganisationOIDCBackend
from people.tests.factories import PASSWORD, UserFactory

CLIENT_ID = "mentoring-nusantara"


@pytest.fixture
def provider(settings: Any) -> Iterator[str]:
    """A running OpenID provider and this site configured against it; yields the issuer URL."""
    people = [
        ProviderUser(
            sub="emp-0042",
            claims={"email": "Siti.Rahayu@Nusantara.co.id", "name": "Siti Rahayu", "employee_id": "E0042"},
        ),
        ProviderUser(sub="emp-0099", claims={"email": "newcomer@nusantara.co.id", "name": "Ñoño Pérez-Łukasz"}),
    ]
    with run_server_in_thread(user_claims=people) as server:
        issuer = f"http://localhost:{server.server_port}"
        _configure(settings, issuer)
        yield issuer


@pytest.fixture
def expiring_provider(settings: Any) -> Iterator[str]:
    """A provider whose ID tokens are already expired when they arrive."""
    people = [ProviderUser(sub="emp-0042", claims={"email": "siti.rahayu@nusantara.co.id"})]
    with run_server_in_thread(user_claims=people, access_token_max_age=timedelta(seconds=-300)) as server:
        issuer = f"http://localhost:{server.server_port}"
        _configure(settings, issuer)
        yield issuer


def _configure(settings: Any, issuer: str) -> None:
    settings.OIDC_ISSUER = issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = "s3cret-for-tests"
    settings.OIDC_PROVIDER_NAME = "Nusantara ID"


def _sign_in(client: Client, sub: str | None, *, action: str = "authorize", next_url: str = "/") -> Any:
    """Start at our button, answer the provider's own form as the person would, and come back to our callback."""
    start = client.get(reverse("people:oidc_start"), {"next": next_url})
    assert start.status_code == 302, start.content.decode()[:300]
    authorize_url = start["Location"]
    form = {"sub": sub} if action == "authorize" else {"action": "deny"}
    answer = requests.post(authorize_url, data=form, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:300]
    back = urlsplit(answer.headers["Location"])
    assert back.path == reverse("people:oidc_callback")
    return client.get(back.path, parse_qs(back.query))


def _signed_in_as(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


@pytest.mark.django_db
def test_a_person_in_the_directory_signs_in_through_the_provider_and_lands_home(provider: str) -> None:
    siti = UserFactory(email="siti.rahayu@nusantara.co.id", full_name="Siti R.")
    client = Client()

    response = _sign_in(client, "emp-0042", next_url=reverse("people:preferences"))

    assert response.status_code == 302
    # Like the password door, single sign-on shows the privacy notice first, then goes where the person was going.
    assert (
        response["Location"]
        == f"{reverse('people:privacy_notice')}?{urlencode({'next': reverse('people:preferences')})}"
    )
    assert _signed_in_as(client) == str(siti.pk)
    siti.refresh_from_db()
    assert siti.full_name == "Siti Rahayu"  # the provider keeps the name current
    assert client.get(reverse("people:preferences")).status_code == 200


@pytest.mark.django_db
def test_the_employee_number_claim_wins_over_an_email_that_changed(provider: str, settings: Any) -> None:
    settings.OIDC_CLAIM_EMPLOYEE_ID = "employee_id"
    siti = UserFactory(email="siti.old-name@nusantara.co.id", employee_number="E0042")
    UserFactory(email="siti.rahayu@nusantara.co.id", employee_number="E9999")
    client = Client()

    _sign_in(client, "emp-0042")

    assert _signed_in_as(client) == str(siti.pk)


@pytest.mark.django_db
def test_someone_the_directory_does_not_know_is_refused_with_words_not_created(provider: str) -> None:
    client = Client()

    response = _sign_in(client, "emp-0099")

    assert response.status_code == 403
    assert "has no account for you yet" in response.content.decode()
    assert _signed_in_as(client) is None
    assert not User.objects.filter(email="newcomer@nusantara.co.id").exists()


@pytest.mark.django_db
def test_just_in_time_creation_makes_the_account_when_the_organisation_allows_it(provider: str, settings: Any) -> None:
    settings.OIDC_CREATE_USERS = True
    client = Client()

    _sign_in(client, "emp-0099")

    created = User.objects.get(email="newcomer@nusantara.co.id")
    assert _signed_in_as(client) == str(created.pk)
    assert created.full_name == "Ñoño Pérez-Łukasz"
    assert not created.has_usable_password()


@pytest.mark.django_db
def test_a_leaver_is_refused_even_though_the_provider_still_knows_them(provider: str) -> None:
    UserFactory(email="siti.rahayu@nusantara.co.id", left_date=date.today() - timedelta(days=1))
    client = Client()

    response = _sign_in(client, "emp-0042")

    assert response.status_code == 403
    assert "no longer active" in response.content.decode()
    assert _signed_in_as(client) is None


@pytest.mark.django_db
def test_an_expired_id_token_is_refused_with_a_clear_page(expiring_provider: str) -> None:
    UserFactory(email="siti.rahayu@nusantara.co.id")
    client = Client()

    response = _sign_in(client, "emp-0042")

    assert response.status_code == 400
    assert "had expired" in response.content.decode()
    assert _signed_in_as(client) is None


@pytest.mark.django_db
def test_a_refusal_at_the_provider_comes_back_as_a_page_that_says_so(provider: str) -> None:
    client = Client()

    response = _sign_in(client, None, action="deny")

    assert response.status_code == 400
    assert "cancelled or refused" in response.content.decode()


@pytest.mark.django_db
def test_a_forged_callback_without_a_started_sign_in_is_refused_not_a_server_error(provider: str) -> None:
    client = Client()
    client.get(reverse("people:oidc_start"))  # a sign-in started, with its own state

    response = client.get(reverse("people:oidc_callback"), {"code": "stolen", "state": "forged"})

    assert response.status_code == 400
    assert "Please start again" in response.content.decode()
    assert _signed_in_as(client) is None


def _rsa_pair() -> tuple[Any, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return key, public


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("audience", "algorithm", "words"),
    [("another-application", "RS256", "meant for another application"), (CLIENT_ID, "none", "not signed")],
)
def test_a_token_for_another_application_or_an_unsigned_one_is_refused(
    provider: str, settings: Any, monkeypatch: pytest.MonkeyPatch, audience: str, algorithm: str, words: str
) -> None:
    UserFactory(email="siti.rahayu@nusantara.co.id")
    key, public = _rsa_pair()
    settings.OIDC_RP_IDP_SIGN_KEY = public
    client = Client()
    start = client.get(reverse("people:oidc_start"))
    query = parse_qs(urlsplit(start["Location"]).query)
    claims = {
        "iss": provider,
        "aud": audience,
        "sub": "emp-0042",
        "email": "siti.rahayu@nusantara.co.id",
        "nonce": query["nonce"][0],
        "exp": int(time.time()) + 300,
        "iat": int(time.time()),
    }
    token = jwt.encode(claims, key if algorithm != "none" else None, algorithm=algorithm)
    # The provider's token answer is the one thing replaced: no honest provider would send these.
    monkeypatch.setattr(
        OrganisationOIDCBackend, "get_token", lambda self, payload: {"id_token": token, "access_token": "x"}
    )

    response = client.get(reverse("people:oidc_callback"), {"code": "c", "state": query["state"][0]})

    assert response.status_code == 400
    assert words in response.content.decode()
    assert _signed_in_as(client) is None


@pytest.mark.django_db
def test_the_login_page_offers_the_organisations_button_only_when_configured(provider: str, settings: Any) -> None:
    page = Client().get(reverse("people:login")).content.decode()
    assert "Sign in with Nusantara ID" in page
    settings.OIDC_ISSUER = ""
    assert "Sign in with" not in Client().get(reverse("people:login")).content.decode()


@pytest.mark.django_db
def test_with_password_sign_in_off_only_site_administrators_may_use_a_password(settings: Any) -> None:
    settings.PASSWORD_LOGIN = False
    person = UserFactory(email="dewi@nusantara.co.id")
    admin = UserFactory(email="admin@nusantara.co.id", is_superuser=True, is_staff=True)

    refused = Client().post(reverse("people:login"), {"username": person.email, "password": PASSWORD})
    allowed = Client().post(reverse("people:login"), {"username": admin.email, "password": PASSWORD})

    assert refused.status_code == 200
    assert "signs in through your organisation" in refused.content.decode()
    assert "_auth_user_id" not in refused.wsgi_request.session
    assert allowed.status_code == 302
