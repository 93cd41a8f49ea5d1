"""Domain errors: a service refuses with a message a person can act on; views turn them into messages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils.functional import Promise

if TYPE_CHECKING:
    from .lifecycle import Blocker


class DomainError(Exception):
    """A refused action; `message` says why, in words a coordinator can act on."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


class InvalidTransition(DomainError):
    """The move does not exist from the current state (advance a closed programme, resume one not on hold)."""


class StaleTransition(DomainError):
    """Someone else moved the object first (a double click, two coordinators at once)."""


class TransitionBlocked(DomainError):
    """Guards stop the move; `blockers` say what is missing and where to fix it."""

    def __init__(self, message: str | Promise, blockers: Sequence[Blocker]) -> None:
        super().__init__(message)
        self.blockers = list(blockers)
