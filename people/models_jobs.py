"""Long work the worker does while a page follows its progress: match runs, bulk invitations, HRIS imports
and large report exports.

One row per start. The page polls the row (people.views_jobs) and shows a progress bar by stage; the
worker claims the row with a conditional UPDATE (queued → running), so a retried or duplicated task runs
the work once. A second start of the same job while one is queued or running is refused by the database
itself (a partial unique index), not only by a check in Python, so two coordinators clicking at once
cannot both start a run. "The same job" is the same kind, target (a programme, or none: organisation-wide)
and `key`: empty for one-at-a-time work (a match run per programme, one HRIS import at a time), the
requester, format and filters for an export (the same export asked for twice is built once). The sweep
(people.services.jobs.jobs_unstick) fails, with a message, jobs that never started or whose worker died.

What is particular to a kind stays out of the columns: what it was asked (`params`: an import's preview
flag, an export's format and filters) and what it produced (`result`: a run's id, an import's summary and
row problems). The one exception is `file`: an HRIS import reads an uploaded file and an export writes
one, each kept in the default storage (settings.STORAGES, so no web process keeps files of its own) for as
long as the job row lives; the hourly clean-up deletes both (people.services.jobs.jobs_delete_old).

The model lives in `people`, the lowest app, so that every app may use it; its target is a generic
reference (content type and id), since `people` may not import the apps above it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

UNFINISHED = ("queued", "running")
JOB_FOLDER = "jobs"  # in the default storage: the files jobs read and write


class BackgroundJob(models.Model):
    """One start of a long piece of work, its progress by stage, and how it ended."""

    class Kind(models.TextChoices):
        MATCH_RUN = "match_run", _("Match run")
        INVITATIONS = "invitations", _("Invitations")
        PEOPLE_IMPORT = "people_import", _("People import")
        REPORT_EXPORT = "report_export", _("Report export")

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    class Stage(models.TextChoices):
        LOADING = "loading", _("Loading the pool")
        SCORING = "scoring", _("Scoring every pair")
        SOLVING = "solving", _("Finding the best matches")
        EXPLAINING = "explaining", _("Explaining each match")
        SAVING = "saving", _("Saving the proposals")
        SENDING = "sending", _("Sending the invitations")
        CHECKING = "checking", _("Checking the file")
        WRITING = "writing", _("Writing the directory")
        BUILDING = "building", _("Building the file")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    # What else makes two starts the same job (one unfinished at a time): "" for one per kind and target.
    key = models.CharField(max_length=200, blank=True, default="", editable=False)
    task = models.CharField(max_length=200, editable=False)  # the Celery task name, for the sweep's retry
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.TextField(_("message"), blank=True)  # why it failed, or what it did, in words
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    # The file the job reads (an upload) or writes (an export), under a random name; never served by URL.
    file = models.FileField(upload_to=f"{JOB_FOLDER}/", max_length=200, blank=True)
    file_name = models.CharField(_("file"), max_length=255, blank=True)  # the name a person knows it by
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)  # the worker's last sign of life
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        constraints = [
            # NULL targets (organisation-wide work) count as one target, so they too run one at a time.
            models.UniqueConstraint(
                fields=["kind", "target_type", "target_id", "key"],
                condition=models.Q(state__in=UNFINISHED),
                nulls_distinct=False,
                name="one_unfinished_job_per_kind_target_and_key",
            ),
            models.CheckConstraint(condition=models.Q(done__lte=models.F("total")), name="job_done_within_total"),
        ]
        indexes = [
            models.Index(fields=["target_type", "target_id", "kind", "-created_at"]),
            models.Index(fields=["requested_by", "kind", "-created_at"]),  # a person's own imports and exports
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.get_state_display()})"

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def percent(self) -> int:
        """How far the job is, 0 to 100 (100 only once it is done)."""
        if self.state == self.State.DONE:
            return 100
        if not self.total:
            return 0
        return min(99, 100 * self.done // self.total)

    @classmethod
    def target_filter(cls, target: models.Model | None) -> dict[str, Any]:
        """The lookup of jobs about `target` (a programme, say; None: organisation-wide jobs)."""
        if target is None:
            return {"target_type__isnull": True, "target_id__isnull": True}
        return {"target_type": ContentType.objects.get_for_model(target), "target_id": target.pk}
