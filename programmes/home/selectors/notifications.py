"""The home page's unread notifications: those whose action is done already (a proposal answered, a
check-in answered, an approval decided, a signature given, a session confirmed) are left out, read from the
dedupe key the service wrote, a query or two per kind present."""

from __future__ import annotations

import json
from collections import defaultdict

from django.db.models import Q

from people.models import User
from programmes.core.selectors.programmes import notification_list_for_user
from programmes.core.states import AGREEMENT_EDITABLE
from programmes.models import (
    AgreementSignature,
    CheckIn,
    Enrolment,
    MentoringSession,
    Notification,
    Relationship,
)

RState = Relationship.State

# Notification kinds that ask for an answer to a proposal, or for the first agreement's signatures.
PROPOSAL_KINDS = ("match_proposed", "proposal_waiting")
AGREEMENT_KINDS = ("agreement_drafted", "agreement_unsigned")
# "Your signature is (still, again) needed", keyed agreement:<relationship>:v<number>:...:<person>.
SIGNATURE_KINDS = ("agreement_signed", "agreement_changed")


def _signatures_given(asks: dict[int, tuple[int, int, int]]) -> set[int]:
    """Of the asks for a signature (notification → relationship, version number, recipient), those done: the
    recipient signed that version or a later one, or the agreement can no longer be signed (two queries)."""
    if not asks:
        return set()
    relationship_ids = {relationship for relationship, _number, _person in asks.values()}
    signed: dict[tuple[int, int], int] = defaultdict(int)  # (relationship, person) → highest version signed
    for relationship, person, number in AgreementSignature.objects.filter(
        version__agreement__relationship_id__in=relationship_ids
    ).values_list("version__agreement__relationship_id", "person_id", "version__number"):
        signed[relationship, person] = max(signed[relationship, person], number)
    over = set(
        Relationship.objects.filter(pk__in=relationship_ids)
        .exclude(state__in=AGREEMENT_EDITABLE)
        .values_list("pk", flat=True)
    )
    return {
        pk
        for pk, (relationship, number, person) in asks.items()
        if signed[relationship, person] >= number or relationship in over
    }


def _done_keys(notifications: list[Notification]) -> set[int]:
    """The notifications whose action is done already: a proposal answered, a check-in answered, an
    approval decided, an agreement signed by everyone, a signature asked for given, a logged session confirmed.
    Read from the dedupe key the service wrote (a query or two per kind present)."""
    relationship_ids: dict[int, int] = {}
    checkin_ids: dict[int, int] = {}
    enrolment_ids: dict[int, int] = {}
    session_ids: dict[int, int] = {}
    signature_asks: dict[int, tuple[int, int, int]] = {}
    for n in notifications:
        parts = n.dedupe_key.split(":")
        if n.kind in PROPOSAL_KINDS + AGREEMENT_KINDS:
            number = parts[1] if len(parts) > 1 and parts[1].isdigit() else None
            if number:
                relationship_ids[n.pk] = int(number)
        elif n.kind == "checkin_due" and len(parts) > 1 and parts[1].isdigit():
            checkin_ids[n.pk] = int(parts[1])
        elif n.kind == "enrolment_approval" and len(parts) > 1 and parts[1].isdigit():
            enrolment_ids[n.pk] = int(parts[1])
        elif n.kind == "session_logged" and len(parts) > 1 and parts[1].isdigit():
            session_ids[n.pk] = int(parts[1])  # session:<pk>:logged:<person>
        elif n.kind in SIGNATURE_KINDS and len(parts) > 2 and parts[1].isdigit() and parts[2][1:].isdigit():
            signature_asks[n.pk] = (int(parts[1]), int(parts[2][1:]), n.recipient_id)
    done = _signatures_given(signature_asks)
    if session_ids:
        # "Please confirm it" is done once someone confirmed the session (or it was cancelled).
        settled = set(
            MentoringSession.objects.filter(pk__in=set(session_ids.values()))
            .filter(Q(confirmed_at__isnull=False) | Q(status=MentoringSession.Status.CANCELLED))
            .values_list("pk", flat=True)
        )
        done |= {pk for pk, session in session_ids.items() if session in settled}
    if relationship_ids:
        states = dict(Relationship.objects.filter(pk__in=set(relationship_ids.values())).values_list("pk", "state"))
        for pk, relationship_id in relationship_ids.items():
            kind = next(n.kind for n in notifications if n.pk == pk)
            state = states.get(relationship_id)
            if kind in PROPOSAL_KINDS and state != RState.PROPOSED:
                done.add(pk)  # answered: accepted, declined, or further along
            elif kind in AGREEMENT_KINDS and state != RState.ACCEPTED:
                done.add(pk)  # the agreement is in force (or the pair ended)
    if checkin_ids:
        answered = set(
            CheckIn.objects.filter(pk__in=set(checkin_ids.values()), answered_at__isnull=False).values_list(
                "pk", flat=True
            )
        )
        done |= {pk for pk, checkin in checkin_ids.items() if checkin in answered}
    if enrolment_ids:
        decided = set(
            Enrolment.objects.filter(pk__in=set(enrolment_ids.values()))
            .exclude(manager_approval=Enrolment.ManagerApproval.PENDING)
            .values_list("pk", flat=True)
        )
        done |= {pk for pk, enrolment in enrolment_ids.items() if enrolment in decided}
    return done


def notifications_for_home(*, user: User, limit: int = 5) -> list[Notification]:
    """Unread notifications still worth reading: those whose action is done already are left out."""
    unread = list(notification_list_for_user(user=user).filter(read_at__isnull=True)[: limit * 4])
    done = _done_keys(unread)
    # A daily reminder of the same thing ("21 pairs are overdue a contact") is shown once, not once a day.
    seen: set[tuple[str, str, str]] = set()
    kept = []
    for n in unread:
        key = (n.kind, json.dumps(n.context, sort_keys=True, default=str), n.url)
        if n.pk not in done and key not in seen:
            seen.add(key)
            kept.append(n)
    return kept[:limit]
