"""Programme models, split by concern; import them from here."""

from .core import Enrolment, Programme, ProgrammeRole
from .notifications import Notification

__all__ = ["Enrolment", "Notification", "Programme", "ProgrammeRole"]
