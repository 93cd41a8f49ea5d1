"""Every task of ours carries the one retry policy (mentoring/tasks_base.py), and beat runs each entry as
often as the settings say (MENTORING_BEAT_INTERVALS, with environment overrides for the frequent sweeps)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from celery.exceptions import Retry
from django.conf import settings
from django.db import OperationalError
from django.test import override_settings

from mentoring.celery import BEAT_TASKS, app, beat_schedule
from mentoring.tasks_base import LongSweepTask, MentoringTask

OUR_APPS = ("mentoring.", "people.", "programmes.", "evaluation.", "privacy.")
REPO = Path(__file__).resolve().parents[2]
calls: list[str] = []


@app.task(base=MentoringTask, name="mentoring.tests.test_tasks_base.flaky")
def flaky(failures: int, error: str = "database") -> str:
    """Fails `failures` times (a dropped database connection, or a bug), then succeeds."""
    calls.append(error)
    if len(calls) <= failures:
        raise OperationalError("connection lost") if error == "database" else ValueError("a bug")
    return "done"


def our_tasks() -> dict[str, Any]:
    app.loader.import_default_modules()  # the autodiscovery a worker does at start
    return {name: task for name, task in app.tasks.items() if name.startswith(OUR_APPS)}


def test_every_task_of_ours_uses_the_base_class_with_its_retry_policy() -> None:
    tasks = our_tasks()
    assert len(tasks) >= 14  # the apps' tasks were found, not just this file's
    assert [name for name, task in tasks.items() if not isinstance(task, MentoringTask)] == []
    for task in tasks.values():
        assert task.autoretry_for == MentoringTask.autoretry_for
        assert task.retry_jitter is True
    assert isinstance(tasks["programmes.tasks.sweep_support"], LongSweepTask)
    assert tasks["programmes.tasks.sweep_support"].max_retries == 3
    assert tasks["evaluation.tasks.build_export"].max_retries == 4


def test_every_beat_entry_names_a_registered_task_of_ours() -> None:
    tasks = our_tasks()
    assert set(BEAT_TASKS.values()) <= set(tasks)
    assert set(BEAT_TASKS) == set(settings.MENTORING_BEAT_INTERVALS)


def test_a_dropped_database_connection_is_retried() -> None:
    calls.clear()
    with pytest.raises(Retry) as retry:
        flaky.apply(args=(1,))
    assert isinstance(retry.value.exc, OperationalError)
    assert calls == ["database"]


def test_any_other_error_fails_the_task_at_once() -> None:
    calls.clear()
    with pytest.raises(ValueError, match="a bug"):
        flaky.apply(args=(1, "bug"))
    assert calls == ["bug"]


def test_the_retries_stop_after_the_policys_maximum() -> None:
    with pytest.raises(Retry):
        flaky.apply(args=(10,), retries=MentoringTask.max_retries - 1)
    with pytest.raises(OperationalError):
        flaky.apply(args=(10,), retries=MentoringTask.max_retries)


def test_the_schedule_in_use_follows_the_interval_settings() -> None:
    schedule = app.conf.beat_schedule
    assert set(schedule) == set(BEAT_TASKS)
    for name, seconds in settings.MENTORING_BEAT_INTERVALS.items():
        assert schedule[name]["task"] == BEAT_TASKS[name]
        assert schedule[name]["schedule"].total_seconds() == seconds
        assert schedule[name]["options"]["expires"] == seconds


def test_changed_interval_settings_change_the_schedule() -> None:
    changed = {name: 7 + index for index, name in enumerate(BEAT_TASKS)}
    with override_settings(MENTORING_BEAT_INTERVALS=changed):
        schedule = beat_schedule(settings.MENTORING_BEAT_INTERVALS)
    assert {name: entry["schedule"].total_seconds() for name, entry in schedule.items()} == changed
    assert {name: entry["options"]["expires"] for name, entry in schedule.items()} == changed


def test_the_environment_overrides_the_frequent_sweeps_intervals() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mentoring.settings",
        "DJANGO_DEBUG": "1",
        "NOTIFICATION_SWEEP_SECONDS": "5",
        "REPUBLISH_SWEEP_SECONDS": "11",
        "SUPPORT_SWEEP_SECONDS": "600",
        "HRIS_SYNC_MINUTES": "15",
    }
    script = (
        "from mentoring.celery import app;"
        "s = app.conf.beat_schedule;"
        "print([s[n]['schedule'].total_seconds() for n in"
        " ('send-due-notifications', 'republish-pending', 'sweep-support', 'hris-sync')])"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", script], env=env, cwd=REPO, capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[5.0, 11.0, 600.0, 900.0]"
