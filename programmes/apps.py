from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = _("Programmes")

    def ready(self) -> None:
        # Registers the programmes app's own lifecycle guards (and orientation's pool gate and guard).
        from . import guards, guards_orientation  # noqa: F401
