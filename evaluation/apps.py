from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        # The baseline guard joins the programme lifecycle (programmes never imports evaluation); the process
        # figures register with the figures the worker computes again by name (programmes.core.figures_cache).
        from . import guards, selectors_process  # noqa: F401
