"""Each pytest-xdist worker takes its own Redis database (mentoring.settings_env.redis_of_test_worker), so two
workers never share cache keys, locks or queued tasks; the move happens once, whatever inherits it."""

from __future__ import annotations

import os

from mentoring.settings_env import redis_of_test_worker


def test_each_worker_takes_the_database_after_redis_urls_by_its_number() -> None:
    url = "redis://127.0.0.1:6379/3"
    assert redis_of_test_worker({"REDIS_URL": url, "PYTEST_XDIST_WORKER": "gw0"})["REDIS_URL"] == url
    moved = redis_of_test_worker({"REDIS_URL": url, "PYTEST_XDIST_WORKER": "gw1"})
    assert moved["REDIS_URL"] == "redis://127.0.0.1:6379/4"
    assert redis_of_test_worker({"REDIS_URL": "redis://localhost", "PYTEST_XDIST_WORKER": "gw2"})["REDIS_URL"] == (
        "redis://localhost/2"
    )


def test_a_subprocess_that_inherits_the_moved_url_keeps_it_and_one_process_runs_unmoved() -> None:
    inherited = {"PYTEST_XDIST_WORKER": "gw1"} | redis_of_test_worker(
        {"REDIS_URL": "redis://127.0.0.1:6379/0", "PYTEST_XDIST_WORKER": "gw1"}
    )
    assert redis_of_test_worker(inherited) == {}
    assert redis_of_test_worker({"REDIS_URL": "redis://127.0.0.1:6379/0"}) == {}
    assert redis_of_test_worker({"PYTEST_XDIST_WORKER": "gw1"}) == {}


def test_the_settings_and_the_tests_read_the_same_redis_url(settings: object) -> None:
    assert os.environ.get("REDIS_URL", "") == settings.REDIS_URL  # type: ignore[attr-defined]
    assert not settings.REDIS_URL or settings.CELERY_BROKER_URL == settings.REDIS_URL  # type: ignore[attr-defined]
