from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = _("Programmes")

    def ready(self) -> None:
        from people.services.deactivation import person_deactivated
        from people.services.hris_sync import hris_sync_failed
        from people.services.import_duties import import_refused

        # Registers the programmes app's own lifecycle guards (and orientation's pool gate and guard).
        from programmes.core import guards  # noqa: F401
        from programmes.core.receivers import audit_import_refused, notify_hris_sync_failed, withdraw_deactivated_person
        from programmes.preparation import guards as guards_orientation  # noqa: F401

        # People imports refused for separation of duties are audited here (people cannot import programmes).
        import_refused.connect(audit_import_refused, dispatch_uid="programmes.audit_import_refused")
        # A person closed by the identity provider (SCIM) or the HRIS sync leaves every programme they are in.
        person_deactivated.connect(withdraw_deactivated_person, dispatch_uid="programmes.withdraw_deactivated_person")
        hris_sync_failed.connect(notify_hris_sync_failed, dispatch_uid="programmes.notify_hris_sync_failed")
        # Match runs in the background are followed by the programme's coordinators (people.services.jobs).
        from people.models import BackgroundJob
        from people.services.jobs import register_job_kind
        from programmes.enrolment.services.jobs import invitation_job_access, invitation_job_outcome
        from programmes.matching.services.jobs import match_job_access, match_job_outcome

        register_job_kind(BackgroundJob.Kind.MATCH_RUN, access=match_job_access, outcome_url=match_job_outcome)
        register_job_kind(
            BackgroundJob.Kind.INVITATIONS, access=invitation_job_access, outcome_url=invitation_job_outcome
        )
        # The figures the worker computes again by name (programmes.core.figures_cache) register on import.
        from programmes.home.selectors import dashboard  # noqa: F401
