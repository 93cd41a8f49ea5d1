"""Nothing a person waits for depends on Redis: with Redis stopped the API still answers 200 (its throttle
falls back to process memory), and a task a request could not publish is published again by the
republish sweep once Redis is back.

Each test starts its own redis-server on a free port and stops it (programmes/tests/test_redis_outage.py's
fixture); the shared Redis of other test runs is never touched.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from rest_framework.authtoken.models import Token

from conftest import Personas
from mentoring.background import enqueue_on_commit
from mentoring.cache import FallbackRedisCache
from people.models import PendingPublish
from people.tasks import republish_pending
from programmes.tasks import send_due_notifications
from programmes.tests.test_celery_worker import project_app_on
from programmes.tests.test_redis_outage import OwnRedis, own_redis

__all__ = ["own_redis"]  # a fixture these tests use


@pytest.fixture
def redis_cache(own_redis: OwnRedis, settings: Any) -> Iterator[OwnRedis]:
    """The production cache configuration, pointed at our own Redis."""
    settings.CACHES = {
        "default": {
            "BACKEND": "mentoring.cache.FallbackRedisCache",
            "LOCATION": own_redis.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            "KEY_PREFIX": "mentoring",
        }
    }
    FallbackRedisCache.forget_outage()
    yield own_redis
    FallbackRedisCache.forget_outage()


def _api(user: Any) -> Client:
    token, _created = Token.objects.get_or_create(user=user)
    return Client(headers={"Authorization": f"Token {token.key}"})


@pytest.mark.redis
@pytest.mark.django_db
def test_the_api_answers_200_with_redis_stopped_and_does_not_wait_on_it(
    redis_cache: OwnRedis, personas: Personas
) -> None:
    api = _api(personas.hr_analyst)
    assert api.get("/api/programmes/").status_code == 200
    # The throttle really counts in Redis while it is up.
    assert redis.Redis.from_url(redis_cache.url).keys("*throttle_user*")

    redis_cache.stop()
    timings = []
    for _ in range(3):
        started = time.monotonic()
        response = api.get("/api/programmes/")
        timings.append(time.monotonic() - started)
        assert response.status_code == 200, response.content[:300]
    assert {p["name"] for p in response.json()["results"]} >= {personas.programme.name}
    # One socket timeout for the first call at most; the calls after it do not ask Redis again.
    assert timings[0] < 2, timings
    assert max(timings[1:]) < 0.5, timings


@pytest.mark.redis
@pytest.mark.django_db
def test_the_cache_keeps_working_in_process_memory_while_redis_is_down(redis_cache: OwnRedis) -> None:
    cache.set("greeting", "halo", 60)
    assert cache.get("greeting") == "halo"
    redis_cache.stop()
    assert cache.get("greeting") is None  # Redis's copy is out of reach; no error
    cache.set("greeting", "apa kabar", 60)
    assert cache.get("greeting") == "apa kabar"
    assert cache.get_or_set("other", 7) == 7


@pytest.mark.redis
@pytest.mark.django_db
def test_every_cache_call_reuses_one_redis_client_and_it_reconnects_after_an_outage(redis_cache: OwnRedis) -> None:
    client = cache._cache.get_client()  # type: ignore[attr-defined]
    assert cache._cache.get_client() is client  # type: ignore[attr-defined]
    cache.set("greeting", "halo", 60)
    redis_cache.stop()
    redis_cache.start()
    FallbackRedisCache.forget_outage()
    cache.set("greeting", "selamat pagi", 60)
    assert client.get(cache.make_key("greeting")) is not None, "the same client wrote it, on a new connection"
    assert cache.get("greeting") == "selamat pagi"


@pytest.mark.redis
@pytest.mark.django_db
def test_a_publish_that_failed_is_kept_and_the_sweep_publishes_it_once_redis_is_back(
    own_redis: OwnRedis, django_capture_on_commit_callbacks: Any
) -> None:
    with project_app_on(own_redis.url, task_default_queue="republish-test") as app:
        own_redis.stop()
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            enqueue_on_commit(send_due_notifications)
        pending = PendingPublish.objects.get()
        assert pending.task == "programmes.tasks.send_due_notifications"

        assert republish_pending() == 0  # still down: kept, attempt counted
        assert PendingPublish.objects.get().attempts == 1

        own_redis.start()
        assert republish_pending() == 1
        assert not PendingPublish.objects.exists()
        with app.connection_for_write() as conn:
            queued = conn.default_channel.client.llen("republish-test")
    assert queued == 1  # the task is on the broker's queue for a worker


def test_the_republish_sweep_runs_every_minute() -> None:
    from mentoring.celery import app

    entry = app.conf.beat_schedule["republish-pending"]
    assert entry["task"] == republish_pending.name
    assert entry["schedule"].total_seconds() <= 60
