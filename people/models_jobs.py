"""Long work the worker does while a page follows its progress: match runs, bulk invitations, and the like.

One row per start. The page polls the row (people.views_jobs) and shows a progress bar by stage; the
worker claims the row with a conditional UPDATE (queued → running), so a retried or duplicated task runs
the work once. A second start of the same kind for the same target (a programme) while one is queued or
running is refused by the database itself (a partial unique index), not only by a check in Python, so
two coordinators clicking at once cannot both start a run. The sweep (people.services.jobs.jobs_unstick)
fails, with a message, jobs that never started or whose worker died.

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


class BackgroundJob(models.Model):
    """One start of a long piece of work, its progress by stage, and how it ended."""

    class Kind(models.TextChoices):
        MATCH_RUN = "match_run", _("Match run")
        INVITATIONS = "invitations", _("Invitations")

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

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
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
                fields=["kind", "target_type", "target_id"],
                condition=models.Q(state__in=UNFINISHED),
                nulls_distinct=False,
                name="one_unfinished_job_per_kind_and_target",
            ),
            models.CheckConstraint(condition=models.Q(done__lte=models.F("total")), name="job_done_within_total"),
        ]
        indexes = [models.Index(fields=["target_type", "target_id", "kind", "-created_at"])]

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
    def target_filter(cls, target: models.Model) -> dict[str, Any]:
        """The lookup of jobs about `target` (a programme, say)."""
        return {"target_type": ContentType.objects.get_for_model(target), "target_id": target.pk}
