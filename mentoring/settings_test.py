"""Test settings: the real settings with fast hashing, eager Celery and strict templates.

DATABASE_URL and REDIS_URL still choose PostgreSQL and Redis (CI sets both); without them tests run on
SQLite and tests that need Redis skip, unless REQUIRE_SERVICES=1 makes them fail instead.
"""

import os

from .settings_env import celery_broker, redis_of_test_worker

os.environ.update(redis_of_test_worker(os.environ))
os.environ.setdefault("DJANGO_DEBUG", "1")

from .settings import *  # noqa: F403
from .settings import CELERY_LOCAL_DIR, REDIS_URL

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
AXES_ENABLED = True
CELERY_LOCAL_DIR = CELERY_LOCAL_DIR.parent / "celery-test"
CELERY_BROKER_URL, CELERY_BROKER_TRANSPORT_OPTIONS = celery_broker(REDIS_URL, CELERY_LOCAL_DIR)
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "") == "1"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
