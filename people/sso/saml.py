"""SAML 2.0 sign-in (ADFS and older identity providers) on top of djangosaml2 and pysaml2.

The libraries do the protocol: the AuthnRequest, the signature checks with xmlsec1, the audience, the time
window and the replay cache. We configure them from a handful of environment variables (the provider's
metadata by URL or file; signed assertions required), match people to the directory exactly as OpenID
Connect does (employee number, then e-mail; never created unless allowed; leavers refused) and turn every
refusal into a page that says why.
"""

from __future__ import annotations

import logging
from typing import Any, NoReturn

import saml2
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from djangosaml2 import views as saml_views
from djangosaml2.backends import Saml2Backend
from saml2.config import SPConfig
from saml2.sigver import SignatureError
from saml2.validate import ResponseLifetimeExceed, ToEarly

from people.models import User
from people.sign_in import after_sign_in

from .oidc import failure_page

logger = logging.getLogger(__name__)


def saml_enabled() -> bool:
    """Whether a SAML identity provider is configured (its metadata by URL or file)."""
    return bool(settings.SAML_IDP_METADATA_URL or settings.SAML_IDP_METADATA_FILE)


def sp_entity_id() -> str:
    return settings.SAML_SP_ENTITY_ID or f"{settings.SITE_URL}{reverse('saml2_metadata')}"


def sp_config(request: HttpRequest | None = None) -> SPConfig:
    """pysaml2's service-provider configuration, built from the settings (djangosaml2's SAML_CONFIG_LOADER)."""
    metadata: dict[str, Any] = {}
    if settings.SAML_IDP_METADATA_URL:
        metadata["remote"] = [{"url": settings.SAML_IDP_METADATA_URL}]
    if settings.SAML_IDP_METADATA_FILE:
        metadata["local"] = [settings.SAML_IDP_METADATA_FILE]
    config = SPConfig()
    config.load(
        {
            "entityid": sp_entity_id(),
            "xmlsec_binary": settings.SAML_XMLSEC_BINARY,
            "allow_unknown_attributes": True,
            "metadata": metadata,
            "service": {
                "sp": {
                    "name": settings.SITE_NAME,
                    "endpoints": {
                        "assertion_consumer_service": [
                            (f"{settings.SITE_URL}{reverse('saml2_acs')}", saml2.BINDING_HTTP_POST)
                        ]
                    },
                    # Signed assertions only: an unsigned one (or a signed response around an unsigned
                    # assertion) is refused. Answers must reply to a request we made (no IdP-initiated).
                    "want_assertions_signed": True,
                    "want_response_signed": False,
                    "allow_unsolicited": False,
                    "authn_requests_signed": False,
                    "name_id_format": [saml2.saml.NAMEID_FORMAT_EMAILADDRESS, saml2.saml.NAMEID_FORMAT_UNSPECIFIED],
                }
            },
            "accepted_time_diff": 60,
        }
    )
    return config


def _first(attributes: dict[str, Any], name: str) -> str:
    values = attributes.get(name) or []
    return str(values[0]).strip() if values else ""


class OrganisationSaml2Backend(Saml2Backend):
    """People the directory knows, found by employee number or e-mail; the same rules as OpenID Connect."""

    def authenticate(
        self,
        request: HttpRequest | None,
        session_info: dict[str, Any] | None = None,
        attribute_mapping: Any = None,
        create_unknown_user: bool = False,
        assertion_info: Any = None,
        **kwargs: Any,
    ) -> User | None:
        if session_info is None or "ava" not in session_info or not saml_enabled():
            return None
        attributes = session_info["ava"]
        name_id = session_info.get("name_id")
        email = _first(attributes, settings.SAML_ATTRIBUTE_EMAIL) or (str(name_id.text) if name_id else "")
        number = _first(attributes, settings.SAML_ATTRIBUTE_EMPLOYEE_ID) if settings.SAML_ATTRIBUTE_EMPLOYEE_ID else ""
        user = User.objects.filter(employee_number=number).first() if number else None
        if user is None and "@" in email:
            user = User.objects.filter(email__iexact=email).first()
        if user is None and settings.SAML_CREATE_USERS and "@" in email:
            user = User.objects.create_user(
                email.lower(), None, full_name=_first(attributes, settings.SAML_ATTRIBUTE_NAME) or email
            )
        if user is None:
            _refuse(
                request,
                _(
                    "Your organisation's sign-in worked, but this product has no account for you yet. "
                    "Ask your programme coordinator or HR to add you."
                ),
            )
        if not user.is_active or user.has_left():
            _refuse(request, _("This account is no longer active. Ask HR if you think that is wrong."))
        return user


def _refuse(request: HttpRequest | None, reason: str) -> NoReturn:
    """Django's authenticate() swallows a backend's PermissionDenied, so the reason travels on the request."""
    if request is not None:
        request.sso_refusal = reason  # type: ignore[attr-defined]
    raise PermissionDenied(reason)


def _refusal(exception: Exception | None) -> str:
    if isinstance(exception, (ResponseLifetimeExceed, ToEarly)):
        return _("Your organisation's sign-in answer had expired. Please sign in again.")
    text = str(exception or "")
    if "for me" in text.lower() or "audience" in text.lower():
        return _("The sign-in answer was meant for another application, so it was refused.")
    if isinstance(exception, SignatureError) or "sign" in text.lower():
        return _("The sign-in answer was not signed as this site requires, so it was refused.")
    if "unsolicited" in type(exception).__name__.lower() or "unsolicited" in text.lower():
        return _("The sign-in was started in another tab or took too long. Please start again.")
    return _("Your organisation's sign-in service did not answer as expected.")


@method_decorator(login_not_required, name="dispatch")
class LoginView(saml_views.LoginView):
    """Sends the browser to the identity provider with an AuthnRequest."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not saml_enabled():
            return failure_page(request, _("Single sign-on is not set up for this site."), status=404)
        response: HttpResponse = super().get(request, *args, **kwargs)
        return response


@method_decorator(login_not_required, name="dispatch")
class AssertionConsumerServiceView(saml_views.AssertionConsumerServiceView):
    """Receives the provider's answer; every refusal is a page in words."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not saml_enabled():
            return failure_page(request, _("Single sign-on is not set up for this site."), status=404)
        if "SAMLResponse" not in request.POST:
            return failure_page(request, _("The sign-in could not be completed. Please start again."))
        response: HttpResponse = super().post(request, *args, **kwargs)
        return response

    def handle_acs_failure(
        self, request: HttpRequest, exception: Exception | None = None, status: int = 403, **kwargs: Any
    ) -> HttpResponse:
        logger.warning("saml: sign-in refused: %r", exception)
        refusal = getattr(request, "sso_refusal", "")
        if refusal:
            return failure_page(request, refusal, status=403)
        return failure_page(request, _refusal(exception), status=400)

    def custom_redirect(self, user: User, relay_state: str, session_info: dict[str, Any]) -> str:
        """Where to go: the privacy notice first when not accepted yet, as after any sign-in."""
        target = relay_state if relay_state.startswith("/") and not relay_state.startswith("//") else "/"
        return after_sign_in(user, target)


@method_decorator(login_not_required, name="dispatch")
class MetadataView(saml_views.MetadataView):
    """This site's service-provider metadata, for the identity provider's administrator."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not saml_enabled():
            return failure_page(request, _("Single sign-on is not set up for this site."), status=404)
        response: HttpResponse = super().get(request, *args, **kwargs)
        return response
