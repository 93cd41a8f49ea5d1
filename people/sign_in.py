"""What happens once a person is signed in, whichever door they came through (password or single sign-on)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.http import urlencode

from .models import User


def after_sign_in(user: Any, url: str) -> str:
    """Where a person goes once signed in: the privacy notice first if they have not accepted its current version."""
    if isinstance(user, User) and not user.has_accepted_privacy_notice():
        return f"{reverse('people:privacy_notice')}?{urlencode({'next': url})}"
    return url
