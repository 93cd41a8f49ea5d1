"""Signing the mentoring agreement, recording the first meeting, and activation: the one move from accepted
to active, made when every member signed the current version and the first meeting is recorded (signing,
recording the meeting and a session logged as held all call `relationship_activate_if_ready`).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from people.models import User
from programmes.core.errors import DomainError, InvalidTransition, StaleTransition, TransitionBlocked
from programmes.core.figures_cache import programme_data_changed
from programmes.core.lifecycle import Blocker
from programmes.core.services.lifecycle import audit_event_record
from programmes.core.services.transitions import relationship_move
from programmes.models import Agreement, AgreementSignature, Relationship
from programmes.preparation.selectors.agreements import activation_blockers, current_version, unsigned_members

from .agreements import _locked, _member_for, _members, _notify, _require_editable, agreement_url

RState = Relationship.State
# A clock a little ahead of the server's (a phone) still records "now".
CLOCK_SLACK = timedelta(minutes=15)
_SPACES = re.compile(r"\s+")


# --- Signing ---------------------------------------------------------------------------------------------------


def normalise_name(name: str) -> str:
    """Compare names without regard to case or extra spaces."""
    return _SPACES.sub(" ", name).strip().casefold()


@transaction.atomic
def agreement_sign(
    *,
    actor: User,
    agreement: Agreement,
    version_number: int,
    typed_name: str,
    ip_address: str | None = None,
    user_agent: str = "",
) -> AgreementSignature:
    """A member signs the current version by typing their full name; the time and address are kept.

    Refused when the agreement changed since the page was opened (`version_number` is not current), when
    the expectations are not written down yet, or when the typed name is not the member's own.
    """
    agreement, relationship = _locked(agreement)
    _require_editable(relationship)
    members = _members(relationship)
    _member_for(members, actor)
    version = current_version(agreement)
    if version.number != version_number:
        raise StaleTransition(
            _("The agreement changed (it is now version %(n)d) since you opened it. Read it again before you sign.")
            % {"n": version.number}
        )
    missing = version.missing_for_signature()
    if missing:
        raise DomainError(_("Before anyone signs, write down: %(missing)s.") % {"missing": ", ".join(missing)})
    if normalise_name(typed_name) != normalise_name(actor.full_name) or not typed_name.strip():
        raise DomainError(
            _("Type your full name exactly as it appears in the directory: %(name)s.") % {"name": actor.full_name}
        )
    if version.signatures.filter(person=actor).exists():
        raise DomainError(_("You have already signed this version."))
    signature = AgreementSignature(
        version=version,
        person=actor,
        typed_name=_SPACES.sub(" ", typed_name).strip(),
        signed_at=timezone.now(),
        ip_address=ip_address or None,
        user_agent=user_agent[:300],
    )
    signature.full_clean(exclude=["version", "person"], validate_unique=False)
    signature.save()
    programme_data_changed(relationship.programme_id)
    audit_event_record(
        actor=actor,
        obj=agreement,
        from_state=f"v{version.number}",
        to_state=f"v{version.number}:signed",
        reason=gettext("Signed by %(name)s.") % {"name": actor.full_name},
        programme=relationship.programme,
    )
    unsigned = unsigned_members(version, members)
    if unsigned:
        _notify(
            relationship,
            [m.enrolment.person for m in unsigned],
            kind="agreement_signed",
            key=f"v{version.number}:signed:{actor.pk}",
            context={"who": str(actor), "version": version.number},
        )
    relationship_activate_if_ready(actor=actor, relationship=relationship)
    return signature


# --- The first meeting ----------------------------------------------------------------------------------------


@transaction.atomic
def agreement_first_meeting_record(*, actor: User, agreement: Agreement, met_at: datetime) -> Agreement:
    """A member records when the first meeting took place (a correction is allowed until the relationship is active)."""
    agreement, relationship = _locked(agreement)
    _member_for(_members(relationship), actor)
    if relationship.state != RState.ACCEPTED:
        raise InvalidTransition(_("The first meeting is recorded while the relationship is getting started."))
    if timezone.is_naive(met_at):
        raise DomainError(_("Give the time of the meeting with its time zone."))
    if met_at > timezone.now() + CLOCK_SLACK:
        raise DomainError(_("The first meeting cannot be in the future. Record it once it has taken place."))
    if met_at.date() < relationship.created_at.date() - timedelta(days=1):
        raise DomainError(_("The first meeting cannot be before the match was proposed."))
    agreement.first_meeting_at = met_at
    agreement.first_meeting_recorded_by = actor
    agreement.save(update_fields=["first_meeting_at", "first_meeting_recorded_by"])
    relationship_activate_if_ready(actor=actor, relationship=relationship)
    return agreement


# --- Activation ------------------------------------------------------------------------------------------------


@transaction.atomic
def relationship_activate(*, actor: User | None, relationship: Relationship) -> Relationship:
    """accepted → active, once every member signed the current version and the first meeting is recorded."""
    locked = Relationship.objects.select_for_update().select_related("programme").get(pk=relationship.pk)
    if locked.state != RState.ACCEPTED:
        raise InvalidTransition(
            _("Only an accepted relationship becomes active; this one is %(state)s.")
            % {"state": locked.get_state_display().lower()}
        )
    blockers = activation_blockers(locked)
    if blockers:
        url = agreement_url(locked)
        raise TransitionBlocked(_("The relationship cannot start yet."), [Blocker(b, url) for b in blockers])
    relationship_move(
        actor=actor,
        relationship=locked,
        to=RState.ACTIVE,
        reason=gettext("Agreement signed by everyone; first meeting recorded."),
    )
    people = [m.enrolment.person for m in _members(locked)]
    _notify(locked, people, kind="relationship_active", key="active", context={})
    relationship.state, relationship.state_changed_at = locked.state, locked.state_changed_at
    return locked


def relationship_activate_if_ready(*, actor: User | None, relationship: Relationship) -> bool:
    """Activate when both conditions hold (signing, the first meeting, a session logged as held call this)."""
    if relationship.state != RState.ACCEPTED or activation_blockers(relationship):
        return False
    relationship_activate(actor=actor, relationship=relationship)
    return True
