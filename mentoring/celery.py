"""The Celery app and the one beat schedule.

Web requests never wait on the broker: side effects leave through outbox rows (programmes.Notification)
that the sweeper below sends, and the few tasks that are published directly use a short publish retry
policy and socket timeouts, so a broker that is down fails fast and the periodic sweep catches up.
"""

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentoring.settings")

app = Celery("mentoring")


@app.on_after_configure.connect
def create_local_broker_folders(sender: Celery, source: Any, **kwargs: Any) -> None:
    """Create the file transport's folders: kombu expects them to exist and fails on the first message.

    The embedded worker is alone on its queue and nobody sends it remote-control broadcasts; leaving
    remote control on would pile undelivered fanout messages of dead workers into the queue folder.
    """
    if not str(source.broker_url or "").startswith("filesystem://"):
        return
    options = source.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder", "processed_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
    source.worker_enable_remote_control = False


@app.on_after_configure.connect
def create_beat_schedule_folder(sender: Celery, source: Any, **kwargs: Any) -> None:
    """Beat's schedule file (settings.CELERY_BEAT_SCHEDULE_FILENAME) may sit in a folder not made yet."""
    filename = source.beat_schedule_filename
    if filename and os.path.dirname(filename):
        Path(filename).parent.mkdir(parents=True, exist_ok=True)


app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_time_limit=300,
    task_soft_time_limit=240,
    task_default_retry_delay=10,
    broker_connection_timeout=2,
    broker_connection_retry_on_startup=True,
    broker_pool_limit=4,
    task_publish_retry=True,
    task_publish_retry_policy={
        "max_retries": 2,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.5,
    },
    worker_hijack_root_logger=False,
    timezone="UTC",
)

# The one beat schedule: each entry's task. How often each runs is a setting (MENTORING_BEAT_INTERVALS).
# Every entry is idempotent: running twice sends nothing twice.
BEAT_TASKS = {
    "send-due-notifications": "programmes.tasks.send_due_notifications",
    # The HRIS sync (people/services/hris_sync.py): does nothing unless HRIS_SYNC_SOURCE is set.
    "hris-sync": "people.tasks.hris_sync",
    # Invitations nobody acted on get one reminder (programmes/services/invitations.py).
    "invitation-reminders": "programmes.tasks.invitation_reminders",
    # Tasks a web request could not publish (broker down) are published again once it is back.
    "republish-pending": "people.tasks.republish_pending",
    # Import previews, and finished background jobs with their files, older than TEMPORARY_FILES_HOURS.
    "delete-temporary-files": "people.tasks.delete_temporary_files",
    # Orientation reminders (programmes/services/orientation.py): each reminder has a dedupe key.
    "send-orientation-reminders": "programmes.tasks_orientation.send_orientation_reminders",
    # Ongoing support: reminders, check-ins, inactivity escalation, the term, and closures waiting too long for
    # exit surveys (chased, then closed) (programmes/services/reminders.py).
    "sweep-support": "programmes.tasks.sweep_support",
    # Evaluation: cycles open and close on their dates, reminders at most weekly per person (dedupe keys),
    # results recomputed only where their inputs' fingerprint changed.
    "evaluation-open-and-close-cycles": "evaluation.tasks.open_and_close_cycles",
    "evaluation-cycle-reminders": "evaluation.tasks.send_cycle_reminders",
    # Background jobs (match runs, invitations, HRIS imports, report exports) queued while the broker was down
    # are published again; those that cannot finish (never started, or their worker died) fail with a message
    # (people/services/jobs.py).
    "unstick-background-jobs": "people.tasks.unstick_background_jobs",
    # Personal data: pair content of programmes closed PRIVACY_RETENTION_MONTHS ago is deleted (privacy/retention.py).
    "privacy-apply-retention": "privacy.tasks.apply_retention",
    "evaluation-compute-outcome-results": "evaluation.tasks.compute_outcome_results",
}


def beat_schedule(intervals: Mapping[str, float]) -> dict[str, dict[str, Any]]:
    """The schedule with each entry's interval in seconds; a run that waited longer than that in a queue is
    dropped (expires): the next one does the same work."""
    return {
        name: {"task": task, "schedule": timedelta(seconds=intervals[name]), "options": {"expires": intervals[name]}}
        for name, task in BEAT_TASKS.items()
    }


@app.on_after_configure.connect
def set_beat_schedule(sender: Celery, source: Any, **kwargs: Any) -> None:
    """Build the schedule once the settings are read (importing them here would run before Django set up)."""
    from django.conf import settings

    source.beat_schedule = beat_schedule(settings.MENTORING_BEAT_INTERVALS)


app.autodiscover_tasks()
