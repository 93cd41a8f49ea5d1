from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("People directory")

    def ready(self) -> None:
        # A background import is followed by its requester, an HR analyst or admin (people.services.jobs).
        from .models import BackgroundJob
        from .services.import_jobs import import_job_access, import_job_outcome
        from .services.jobs import register_job_kind

        register_job_kind(BackgroundJob.Kind.PEOPLE_IMPORT, access=import_job_access, outcome_url=import_job_outcome)
