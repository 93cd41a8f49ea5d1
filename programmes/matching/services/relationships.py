"""Relationships from proposal to acceptance: propose (a published match or a mentee's request), answer, decline.

    proposed → accepted (every member accepted) | declined (any member declined)

Capacity is a row lock, not a hope: proposing takes the mentor's enrolment row with SELECT … FOR UPDATE
and counts the relationships that already hold a slot, so two mentees who ask for a mentor's last slot at
the same moment are served one after the other, and the second is told the mentor is full. A published or
requested relationship holds its slot from the moment it is proposed, so accepting never races either.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.models import User
from programmes.core.errors import DomainError, InvalidTransition
from programmes.core.services.lifecycle import audit_event_record
from programmes.core.services.notifications import notification_create
from programmes.core.services.transitions import enrolment_seats_sync, relationship_move
from programmes.core.states import ENROLMENT_MENTOR_PICKABLE, FORMED, OPEN, check_pairing_phase
from programmes.enrolment.services.enrolment import enrolment_mark_matched
from programmes.models import Enrolment, MatchRun, Programme, Relationship, RelationshipMember
from programmes.preparation.services.agreements import agreement_draft_for

from .pairing import pair_check

RState = Relationship.State
Response = RelationshipMember.Response

KIND_FOR_FORMAT: dict[str, str] = {
    Programme.Format.GROUP: Relationship.Kind.GROUP,
    Programme.Format.PEER_CIRCLE: Relationship.Kind.CIRCLE,
}


def _lock_enrolments(ids: Sequence[int]) -> dict[int, Enrolment]:
    """Lock the enrolment rows in primary-key order (one order for everyone, so no deadlock)."""
    rows = Enrolment.objects.select_for_update().filter(pk__in=sorted(set(ids))).order_by("pk")
    return {row.pk: row for row in rows.select_related("person", "programme")}


def open_slots_taken(enrolment: Enrolment, *, exclude: Relationship | None = None) -> int:
    """How many open relationships hold a slot of this enrolment."""
    rows = Relationship.objects.filter(members__enrolment=enrolment, state__in=OPEN)
    if exclude is not None:
        rows = rows.exclude(pk=exclude.pk)
    return rows.distinct().count()


def accepted_slots_taken(enrolment: Enrolment) -> int:
    """How many relationships past the proposal stage hold a place of this enrolment."""
    past_proposal = OPEN & FORMED
    return Relationship.objects.filter(members__enrolment=enrolment, state__in=past_proposal).distinct().count()


def _relationship_url(relationship: Relationship) -> str:
    return reverse("programmes:relationship_detail", args=[relationship.programme_id, relationship.pk])


def _check_can_join(mentor: Enrolment, mentees: Sequence[Enrolment]) -> None:
    """Refuse with a reason when the (locked) rows cannot form a new relationship."""
    if mentor.state not in ENROLMENT_MENTOR_PICKABLE or not mentor.is_mentor_side:
        raise DomainError(_("%(name)s is not in the matching pool.") % {"name": mentor.person})
    if open_slots_taken(mentor) >= mentor.effective_capacity():
        raise DomainError(_("%(name)s has no free place left.") % {"name": mentor.person})
    for mentee in mentees:
        if mentee.state != Enrolment.State.AVAILABLE or mentee.is_mentor_side:
            raise DomainError(_("%(name)s is not in the matching pool.") % {"name": mentee.person})
        if mentee.person_id == mentor.person_id:
            raise DomainError(_("Nobody mentors themselves."))
        if open_slots_taken(mentee):
            raise DomainError(_("%(name)s already has a match in progress.") % {"name": mentee.person})


@transaction.atomic
def relationship_propose(
    *,
    actor: User,
    mentor: Enrolment,
    mentees: Sequence[Enrolment],
    origin: str = Relationship.Origin.MATCH_RUN,
    run: MatchRun | None = None,
    score: float | None = None,
    explanation: str = "",
) -> Relationship:
    """Propose a pair (or a group: several mentees, one mentor) and notify each member who must answer.

    The one pairing path (a run's publication, a coordinator's pair, a request, a rematch): locks the
    mentor's and the mentees' enrolments, then checks the programme's phase, that everyone is in the pool,
    the hard rules and forbids (services.pairing) and the mentor's capacity. A request (origin=request)
    counts as the requesting mentee's acceptance. Without a `score`, the pair's own score is kept.
    """
    if not mentees:
        raise DomainError(_("A relationship needs at least one mentee."))
    locked = _lock_enrolments([mentor.pk, *(m.pk for m in mentees)])
    mentor, mentees = locked[mentor.pk], [locked[m.pk] for m in mentees]
    if any(m.programme_id != mentor.programme_id for m in mentees):
        raise DomainError(_("Everyone in a relationship belongs to the same programme."))
    programme = mentor.programme
    check_pairing_phase(programme)
    _check_can_join(mentor, mentees)
    scored = pair_check(programme=programme, mentor=mentor, mentees=mentees)
    if score is None:
        score = sum(s.score for s in scored) / len(scored)
    if not explanation and len(scored) == 1:
        explanation = scored[0].explanation
    kind = KIND_FOR_FORMAT.get(programme.format, Relationship.Kind.PAIR) if len(mentees) > 1 else Relationship.Kind.PAIR
    relationship = Relationship(
        programme=programme, kind=kind, origin=origin, run=run, score=score, explanation=explanation.strip()
    )
    relationship.full_clean()
    relationship.save()
    requested = origin == Relationship.Origin.REQUEST
    now = timezone.now()
    members = [RelationshipMember(relationship=relationship, enrolment=mentor, role=mentor.role)]
    for mentee in mentees:
        answered = Response.ACCEPTED if requested else Response.PENDING
        members.append(
            RelationshipMember(
                relationship=relationship,
                enrolment=mentee,
                role=mentee.role,
                response=answered,
                responded_at=now if requested else None,
            )
        )
    RelationshipMember.objects.bulk_create(members)
    audit_event_record(actor=actor, obj=relationship, from_state="", to_state=RState.PROPOSED)
    _notify_proposed(relationship, members, mentor=mentor, requested=requested)
    return relationship


def _notify_proposed(
    relationship: Relationship, members: list[RelationshipMember], *, mentor: Enrolment, requested: bool
) -> None:
    names = {m.enrolment_id: str(m.enrolment.person) for m in members}
    for member in members:
        if member.response != Response.PENDING:
            continue
        others = ", ".join(name for pk, name in names.items() if pk != member.enrolment_id)
        notification_create(
            recipient=member.enrolment.person,
            kind="match_proposed",
            dedupe_key=f"relationship:{relationship.pk}:proposed:{member.enrolment_id}",
            context={
                "programme": relationship.programme.name,
                "other": others,
                "requested": requested,
                "explanation": relationship.explanation,
            },
            url=_relationship_url(relationship),
        )


def _locked_relationship(relationship: Relationship) -> Relationship:
    locked = Relationship.objects.select_for_update().select_related("programme").get(pk=relationship.pk)
    if locked.state != RState.PROPOSED:
        raise InvalidTransition(
            _("This match is %(state)s; it can no longer be answered.") % {"state": locked.get_state_display().lower()}
        )
    return locked


@transaction.atomic
def relationship_respond(
    *, actor: User, relationship: Relationship, enrolment: Enrolment, accept: bool, note: str = ""
) -> Relationship:
    """A member accepts or declines a proposed relationship.

    Every member accepting makes it `accepted` (mentees become matched; a mentor becomes matched when their
    last slot is taken). One decline makes it `declined`: the others return to the pool, and the note tells
    them why.
    """
    relationship = _locked_relationship(relationship)
    members = list(relationship.members.select_related("enrolment__person"))
    mine = next((m for m in members if m.enrolment_id == enrolment.pk), None)
    if mine is None or mine.enrolment.person_id != actor.pk:
        raise DomainError(_("Only the people in this match answer it."))
    if mine.response != Response.PENDING:
        raise InvalidTransition(_("You have already answered."))
    locked = _lock_enrolments([m.enrolment_id for m in members])
    mine.response = Response.ACCEPTED if accept else Response.DECLINED
    mine.responded_at = timezone.now()
    mine.note = note.strip()
    mine.save(update_fields=["response", "responded_at", "note"])
    if not accept:
        return _decline(actor=actor, relationship=relationship, who=mine, members=members)
    # Proposals hold places, but a capacity lowered since can leave more proposals than places: then the
    # first acceptances win, under the row lock, and a later one is refused.
    if mine.gives and accepted_slots_taken(locked[mine.enrolment_id]) >= locked[mine.enrolment_id].effective_capacity():
        raise DomainError(_("You have no free place left; raise your capacity or decline."))
    if all(m.response == Response.ACCEPTED for m in members):
        _accept(actor=actor, relationship=relationship, members=members, locked=locked)
    return relationship


def _accept(
    *, actor: User, relationship: Relationship, members: list[RelationshipMember], locked: dict[int, Enrolment]
) -> None:
    """Everyone said yes: the relationship is accepted, its agreement drafted, and the enrolments move to matched."""
    relationship_move(actor=actor, relationship=relationship, to=RState.ACCEPTED)
    agreement_draft_for(relationship, actor=actor)
    for member in members:
        enrolment = locked[member.enrolment_id]
        full = open_slots_taken(enrolment) >= enrolment.effective_capacity()
        if enrolment.state == Enrolment.State.AVAILABLE and (not member.gives or full):
            enrolment_mark_matched(actor=actor, enrolment=enrolment)
        _notify_answered(relationship, member, state=RState.ACCEPTED, who="")


def _decline(
    *, actor: User, relationship: Relationship, who: RelationshipMember, members: list[RelationshipMember]
) -> Relationship:
    """One member said no. In a group or circle a taker who declines leaves, and the group goes on while it
    keeps its smallest size; otherwise the whole proposal is declined. Either way seats are given back."""
    reason = who.note or str(_("No reason given."))
    takers = [m for m in members if not m.gives]
    smallest = relationship.programme.group_size_min or 2
    if relationship.kind != Relationship.Kind.PAIR and not who.gives and len(takers) - 1 >= smallest:
        return _leave_group(actor=actor, relationship=relationship, who=who, members=members, reason=reason)
    relationship_move(actor=actor, relationship=relationship, to=RState.DECLINED, reason=reason)
    for member in members:
        if member.pk != who.pk:
            _notify_answered(relationship, member, state=RState.DECLINED, who=str(who.enrolment.person))
    _sync_seats(actor=actor, members=members)
    return relationship


def _leave_group(
    *, actor: User, relationship: Relationship, who: RelationshipMember, members: list[RelationshipMember], reason: str
) -> Relationship:
    """The decliner leaves a proposed group that still has its smallest size without them.

    Their answer is kept as a declined proposal of their own with the same mentor (so later runs do not
    propose that pair again, and the others are not barred); the group waits for the others' answers.
    """
    giver = next(m for m in members if m.gives)
    split = Relationship(
        programme=relationship.programme,
        kind=Relationship.Kind.PAIR,
        origin=relationship.origin,
        run=relationship.run,
        score=relationship.score,
        state=RState.DECLINED,
        explanation=str(_("Left group #%(pk)d before it started.") % {"pk": relationship.pk}),
    )
    split.full_clean()
    split.save()
    audit_event_record(actor=actor, obj=split, from_state=RState.PROPOSED, to_state=RState.DECLINED, reason=reason)
    RelationshipMember.objects.filter(pk=who.pk).update(relationship=split)
    RelationshipMember.objects.create(
        relationship=split, enrolment=giver.enrolment, role=giver.role, response=giver.response
    )
    left = str(_("%(name)s declined and left the group.") % {"name": who.enrolment.person})
    audit_event_record(actor=actor, obj=relationship, from_state=RState.PROPOSED, to_state=RState.PROPOSED, reason=left)
    remaining = [m for m in members if m.pk != who.pk]
    if all(m.response == Response.ACCEPTED for m in remaining):
        locked = _lock_enrolments([m.enrolment_id for m in remaining])
        _accept(actor=actor, relationship=relationship, members=remaining, locked=locked)
    return relationship


def _sync_seats(*, actor: User | None, members: list[RelationshipMember]) -> None:
    """Give back the seats a proposal held: each giver is matched only while their capacity is full."""
    for enrolment in _lock_enrolments([m.enrolment_id for m in members if m.gives]).values():
        enrolment_seats_sync(actor=actor, enrolment=enrolment)


def _notify_answered(relationship: Relationship, member: RelationshipMember, *, state: str, who: str) -> None:
    notification_create(
        recipient=member.enrolment.person,
        kind="match_answered",
        dedupe_key=f"relationship:{relationship.pk}:{state}:{member.enrolment_id}",
        context={"programme": relationship.programme.name, "state": state, "who": who},
        url=_relationship_url(relationship),
    )


@transaction.atomic
def relationship_decline_for_withdrawal(*, actor: User, relationship: Relationship, enrolment: Enrolment) -> None:
    """A member withdrew from the programme: their proposed relationships are declined, the others told."""
    relationship = _locked_relationship(relationship)
    members = list(relationship.members.select_related("enrolment__person"))
    who = next(m for m in members if m.enrolment_id == enrolment.pk)
    who.response = Response.DECLINED
    who.responded_at = timezone.now()
    who.note = str(_("Withdrew from the programme."))
    who.save(update_fields=["response", "responded_at", "note"])
    _decline(actor=actor, relationship=relationship, who=who, members=members)


@transaction.atomic
def relationship_withdraw_proposal(*, actor: User, relationship: Relationship, reason: str) -> Relationship:
    """The programme ended (cancelled or closed) before a proposal was answered: it is declined, seats given back."""
    relationship = _locked_relationship(relationship)
    members = list(relationship.members.select_related("enrolment__person"))
    relationship_move(actor=actor, relationship=relationship, to=RState.DECLINED, reason=reason)
    _sync_seats(actor=actor, members=members)
    return relationship
