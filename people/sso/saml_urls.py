"""SAML endpoints under the names djangosaml2 reverses itself (so no namespace)."""

from django.urls import path

from . import saml

urlpatterns = [
    path("login/", saml.LoginView.as_view(), name="saml2_login"),
    path("acs/", saml.AssertionConsumerServiceView.as_view(), name="saml2_acs"),
    path("metadata/", saml.MetadataView.as_view(), name="saml2_metadata"),
]
