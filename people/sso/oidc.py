"""OpenID Connect sign-in on top of mozilla-django-oidc.

The library does the code flow (state, nonce, PKCE, token exchange, signature). We add what an enterprise
identity provider needs and the library leaves out: endpoints found by discovery from the issuer alone, the
issuer and audience checked on every ID token, people matched to the directory by employee number or
e-mail (never created unless the organisation says so), leavers refused, and a page in words instead of a
bare 400 when the provider or its token is wrong.
"""

from __future__ import annotations

import logging
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from people.models import User
from people.sign_in import after_sign_in

logger = logging.getLogger(__name__)

# The library's setting names for the provider's endpoints, and their names in the discovery document.
_DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}
_DISCOVERY_SECONDS = 60 * 60


class SignInRefused(Exception):
    """The provider answered, but this person may not sign in; the message is shown to them."""


def oidc_enabled() -> bool:
    """Whether an OpenID provider is configured (issuer and client id)."""
    return bool(getattr(settings, "OIDC_ISSUER", "") and getattr(settings, "OIDC_RP_CLIENT_ID", ""))


def sso_provider_name() -> str:
    """The name on the "Sign in with ..." button."""
    return settings.OIDC_PROVIDER_NAME or _("your organisation")


def discovery_document() -> dict[str, Any]:
    """The issuer's `.well-known/openid-configuration`, cached for an hour (it changes with key rotation only)."""
    issuer = settings.OIDC_ISSUER.rstrip("/")
    key = f"oidc-discovery:{issuer}"
    document = cache.get(key)
    if document is None:
        response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
        if document.get("issuer", "").rstrip("/") != issuer:
            raise ImproperlyConfigured(f"The discovery document of {issuer} names another issuer.")
        cache.set(key, document, _DISCOVERY_SECONDS)
    return document


def oidc_setting(attr: str, *default: Any) -> Any:
    """A library setting; provider endpoints not set explicitly come from the issuer's discovery document."""
    value = getattr(settings, attr, None)
    if value:
        return value
    if attr in _DISCOVERED and oidc_enabled():
        return discovery_document()[_DISCOVERED[attr]]
    if default:
        return default[0]
    if value is not None:
        return value
    raise ImproperlyConfigured(f"Setting {attr} not found")


def _claim(claims: dict[str, Any], name: str) -> str:
    value = claims.get(name) if name else None
    return str(value).strip() if value not in (None, "") else ""


class OrganisationOIDCBackend(OIDCAuthenticationBackend):
    """Signs in people the directory already knows; optionally creates the ones it does not."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Django builds every backend for every password sign-in; without a provider this one stands aside.
        self.enabled = oidc_enabled()
        if self.enabled:
            super().__init__(*args, **kwargs)

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        if not self.enabled:
            return None
        user: User | None = super().authenticate(request, **kwargs)
        return user

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """The library checks the signature, expiry and nonce; we add the issuer and the audience."""
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("The ID token was issued for another application (audience).")
        if str(payload.get("iss", "")).rstrip("/") != settings.OIDC_ISSUER.rstrip("/"):
            raise SuspiciousOperation("The ID token was issued by another provider (issuer).")
        return payload

    def retrieve_matching_jwk(self, token: str) -> Any:
        """The library needs a key id; some providers leave it out when they publish a single signing key."""
        if "kid" in jwt.get_unverified_header(token):
            return super().retrieve_matching_jwk(token)
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        keys = [key for key in response.json().get("keys", []) if key.get("use", "sig") == "sig"]
        if len(keys) != 1:
            raise SuspiciousOperation("The ID token names no key and the provider publishes several.")
        return jwt.PyJWK(keys[0])

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Claims from the userinfo endpoint, over those of the ID token (Entra puts some only in the token)."""
        claims = {**payload, **super().get_userinfo(access_token, id_token, payload)}
        if claims.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The userinfo answer is about another subject.")
        return claims

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(_claim(claims, settings.OIDC_CLAIM_EMAIL) or _claim(claims, settings.OIDC_CLAIM_EMPLOYEE_ID))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        """Employee number first (e-mails change with marriages and mergers), then e-mail, case-insensitively."""
        number = _claim(claims, settings.OIDC_CLAIM_EMPLOYEE_ID)
        if number:
            by_number = User.objects.filter(employee_number=number)
            if by_number.exists():
                return by_number
        email = _claim(claims, settings.OIDC_CLAIM_EMAIL)
        if not email:
            return User.objects.none()
        return User.objects.filter(email__iexact=email)

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User | None:
        user: User | None = super().get_or_create_user(access_token, id_token, payload)
        if user is None:
            raise SignInRefused(
                _(
                    "Your organisation's sign-in worked, but this product has no account for you yet. "
                    "Ask your programme coordinator or HR to add you."
                )
            )
        if not user.is_active or user.has_left():
            raise SignInRefused(_("This account is no longer active. Ask HR if you think that is wrong."))
        return user

    def create_user(self, claims: dict[str, Any]) -> User | None:
        """Just-in-time creation, only when OIDC_CREATE_USERS is on; the HRIS import fills in the rest later."""
        if not settings.OIDC_CREATE_USERS:
            return None
        email = _claim(claims, settings.OIDC_CLAIM_EMAIL).lower()
        if not email:
            return None
        user = User.objects.create_user(
            email,
            None,
            full_name=_claim(claims, settings.OIDC_CLAIM_NAME) or email,
            employee_number=_claim(claims, settings.OIDC_CLAIM_EMPLOYEE_ID),
        )
        logger.info("oidc: created %s just in time", user.pk)
        return user

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        """The provider keeps the name current; everything else comes from the HRIS import."""
        name = _claim(claims, settings.OIDC_CLAIM_NAME)
        if name and name != user.full_name:
            user.full_name = name
            user.save(update_fields=["full_name"])
        return user


@method_decorator(login_not_required, name="dispatch")
class StartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider, with state, nonce and PKCE."""

    get_settings = staticmethod(oidc_setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not oidc_enabled():
            return failure_page(request, _("Single sign-on is not set up for this site."), status=404)
        try:
            response: HttpResponse = super().get(request)
        except (requests.RequestException, ImproperlyConfigured, ValueError) as exc:
            logger.warning("oidc: discovery failed: %s", exc)
            return failure_page(request, _("Your organisation's sign-in service cannot be reached just now."))
        return response


@method_decorator(login_not_required, name="dispatch")
class CallbackView(OIDCAuthenticationCallbackView):
    """Finishes the code flow; every way it can fail ends on a page that says why, never a bare error."""

    get_settings = staticmethod(oidc_setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not oidc_enabled():
            return failure_page(request, _("Single sign-on is not set up for this site."), status=404)
        if request.GET.get("error"):
            super().get(request)  # forgets the state and signs out, as the library does
            return failure_page(request, _("Your organisation's sign-in was cancelled or refused."))
        try:
            response: HttpResponse = super().get(request)
        except SignInRefused as exc:
            return failure_page(request, str(exc), status=403)
        except (SuspiciousOperation, jwt.PyJWTError) as exc:
            logger.warning("oidc: token refused: %s", exc)
            return failure_page(request, _token_refusal(exc))
        except (requests.RequestException, ImproperlyConfigured, ValueError, KeyError) as exc:
            logger.warning("oidc: provider error: %s", exc)
            return failure_page(request, _("Your organisation's sign-in service did not answer as expected."))
        if not request.user.is_authenticated:
            return failure_page(request, _("The sign-in could not be completed. Please start again."))
        return response

    @property
    def success_url(self) -> str:
        return after_sign_in(self.user, super().success_url)


def _token_refusal(exc: Exception) -> str:
    if isinstance(exc, jwt.ExpiredSignatureError):
        return _("Your organisation's sign-in answer had expired. Please sign in again.")
    text = str(exc)
    if "state" in text or "Nonce" in text:
        return _("The sign-in was started in another tab or took too long. Please start again.")
    if "audience" in text:
        return _("The sign-in answer was meant for another application, so it was refused.")
    if "issuer" in text:
        return _("The sign-in answer came from an identity provider this site does not trust.")
    return _("The sign-in answer was not signed as this site requires, so it was refused.")


def failure_page(request: HttpRequest, reason: str, *, status: int = 400) -> HttpResponse:
    """A page in the site's look that says why single sign-on failed and how to try again."""
    return render(request, "registration/sso_failed.html", {"reason": reason}, status=status)
