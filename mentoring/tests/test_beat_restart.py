"""Beat can restart: when each periodic task last ran is kept in the schedule file the settings name
(CELERY_BEAT_SCHEDULE), so a beat restarted more often than an interval still runs the task when due.

These tests drive the scheduler class `celery beat` runs (PersistentScheduler) on the project's own
schedule, with the app's clock moved forward instead of waiting an hour.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from celery.beat import PersistentScheduler
from django.conf import settings

from mentoring.celery import app

HOURLY = "evaluation-compute-outcome-results"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 7, 1, 8, 0)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(app, "now", fake)
    return fake


def start_beat(filename: Path) -> PersistentScheduler:
    """What `celery -A mentoring beat` does when it starts: open the schedule file, merge the code's schedule."""
    return PersistentScheduler(app=app, schedule_filename=str(filename), lazy=False)


def is_due(beat: PersistentScheduler, name: str) -> bool:
    due, _next_check = beat.schedule[name].is_due()
    return bool(due)


def test_the_schedule_file_is_a_setting_outside_the_working_directory() -> None:
    assert app.conf.beat_schedule_filename == settings.CELERY_BEAT_SCHEDULE_FILENAME
    assert Path(settings.CELERY_BEAT_SCHEDULE_FILENAME).is_absolute()


def test_a_beat_restarted_every_half_hour_still_runs_the_hourly_work_when_due(clock: Clock, tmp_path: Path) -> None:
    schedule_file = tmp_path / "celerybeat-schedule"
    beat = start_beat(schedule_file)
    assert not is_due(beat, HOURLY)  # just started: the first run is an interval away
    beat.close()

    clock.now += timedelta(minutes=30)  # beat restarts (a deploy, a crash)
    beat = start_beat(schedule_file)
    assert not is_due(beat, HOURLY)
    beat.close()

    clock.now += timedelta(minutes=31)  # and again, 61 minutes after the first start
    beat = start_beat(schedule_file)
    assert is_due(beat, HOURLY), "the restarted beat forgot when the hourly work last ran"
    beat.close()

    # Without the file (a fresh working directory) the same restart would wait another full hour:
    fresh = start_beat(tmp_path / "elsewhere")
    assert not is_due(fresh, HOURLY)
    fresh.close()


def test_a_task_that_ran_is_not_run_again_by_a_restart_within_its_interval(clock: Clock, tmp_path: Path) -> None:
    schedule_file = tmp_path / "celerybeat-schedule"
    beat = start_beat(schedule_file)
    clock.now += timedelta(minutes=61)
    entry = beat.schedule[HOURLY]
    assert entry.is_due()[0]
    beat.schedule[HOURLY] = beat.reserve(entry)  # what beat does when it sends the task: last run = now
    beat.close()

    clock.now += timedelta(minutes=5)
    beat = start_beat(schedule_file)
    assert not is_due(beat, HOURLY)  # ran 5 minutes ago: not again
    beat.close()
