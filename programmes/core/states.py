"""The one state machine of enrolments, relationships and memberships: transition tables, named sets, predicates.

Every question "is this relationship running?", "does this enrolment still count?", "may this person
answer?" is answered here, once, and services, selectors, views and templates ask these sets and
predicates instead of comparing state strings of their own. The moves themselves (save, audit, side
effects) are the services in programmes.core.services.transitions and the services that call them; each move
checks the table here first (`check_relationship_move`, `check_enrolment_move`).

    Relationship   proposed → accepted → active ⇄ on_hold → closing → closed
                   proposed → declined;  accepted | on_hold → closing
    Enrolment      applied → screening → accepted | declined → oriented → available ⇄ matched → completed
                   withdrawn from any state but completed (and back to applied when the person re-applies)
    Member answer  pending → accepted | declined (a declining group member leaves; the group goes on when it
                   still has its smallest size)

A programme's phase drives its relationships (programmes.core.services.cascades): hold pauses the active ones,
resume restores them, cancel ends every open one. Sweeps only reach programmes in `SWEEP_PHASES`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from programmes.models import Enrolment, MentoringSession, Programme, Relationship, RelationshipMember

from .errors import InvalidTransition

if TYPE_CHECKING:
    from people.models import User
    from programmes.models import Closure

RState = Relationship.State
EState = Enrolment.State
Phase = Programme.Phase
Response = RelationshipMember.Response

# --- Relationship states --------------------------------------------------------------------------------------

# Holds a place of each member (a mentor's seat; the mentee is out of the pool): not ended yet.
OPEN: frozenset[str] = frozenset({RState.PROPOSED, RState.ACCEPTED, RState.ACTIVE, RState.ON_HOLD, RState.CLOSING})
# Agreed by everyone and not ended: members log sessions, see the support page, work on the plan.
RUNNING: frozenset[str] = frozenset({RState.ACCEPTED, RState.ACTIVE, RState.ON_HOLD, RState.CLOSING})
# Has started (became active once) and is looked after: health rollup, contacts, the dashboard.
STARTED: frozenset[str] = frozenset({RState.ACTIVE, RState.ON_HOLD, RState.CLOSING})
# Reminders, check-ins and inactivity checks go out (on hold is silent; closing only waits for exit surveys).
REMINDED: frozenset[str] = frozenset({RState.ACTIVE})
# The term clock and coordinator contacts run (a pause does not stop the term).
TERM_RUNS: frozenset[str] = frozenset({RState.ACTIVE, RState.ON_HOLD})
# May be ended (no-fault closure).
CLOSABLE: frozenset[str] = frozenset({RState.ACCEPTED, RState.ACTIVE, RState.ON_HOLD})
# The agreement may still change.
AGREEMENT_EDITABLE: frozenset[str] = frozenset({RState.ACCEPTED, RState.ACTIVE, RState.ON_HOLD})
# Everyone said yes at some point (the pair was really formed), whatever happened since.
FORMED: frozenset[str] = frozenset({RState.ACCEPTED, RState.ACTIVE, RState.ON_HOLD, RState.CLOSING, RState.CLOSED})
# Over: nothing more happens to it.
ENDED: frozenset[str] = frozenset({RState.CLOSED, RState.DECLINED})

RELATIONSHIP_MOVES: dict[str, frozenset[str]] = {
    RState.PROPOSED: frozenset({RState.ACCEPTED, RState.DECLINED}),
    RState.ACCEPTED: frozenset({RState.ACTIVE, RState.CLOSING}),
    RState.ACTIVE: frozenset({RState.ON_HOLD, RState.CLOSING}),
    RState.ON_HOLD: frozenset({RState.ACTIVE, RState.CLOSING}),
    RState.CLOSING: frozenset({RState.CLOSED}),
    RState.CLOSED: frozenset(),
    RState.DECLINED: frozenset(),
}

# --- Enrolment states -----------------------------------------------------------------------------------------

# Left or turned down: nothing reaches them any more.
ENROLMENT_GONE: frozenset[str] = frozenset({EState.DECLINED, EState.WITHDRAWN})
# No longer taking part (gone, or finished).
ENROLMENT_ENDED: frozenset[str] = ENROLMENT_GONE | {EState.COMPLETED}
# Accepted into the programme, whatever came next (participants of evaluation; `completed` included).
ENROLMENT_ACCEPTED: frozenset[str] = frozenset(
    {EState.ACCEPTED, EState.ORIENTED, EState.AVAILABLE, EState.MATCHED, EState.COMPLETED}
)
# Accepted and still in it: works on a development plan.
ENROLMENT_IN_PROGRAMME: frozenset[str] = ENROLMENT_ACCEPTED - {EState.COMPLETED}
# Past orientation.
ENROLMENT_ORIENTED: frozenset[str] = frozenset({EState.ORIENTED, EState.AVAILABLE, EState.MATCHED, EState.COMPLETED})
# Waiting to join the matching pool.
ENROLMENT_POOL_CANDIDATES: frozenset[str] = frozenset({EState.ACCEPTED, EState.ORIENTED})
# In the matching pool (mentees without an open relationship; mentors with a free seat).
ENROLMENT_IN_POOL: frozenset[str] = frozenset({EState.AVAILABLE})
# A mentor who may be given a mentee by hand (matched mentors may have a seat left when capacity rose).
ENROLMENT_MENTOR_PICKABLE: frozenset[str] = frozenset({EState.AVAILABLE, EState.MATCHED})
# The person may still change their application's profile and mentor ranking.
ENROLMENT_EDITABLE: frozenset[str] = frozenset(
    {EState.APPLIED, EState.SCREENING, EState.ACCEPTED, EState.ORIENTED, EState.AVAILABLE}
)
# Not decided yet.
ENROLMENT_UNDECIDED: frozenset[str] = frozenset({EState.APPLIED, EState.SCREENING})

ENROLMENT_MOVES: dict[str, frozenset[str]] = {
    EState.APPLIED: frozenset({EState.SCREENING, EState.DECLINED, EState.WITHDRAWN}),
    EState.SCREENING: frozenset({EState.ACCEPTED, EState.DECLINED, EState.WITHDRAWN}),
    EState.ACCEPTED: frozenset({EState.ORIENTED, EState.AVAILABLE, EState.WITHDRAWN}),
    EState.ORIENTED: frozenset({EState.AVAILABLE, EState.WITHDRAWN}),
    EState.AVAILABLE: frozenset({EState.MATCHED, EState.COMPLETED, EState.WITHDRAWN}),
    EState.MATCHED: frozenset({EState.AVAILABLE, EState.COMPLETED, EState.WITHDRAWN}),
    EState.DECLINED: frozenset({EState.WITHDRAWN}),
    EState.WITHDRAWN: frozenset({EState.APPLIED}),
    EState.COMPLETED: frozenset(),
}

# May leave the programme now.
WITHDRAWABLE: frozenset[str] = frozenset(s for s, moves in ENROLMENT_MOVES.items() if EState.WITHDRAWN in moves)

MEMBER_MOVES: dict[str, frozenset[str]] = {
    Response.PENDING: frozenset({Response.ACCEPTED, Response.DECLINED}),
    Response.ACCEPTED: frozenset(),
    Response.DECLINED: frozenset(),
}

# --- Programme phases -----------------------------------------------------------------------------------------

# Phases in which relationships run and the sweeps send reminders, check-ins, tasks and digests.
SWEEP_PHASES: frozenset[str] = frozenset({Phase.IMPLEMENTATION, Phase.EVALUATION})
# Phases in which nothing is sent at all (evaluation questionnaires included): paused or over.
SILENT_PHASES: frozenset[str] = frozenset({Phase.ON_HOLD, Phase.CANCELLED, Phase.CLOSED})
# Phases in which new pairs may be formed (a run, a manual pair, a request, a rematch).
PAIRING_PHASES: frozenset[str] = frozenset({Phase.IMPLEMENTATION})


# --- Checks ---------------------------------------------------------------------------------------------------


def relationship_may_move(from_state: str, to_state: str) -> bool:
    return to_state in RELATIONSHIP_MOVES.get(from_state, frozenset())


def enrolment_may_move(from_state: str, to_state: str) -> bool:
    return to_state in ENROLMENT_MOVES.get(from_state, frozenset())


def check_relationship_move(relationship: Relationship, to_state: str) -> None:
    """Refuse a move the table does not have, in words."""
    if not relationship_may_move(relationship.state, to_state):
        raise InvalidTransition(
            _("A relationship that is %(state)s cannot become %(to)s.")
            % {"state": relationship.get_state_display().lower(), "to": str(RState(to_state).label).lower()}
        )


def check_enrolment_move(enrolment: Enrolment, to_state: str) -> None:
    if not enrolment_may_move(enrolment.state, to_state):
        raise InvalidTransition(
            _("An application that is %(state)s cannot become %(to)s.")
            % {"state": enrolment.get_state_display().lower(), "to": str(EState(to_state).label).lower()}
        )


def check_pairing_phase(programme: Programme) -> None:
    """New pairs are formed only while the programme is in implementation (not on hold, cancelled or later)."""
    if programme.phase not in PAIRING_PHASES:
        raise InvalidTransition(
            _("Pairs are formed while the programme is in implementation; it is %(phase)s.")
            % {"phase": programme.get_phase_display().lower()}
        )


# --- Predicates (services, views and templates ask these) -----------------------------------------------------


def is_open(relationship: Relationship) -> bool:
    return relationship.state in OPEN


def is_running(relationship: Relationship) -> bool:
    return relationship.state in RUNNING


def can_respond(relationship: Relationship, member: RelationshipMember | None) -> bool:
    """The member may accept or decline: the proposal is open and they have not answered."""
    return member is not None and relationship.state == RState.PROPOSED and member.response == Response.PENDING


def can_hold(relationship: Relationship) -> bool:
    return relationship_may_move(relationship.state, RState.ON_HOLD)


def can_resume(relationship: Relationship) -> bool:
    return relationship.state == RState.ON_HOLD


def can_close(relationship: Relationship) -> bool:
    """May be ended (no-fault) now."""
    return relationship.state in CLOSABLE


def can_log_sessions(relationship: Relationship) -> bool:
    return relationship.state in RUNNING


def can_edit_agreement(relationship: Relationship) -> bool:
    return relationship.state in AGREEMENT_EDITABLE


def can_sign_agreement(relationship: Relationship) -> bool:
    return relationship.state in AGREEMENT_EDITABLE


def can_record_first_meeting(relationship: Relationship) -> bool:
    return relationship.state == RState.ACCEPTED


def can_activate(relationship: Relationship) -> bool:
    return relationship_may_move(relationship.state, RState.ACTIVE) and relationship.state == RState.ACCEPTED


def can_rematch(closure: Closure) -> bool:
    """The coordinator may propose a new mentor: the relationship closed, may be rematched, was not yet."""
    return closure.relationship.state == RState.CLOSED and closure.rematch_eligible and closure.rematched_to_id is None


def can_confirm(session: MentoringSession, user: User, *, is_member: bool) -> bool:
    """`user` may confirm a session: another member logged it as held (or missed) and nobody confirmed it yet."""
    return (
        is_member
        and session.logged_by_id != user.pk
        and session.confirmation == MentoringSession.Confirmation.PENDING
        and session.status in (MentoringSession.Status.HELD, MentoringSession.Status.NO_SHOW)
    )


def enrolment_is_open(enrolment: Enrolment) -> bool:
    """Still in the programme: neither declined, withdrawn nor completed."""
    return enrolment.state not in ENROLMENT_ENDED


def can_withdraw(enrolment: Enrolment) -> bool:
    return enrolment_may_move(enrolment.state, EState.WITHDRAWN)


def can_edit_profile(enrolment: Enrolment) -> bool:
    return enrolment.state in ENROLMENT_EDITABLE


def can_screen(enrolment: Enrolment) -> bool:
    return enrolment.state == EState.SCREENING


def can_manager_decide(enrolment: Enrolment) -> bool:
    return enrolment.state == EState.APPLIED and enrolment.manager_approval == Enrolment.ManagerApproval.PENDING


def is_reminded(relationship: Relationship, programme: Programme | None = None) -> bool:
    """Reminders reach this relationship: it is active and its programme runs (not on hold, cancelled or closed)."""
    programme = programme or relationship.programme
    return relationship.state in REMINDED and programme.phase in SWEEP_PHASES
