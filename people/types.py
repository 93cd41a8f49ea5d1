"""Typing helpers shared by the apps."""

from django.http import HttpRequest

from .models import User


class AuthedRequest(HttpRequest):
    """A request behind LoginRequiredMiddleware: `user` is always a signed-in User."""

    user: User
