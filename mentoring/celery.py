"""The Celery app and the one beat schedule.

Web requests never wait on the broker: side effects leave through outbox rows (programmes.Notification)
that the sweeper below sends, and the few tasks that are published directly use a short publish retry
policy and socket timeouts, so a broker that is down fails fast and the periodic sweep catches up.
"""

import os
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

# The one beat schedule. Every entry is idempotent: running twice sends nothing twice. A sweep that waited
# longer than its interval in a queue is dropped (expires): the next one does the same work.
SWEEP_SECONDS = float(os.environ.get("NOTIFICATION_SWEEP_SECONDS", "30"))
SUPPORT_SWEEP_SECONDS = float(os.environ.get("SUPPORT_SWEEP_SECONDS", "3600"))
REPUBLISH_SECONDS = float(os.environ.get("REPUBLISH_SWEEP_SECONDS", "60"))
HRIS_SYNC_MINUTES = float(os.environ.get("HRIS_SYNC_MINUTES", "60"))
app.conf.beat_schedule = {
    "send-due-notifications": {
        "task": "programmes.tasks.send_due_notifications",
        "schedule": timedelta(seconds=SWEEP_SECONDS),
        "options": {"expires": SWEEP_SECONDS},
    },
    # Tasks a web request could not publish (broker down) are published again once it is back.
    # The HRIS sync (people/services/hris_sync.py): does nothing unless HRIS_SYNC_SOURCE is set.
    "hris-sync": {
        "task": "people.tasks.hris_sync",
        "schedule": timedelta(minutes=HRIS_SYNC_MINUTES),
        "options": {"expires": HRIS_SYNC_MINUTES * 60},
    },
    # Invitations nobody acted on get one reminder (programmes/services/invitations.py); daily is enough.
    "invitation-reminders": {
        "task": "programmes.tasks.invitation_reminders",
        "schedule": timedelta(hours=6),
        "options": {"expires": 6 * 3600},
    },
    "republish-pending": {
        "task": "people.tasks.republish_pending",
        "schedule": timedelta(seconds=REPUBLISH_SECONDS),
        "options": {"expires": REPUBLISH_SECONDS},
    },
    # Import previews and background imports' files older than TEMPORARY_FILES_HOURS.
    "delete-temporary-files": {
        "task": "people.tasks.delete_temporary_files",
        "schedule": timedelta(hours=1),
        "options": {"expires": 3600},
    },
    # Orientation reminders (programmes/services/orientation.py): hourly; each reminder has a dedupe key.
    "send-orientation-reminders": {
        "task": "programmes.tasks_orientation.send_orientation_reminders",
        "schedule": timedelta(hours=1),
        "options": {"expires": 3600},
    },
    # Ongoing support: reminders, check-ins, inactivity escalation, the term, and closures waiting too long for
    # exit surveys (chased, then closed) (programmes/services/reminders.py).
    "sweep-support": {
        "task": "programmes.tasks.sweep_support",
        "schedule": timedelta(seconds=SUPPORT_SWEEP_SECONDS),
        "options": {"expires": SUPPORT_SWEEP_SECONDS},
    },
    # Evaluation: cycles open and close on their dates, reminders at most weekly per person (dedupe keys),
    # results recomputed only where their inputs' fingerprint changed.
    "evaluation-open-and-close-cycles": {
        "task": "evaluation.tasks.open_and_close_cycles",
        "schedule": timedelta(minutes=30),
        "options": {"expires": 30 * 60},
    },
    "evaluation-cycle-reminders": {
        "task": "evaluation.tasks.send_cycle_reminders",
        "schedule": timedelta(hours=6),
        "options": {"expires": 6 * 3600},
    },
    # Exports queued while the broker was down are queued again; those that cannot finish fail with a message.
    "evaluation-unstick-export-jobs": {
        "task": "evaluation.tasks.unstick_export_jobs",
        "schedule": timedelta(minutes=10),
        "options": {"expires": 10 * 60},
    },
    # Personal data: pair content of programmes closed PRIVACY_RETENTION_MONTHS ago is deleted (privacy/retention.py).
    "privacy-apply-retention": {
        "task": "privacy.tasks.apply_retention",
        "schedule": timedelta(days=1),
        "options": {"expires": 24 * 3600},
    },
    "evaluation-compute-outcome-results": {
        "task": "evaluation.tasks.compute_outcome_results",
        "schedule": timedelta(hours=1),
        "options": {"expires": 3600},
    },
}

app.autodiscover_tasks()
app.autodiscover_tasks(related_name="tasks_orientation")
