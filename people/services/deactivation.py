"""A person leaves: the account closes and their open programme work is handed back.

People is the lower app, so it cannot end enrolments itself; it announces `person_deactivated` and the
programmes app withdraws the person's open enrolments through the same path as a withdrawal (which ends
their relationships through the state machine and tells the coordinators).
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal

from people.models import User

logger = logging.getLogger(__name__)

# Sent with person=User and reason=str inside the transaction that deactivates the person.
person_deactivated = Signal()


@transaction.atomic
def person_deactivate(*, person: User, reason: str) -> User:
    """Close the account (no sign-in, no e-mail) and hand the person's open work back; a no-op if already closed."""
    locked = User.objects.select_for_update().get(pk=person.pk)
    if not locked.is_active:
        return locked
    locked.is_active = False
    locked.save(update_fields=["is_active"])
    person_deactivated.send(sender=User, person=locked, reason=reason)
    logger.info("person %s deactivated: %s", locked.pk, reason)
    return locked


@transaction.atomic
def person_reactivate(*, person: User) -> User:
    """Open the account again (a rehire, or a deactivation by mistake); their old enrolments stay withdrawn."""
    User.objects.filter(pk=person.pk).update(is_active=True)
    person.refresh_from_db()
    return person
