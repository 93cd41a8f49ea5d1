"""Security of the front door: log in and out, password reset, lockout, hashing, deny-by-default, CSP."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from conftest import Personas
from people.models import User

LOGIN_URL = "people:login"


def _log_in(client: Client, email: str, password: str) -> object:
    return client.post(reverse(LOGIN_URL), {"username": email, "password": password})


# Log in, log out, password reset -------------------------------------------------------------------------


def test_person_logs_in_and_out_and_is_then_anonymous_again(client: Client, personas: Personas) -> None:
    response = _log_in(client, personas.mentor.email, personas.password)
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200

    response = client.post(reverse("people:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse(LOGIN_URL)
    home = client.get(reverse("home"))
    assert home.status_code == 302
    assert home["Location"].startswith(reverse(LOGIN_URL))


def test_wrong_password_shows_a_clear_message_and_does_not_log_in(client: Client, personas: Personas) -> None:
    response = _log_in(client, personas.mentor.email, "not-the-password")
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_logging_out_needs_a_post_so_a_link_cannot_log_someone_out(client: Client, personas: Personas) -> None:
    client.force_login(personas.mentor)
    assert client.get(reverse("people:logout")).status_code == 405
    assert client.get(reverse("home")).status_code == 200


def test_password_reset_mail_has_a_working_link_and_the_new_password_logs_in(
    client: Client, personas: Personas
) -> None:
    response = client.post(reverse("people:password_reset"), {"email": personas.mentee.email.upper()})
    assert response.status_code == 302
    assert response["Location"] == reverse("people:password_reset_done")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [personas.mentee.email]
    assert "Reset your Mentoring password" in message.subject
    links = re.findall(r"https?://testserver(/accounts/reset/[^\s\"<]+/)", message.body)
    assert links, message.body
    # The HTML alternative carries the same link.
    assert links[0] in message.alternatives[0][0]

    # Django swaps the token in the URL for one in the session, then shows the form.
    page = client.get(links[0], follow=True)
    assert page.status_code == 200
    assert "Choose a new password" in page.content.decode()
    new_password = "a-brand-new-passphrase-42"
    done = client.post(
        page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}, follow=True
    )
    assert "Your password is changed" in done.content.decode()

    fresh = Client()
    assert _log_in(fresh, personas.mentee.email, personas.password).status_code == 200  # the old one no longer works
    response = _log_in(fresh, personas.mentee.email, new_password)
    assert response.status_code == 302
    assert fresh.get(reverse("home")).context["user"] == personas.mentee

    # A reset link works once.
    reused = client.get(links[0], follow=True)
    assert "This link has expired" in reused.content.decode()


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(
    client: Client, personas: Personas
) -> None:
    response = client.post(reverse("people:password_reset"), {"email": "nobody@example.co.id"}, follow=True)
    assert "If an account has that address" in response.content.decode()
    assert mail.outbox == []


# Hashing ------------------------------------------------------------------------------------------------


def test_production_settings_hash_passwords_with_argon2_first() -> None:
    from mentoring import settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_argon2_hasher_is_installed_and_verifies() -> None:
    encoded = make_password("correct-horse-battery")
    assert encoded.startswith("argon2$argon2id$")
    assert check_password("correct-horse-battery", encoded)
    assert not check_password("wrong", encoded)


# Lockout (django-axes) -----------------------------------------------------------------------------------


def test_sixth_attempt_is_refused_even_with_the_right_password(client: Client, personas: Personas) -> None:
    for _ in range(5):
        response = _log_in(client, personas.mentor.email, "wrong-password")
    # The fifth failure already answers with the locked page.
    assert response.status_code == 429

    response = _log_in(client, personas.mentor.email, personas.password)
    assert response.status_code == 429
    body = response.content.decode()
    assert "Too many failed log-in attempts" in body
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302


def test_lockout_of_one_account_leaves_another_account_from_the_same_address_alone(
    client: Client, personas: Personas
) -> None:
    for _ in range(6):
        _log_in(client, personas.mentor.email, "wrong-password")
    assert _log_in(client, personas.mentor.email, personas.password).status_code == 429

    response = _log_in(client, personas.mentee.email, personas.password)
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == personas.mentee


def test_changing_the_case_of_the_address_does_not_dodge_the_lockout(client: Client, personas: Personas) -> None:
    email = personas.mentor.email
    for variant in [email, email.upper(), email.title(), f" {email} ", email.capitalize()]:
        _log_in(client, variant, "wrong-password")
    assert _log_in(client, email.upper(), personas.password).status_code == 429
    assert _log_in(client, email, personas.password).status_code == 429


def test_four_failures_then_the_right_password_still_logs_in(client: Client, personas: Personas) -> None:
    for _ in range(4):
        _log_in(client, personas.mentor.email, "wrong-password")
    assert _log_in(client, personas.mentor.email, personas.password).status_code == 302


# Deny by default ----------------------------------------------------------------------------------------


@override_settings(ROOT_URLCONF="mentoring.tests.urls_for_tests")
@pytest.mark.django_db
def test_a_view_without_any_decorator_still_sends_anonymous_visitors_to_log_in(client: Client) -> None:
    response = client.get("/_test/undecorated/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse(LOGIN_URL)}?next=/_test/undecorated/"


@override_settings(ROOT_URLCONF="mentoring.tests.urls_for_tests")
def test_a_view_without_any_decorator_answers_a_signed_in_person(client: Client, personas: Personas) -> None:
    client.force_login(personas.outsider)
    response = client.get("/_test/undecorated/")
    assert response.status_code == 200
    assert response.content == b"made-up view"


@pytest.mark.django_db
def test_only_the_front_door_pages_are_open_to_anonymous_visitors(client: Client) -> None:
    open_pages = [reverse(LOGIN_URL), reverse("people:password_reset"), reverse("people:password_reset_done")]
    for url in open_pages:
        assert client.get(url).status_code == 200, url
    for url in [reverse("home"), reverse("people:preferences"), reverse("programmes:list")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse(LOGIN_URL)), url


# Content Security Policy: nothing inline -----------------------------------------------------------------


class _InlineFinder(HTMLParser):
    """Collects inline script code, style attributes and tags, and on* event-handler attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.scripts = 0
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if "style" in names:
            self.problems.append(f"style attribute on <{tag}>")
        self.problems += [f"{name} handler on <{tag}>" for name in names if name.startswith("on")]
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            self.scripts += 1
            self._in_inline_script = "src" not in names

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_inline_script = False

    def handle_data(self, data: str) -> None:
        if self._in_inline_script and data.strip():
            self.problems.append(f"inline script: {data.strip()[:60]}")


def _inline_problems(html: str) -> list[str]:
    finder = _InlineFinder()
    finder.feed(html)
    assert finder.scripts >= 1, "the page should load its scripts from files"
    return finder.problems


def _assert_strict_csp(header: str) -> None:
    directives: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in header.split(";"))):
        name, _, value = part.partition(" ")
        directives[name] = value.strip()
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives.get("style-src", "'self'")
    assert "unsafe-eval" not in header
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"


@pytest.mark.django_db
def test_login_page_has_a_strict_csp_and_nothing_inline(client: Client) -> None:
    response = client.get(reverse(LOGIN_URL))
    _assert_strict_csp(response["Content-Security-Policy"])
    assert _inline_problems(response.content.decode()) == []


@pytest.mark.parametrize("persona", ["coordinator", "mentee", "hr_analyst", "admin", "outsider"])
def test_home_page_has_a_strict_csp_and_nothing_inline(client: Client, personas: Personas, persona: str) -> None:
    client.force_login(getattr(personas, persona))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    _assert_strict_csp(response["Content-Security-Policy"])
    assert _inline_problems(response.content.decode()) == []


def test_pages_may_not_be_framed_and_do_not_sniff_types(client: Client, personas: Personas) -> None:
    client.force_login(personas.mentor)
    response = client.get(reverse("home"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_user_model_stores_no_plain_password(personas: Personas) -> None:
    stored = User.objects.get(pk=personas.mentor.pk).password
    assert personas.password not in stored
