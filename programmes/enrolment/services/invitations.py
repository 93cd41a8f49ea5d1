"""Bulk invitations to apply to a programme, the link that records an opening, and the one reminder."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from people.models import User
from programmes.core.errors import DomainError
from programmes.core.services.notifications import notification_create_many
from programmes.models import Enrolment, Invitation, Programme, Recruitment


def _recruiting(programme: Programme) -> bool:
    recruitment = Recruitment.objects.filter(programme=programme).first()
    return recruitment is not None and recruitment.accepts_applications()


def _link(invitation: Invitation) -> str:
    return reverse("programmes:invitation_open", args=[invitation.programme_id, invitation.token])


@transaction.atomic
def invitations_send(*, actor: User, programme: Programme, people: Iterable[User], role: str) -> list[Invitation]:
    """Invite each person once; people already invited or with an application are left out.

    The welcome e-mail is an outbox row per person, rendered in their own language when it is sent.
    """
    if not _recruiting(programme):
        raise DomainError(_("Open recruitment first, so that the people you invite can apply."))
    if role not in Enrolment.Role.values:
        raise DomainError(_("Choose the role people are invited to."))
    candidates = {p.pk: p for p in people if p.is_active and not p.has_left()}
    taken = set(Invitation.objects.filter(programme=programme, person__in=candidates).values_list("person", flat=True))
    taken |= set(Enrolment.objects.filter(programme=programme, person__in=candidates).values_list("person", flat=True))
    invitations = [
        Invitation(programme=programme, person=person, role=role, invited_by=actor)
        for pk, person in candidates.items()
        if pk not in taken
    ]
    Invitation.objects.bulk_create(invitations, batch_size=500)
    by_person = {i.person_id: i for i in invitations}
    notification_create_many(
        recipients=[i.person for i in invitations],
        kind="programme_invitation",
        dedupe_key=lambda person: f"invitation:{programme.pk}:{person.pk}",
        context=lambda person: {
            "programme": programme.name,
            "role": by_person[person.pk].get_role_display(),
            # Someone who has never signed in also reads the welcome: they have an account and how to sign in.
            "welcome": person.last_login is None,
        },
        url=lambda person: _link(by_person[person.pk]),
    )
    return invitations


@transaction.atomic
def invitation_open(*, user: User, programme: Programme, token: str) -> Invitation:
    """The invited person followed their link: record the first opening (someone else's link records nothing)."""
    invitation = Invitation.objects.select_for_update().filter(programme=programme, token=token).first()
    if invitation is None or invitation.person_id != user.pk:
        raise DomainError(_("This invitation link is not yours, or it is no longer valid."))
    if invitation.opened_at is None:
        invitation.opened_at = timezone.now()
        invitation.save(update_fields=["opened_at"])
    return invitation


@transaction.atomic
def invitations_remind_due(*, now: datetime | None = None) -> int:
    """One reminder to each person who neither opened nor applied INVITATION_REMINDER_DAYS after the invitation."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.INVITATION_REMINDER_DAYS)
    applied = Enrolment.objects.filter(programme=OuterRef("programme"), person=OuterRef("person"))
    due = list(
        Invitation.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(
            sent_at__lte=cutoff,
            opened_at__isnull=True,
            reminded_at__isnull=True,
            person__is_active=True,
        )
        .exclude(Exists(applied))
        .select_related("programme", "person")[:1000]
    )
    due = [i for i in due if _recruiting(i.programme)]  # a closed recruitment reminds nobody
    for programme_id in {i.programme_id for i in due}:
        _remind([i for i in due if i.programme_id == programme_id])
    Invitation.objects.filter(pk__in=[i.pk for i in due]).update(reminded_at=now)
    return len(due)


def _remind(batch: list[Invitation]) -> None:
    """The reminders of one programme's invitations (a person invited to two programmes hears of each)."""
    by_person = {i.person_id: i for i in batch}
    programme = batch[0].programme
    notification_create_many(
        recipients=[i.person for i in batch],
        kind="programme_invitation_reminder",
        dedupe_key=lambda person: f"invitation-reminder:{programme.pk}:{person.pk}",
        context={"programme": programme.name},
        url=lambda person: _link(by_person[person.pk]),
    )
