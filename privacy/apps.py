from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Personal-data rights (UU PDP No. 27/2022, GDPR): export, erasure, retention. Depends on every other app."""

    name = "privacy"
    verbose_name = _("Personal data")
