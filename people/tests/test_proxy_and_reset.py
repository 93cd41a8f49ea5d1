"""Client addresses behind the proxy (lockout, signatures), the password-reset rate limit, the privacy notice."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from conftest import Personas
from people.client_ip import client_ip
from people.models import PrivacyNoticeAcceptance
from programmes.models import AgreementSignature
from programmes.preparation.tests.test_agreements import _programme
from programmes.tests.preparation_helpers import accepted_pair, fill_expectations, people_of

PROXY = "10.0.0.2"  # the TLS proxy in front: every request reaches Django from here


def _through_proxy(client: Client, email: str, password: str, forwarded_for: str) -> int:
    response = client.post(
        reverse("people:login"),
        {"username": email, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )
    return response.status_code


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "198.51.100.7", PROXY),  # no proxy configured: the header is the client's to invent; ignored
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "203.0.113.9, 198.51.100.7", "198.51.100.7"),  # the client wrote the left part: not trusted
        (2, "203.0.113.9, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        (2, "198.51.100.7", PROXY),  # fewer hops than proxies: only the socket is trusted
        (1, "not-an-address", PROXY),
    ],
)
def test_the_client_address_is_read_through_exactly_the_trusted_proxies(
    count: int, forwarded: str, expected: str
) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(TRUSTED_PROXY_COUNT=count):
        assert client_ip(request) == expected


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_five_wrong_passwords_from_one_client_behind_the_proxy_do_not_lock_out_the_others(
    client: Client, personas: Personas
) -> None:
    email = personas.mentor.email
    attacker = "198.51.100.7"
    statuses = [_through_proxy(client, email, "wrong-password", attacker) for _ in range(5)]
    assert statuses[-1] == 429  # the attacker's address is locked out of this account
    assert _through_proxy(client, email, personas.password, attacker) == 429
    # The attacker cannot pose as someone else by writing their own X-Forwarded-For: the proxy appends theirs.
    assert _through_proxy(Client(), email, "wrong-password", f"203.0.113.9, {attacker}") == 429

    # The mentor, at another address behind the same proxy, still signs in.
    mentor_client = Client()
    assert _through_proxy(mentor_client, email, personas.password, "203.0.113.9") == 302
    assert mentor_client.get(reverse("home")).context["user"] == personas.mentor


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_COUNT=1)
def test_an_agreement_signature_records_the_clients_address_not_the_proxys(client: Client) -> None:
    relationship = accepted_pair(_programme())
    mentor, _mentee = people_of(relationship)
    fill_expectations(relationship.agreement)
    client.force_login(mentor)
    client.post(
        reverse("programmes:agreement_sign", args=[relationship.programme_id, relationship.pk]),
        {"number": "1", "typed_name": mentor.full_name},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert AgreementSignature.objects.get(person=mentor).ip_address == "198.51.100.7"


# Password reset rate limit --------------------------------------------------------------------------------


def _reset(client: Client, email: str, address: str = "198.51.100.20") -> object:
    return client.post(reverse("people:password_reset"), {"email": email}, REMOTE_ADDR=address)


@override_settings(PASSWORD_RESET_LIMIT_PER_ACCOUNT=3, PASSWORD_RESET_LIMIT_PER_ADDRESS=100)
def test_password_reset_for_one_account_is_limited_with_a_clear_message(client: Client, personas: Personas) -> None:
    for n in range(3):
        assert _reset(client, personas.mentee.email, f"198.51.100.{n + 1}").status_code == 302  # type: ignore[attr-defined]
    refused = _reset(client, personas.mentee.email.upper(), "198.51.100.50")
    assert refused.status_code == 429  # type: ignore[attr-defined]
    assert "Too many password reset requests" in refused.content.decode()  # type: ignore[attr-defined]
    assert len(mail.outbox) == 3
    assert _reset(client, personas.mentor.email, "198.51.100.50").status_code == 302  # type: ignore[attr-defined]


@override_settings(PASSWORD_RESET_LIMIT_PER_ACCOUNT=100, PASSWORD_RESET_LIMIT_PER_ADDRESS=2)
def test_password_reset_from_one_address_is_limited_whatever_the_account(client: Client, personas: Personas) -> None:
    assert _reset(client, "nobody-1@example.com").status_code == 302  # type: ignore[attr-defined]
    assert _reset(client, "nobody-2@example.com").status_code == 302  # type: ignore[attr-defined]
    assert _reset(client, personas.mentee.email).status_code == 429  # type: ignore[attr-defined]
    assert not mail.outbox
    assert _reset(client, personas.mentee.email, "198.51.100.99").status_code == 302  # type: ignore[attr-defined]


# Privacy notice at first sign-in --------------------------------------------------------------------------


def test_the_privacy_notice_is_shown_once_at_first_sign_in_and_its_acceptance_recorded(
    client: Client, personas: Personas, settings: object
) -> None:
    credentials = {"username": personas.mentee.email, "password": personas.password}
    login = client.post(reverse("people:login") + "?next=/programmes/", credentials)
    assert login["Location"].startswith(reverse("people:privacy_notice"))
    notice = client.get(login["Location"])
    assert "How we use your personal data" in notice.content.decode()
    accepted = client.post(reverse("people:privacy_notice"), {"next": "/programmes/"})
    assert accepted["Location"] == "/programmes/"
    row = PrivacyNoticeAcceptance.objects.get(user=personas.mentee)
    assert row.version == settings.PRIVACY_NOTICE_VERSION  # type: ignore[attr-defined]

    client.post(reverse("people:logout"))
    again = client.post(reverse("people:login"), {"username": personas.mentee.email, "password": personas.password})
    assert again["Location"] == reverse("home")
    # A new version of the notice is shown again.
    settings.PRIVACY_NOTICE_VERSION = "2099-01"  # type: ignore[attr-defined]
    client.post(reverse("people:logout"))
    newer = client.post(reverse("people:login"), {"username": personas.mentee.email, "password": personas.password})
    assert newer["Location"].startswith(reverse("people:privacy_notice"))


def test_the_notice_never_sends_a_person_to_another_site(client: Client, personas: Personas) -> None:
    client.force_login(personas.mentee)
    response = client.post(reverse("people:privacy_notice"), {"next": "https://evil.example.com/"})
    assert response["Location"] == "/"
