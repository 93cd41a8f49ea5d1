from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        # The baseline guard joins the programme lifecycle (programmes never imports evaluation); the process
        # figures register with the figures the worker computes again by name (programmes.core.figures_cache).
        from people.models import BackgroundJob
        from people.services.jobs import register_job_kind

        from . import guards, selectors_process  # noqa: F401
        from .services.exports import export_job_outcome

        # A large export is a background job its requester alone follows (people.services.jobs).
        register_job_kind(BackgroundJob.Kind.REPORT_EXPORT, outcome_url=export_job_outcome)
