"""The project package: settings, URLs, the Celery app. It holds no models."""

from .celery import app as celery_app

__all__ = ("celery_app",)
