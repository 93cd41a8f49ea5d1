"""Enrolment: recruitment, applications, manager approval, screening, the matching pool and withdrawal.

    applied → screening → accepted | declined → oriented → available → matched → completed
    withdrawn from any open state

`applied` waits for the manager when the programme asks for manager approval (else it moves straight on
to `screening`); the coordinator accepts or declines (with a reason); an accepted application joins the
matching pool (`available`) as soon as every readiness gate in programmes.core.gates passes. Each transition
is one service here, and writes an AuditEvent.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.models import Competency, User
from programmes.core.errors import DomainError, InvalidTransition, TransitionBlocked
from programmes.core.gates import pool_blockers
from programmes.core.lifecycle import Blocker
from programmes.core.services.lifecycle import audit_event_record
from programmes.core.services.notifications import notification_create
from programmes.core.services.transitions import enrolment_move
from programmes.core.states import ENROLMENT_EDITABLE, ENROLMENT_POOL_CANDIDATES, OPEN, WITHDRAWABLE
from programmes.models import Enrolment, EnrolmentCompetency, MentorPreference, Programme, Recruitment, Relationship

from ..models.enrolment import MAX_RANKED_MENTORS

State = Enrolment.State
Role = Enrolment.Role
Approval = Enrolment.ManagerApproval

# Roles people apply for, per format: the giving side first.
FORMAT_ROLES: dict[str, tuple[str, ...]] = {
    Programme.Format.ONE_TO_ONE: (Role.MENTOR, Role.MENTEE),
    Programme.Format.REVERSE: (Role.MENTOR, Role.MENTEE),
    Programme.Format.GROUP: (Role.MENTOR, Role.MENTEE),
    Programme.Format.PEER_CIRCLE: (Role.FACILITATOR, Role.PEER),
}
# Kept for importers; the sets live in programmes.core.states.
EDITABLE_STATES = ENROLMENT_EDITABLE
POOL_CANDIDATE_STATES = ENROLMENT_POOL_CANDIDATES


@dataclass(frozen=True)
class CompetencyEntry:
    """One competency on an application: for mentees current → target, for mentors the level offered."""

    competency: Competency
    level: int
    current_level: int | None = None


@dataclass
class ApplicationProfile:
    """What an application says about the person, as the form cleaned it."""

    goals: str = ""
    availability: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    location: str = ""
    time_zone: str = ""
    capacity: int | None = None
    attribute_preferences: list[str] = field(default_factory=list)
    competencies: list[CompetencyEntry] = field(default_factory=list)


def roles_for(programme: Programme) -> tuple[str, ...]:
    """The roles one may apply for in this programme's format."""
    return FORMAT_ROLES.get(programme.format, FORMAT_ROLES[Programme.Format.ONE_TO_ONE])


def recruitment_for(programme: Programme) -> Recruitment:
    """The programme's recruitment settings (an unsaved closed one when the coordinator has not set them)."""
    try:
        return programme.recruitment
    except Recruitment.DoesNotExist:
        return Recruitment(programme=programme)


@transaction.atomic
def recruitment_update(
    *,
    actor: User,
    programme: Programme,
    is_open: bool,
    commitment: str,
    eligibility: str,
    closes_on: date | None = None,
    manager_approval_required: bool = False,
) -> Recruitment:
    """Save the recruitment page; opening it needs the programme to be in implementation."""
    if is_open and programme.phase != Programme.Phase.IMPLEMENTATION:
        raise DomainError(_("Recruitment opens when the programme is in implementation."))
    recruitment = Recruitment.objects.select_for_update().filter(programme=programme).first() or Recruitment(
        programme=programme
    )
    was_open = recruitment.is_open
    recruitment.is_open = is_open
    recruitment.commitment = commitment.strip()
    recruitment.eligibility = eligibility.strip()
    recruitment.closes_on = closes_on
    recruitment.manager_approval_required = manager_approval_required
    recruitment.updated_at = timezone.now()
    recruitment.updated_by = actor
    recruitment.full_clean()
    recruitment.save()
    if was_open != is_open:
        audit_event_record(
            actor=actor,
            obj=recruitment,
            from_state="open" if was_open else "closed",
            to_state="open" if is_open else "closed",
            programme=programme,
        )
    return recruitment


def _move(*, actor: User | None, enrolment: Enrolment, to: str, reason: str = "") -> Enrolment:
    """Save the new state along the table (programmes.core.states), write the audit event."""
    return enrolment_move(actor=actor, enrolment=enrolment, to=to, reason=reason)


def _locked(enrolment: Enrolment, allowed: Collection[str], message: object) -> Enrolment:
    """Lock the row; refuse unless it is (still) in one of the `allowed` states."""
    locked = Enrolment.objects.select_for_update().select_related("programme", "person").get(pk=enrolment.pk)
    if locked.state not in allowed:
        raise InvalidTransition(str(message) % {"state": locked.get_state_display().lower()})
    return locked


def _validate_profile(role: str, profile: ApplicationProfile) -> None:
    """What the form cannot see on its own: the competencies against the role."""
    if not profile.competencies:
        raise DomainError(_("Add at least one competency."))
    codes = [entry.competency.pk for entry in profile.competencies]
    if len(set(codes)) != len(codes):
        raise DomainError(_("Each competency appears once."))
    gives = role in (Role.MENTOR, Role.FACILITATOR)
    for entry in profile.competencies:
        if not gives and (entry.current_level is None or entry.current_level >= entry.level):
            raise DomainError(
                _("For %(competency)s, the target level must be above your current level.")
                % {"competency": entry.competency}
            )
    if gives and profile.capacity is None:
        raise DomainError(_("Say how many mentees you can take on."))


def _save_profile(enrolment: Enrolment, profile: ApplicationProfile) -> None:
    """Copy the profile onto the enrolment and replace its competencies."""
    enrolment.goals = profile.goals.strip()
    enrolment.availability = list(profile.availability)
    enrolment.languages = list(profile.languages)
    enrolment.location = profile.location.strip()
    enrolment.time_zone = profile.time_zone
    enrolment.capacity = profile.capacity if enrolment.is_mentor_side else None
    enrolment.attribute_preferences = list(profile.attribute_preferences) if not enrolment.is_mentor_side else []
    enrolment.full_clean()
    enrolment.save()
    EnrolmentCompetency.objects.filter(enrolment=enrolment).delete()
    gives = enrolment.is_mentor_side
    rows = [
        EnrolmentCompetency(
            enrolment=enrolment,
            competency=entry.competency,
            level=entry.level,
            current_level=None if gives else entry.current_level,
        )
        for entry in profile.competencies
    ]
    for row in rows:
        row.full_clean(exclude=["enrolment"], validate_unique=False, validate_constraints=False)
    EnrolmentCompetency.objects.bulk_create(rows)


def _approval_url(enrolment: Enrolment) -> str:
    return reverse("programmes:enrolment_approval", args=[enrolment.programme_id, enrolment.pk])


def _enrolment_url(enrolment: Enrolment) -> str:
    return reverse("programmes:enrolment_detail", args=[enrolment.programme_id, enrolment.pk])


@transaction.atomic
def enrolment_apply(*, actor: User, programme: Programme, role: str, profile: ApplicationProfile) -> Enrolment:
    """Apply to an open programme in a role; a withdrawn application of the same role is reopened.

    With manager approval on, the application waits in `applied` and the manager is notified with a link;
    without it (or when the directory knows no manager), it goes straight to `screening`.
    """
    recruitment = Recruitment.objects.filter(programme=programme).first()
    if recruitment is None or not recruitment.accepts_applications():
        raise DomainError(_("This programme is not taking applications now."))
    if role not in roles_for(programme):
        raise DomainError(_("This programme does not recruit that role."))
    if not actor.is_active or actor.has_left():
        raise DomainError(_("Only current employees may apply."))
    _validate_profile(role, profile)
    enrolment = Enrolment.objects.select_for_update().filter(programme=programme, person=actor, role=role).first()
    if enrolment is not None and enrolment.state != State.WITHDRAWN:
        raise DomainError(
            _("You have already applied as %(role)s (%(state)s).")
            % {"role": enrolment.get_role_display().lower(), "state": enrolment.get_state_display().lower()}
        )
    from_state = enrolment.state if enrolment is not None else ""
    if enrolment is None:
        enrolment = Enrolment(programme=programme, person=actor, role=role)
    enrolment.state = State.APPLIED
    enrolment.state_reason = ""
    enrolment.state_changed_at = timezone.now()
    enrolment.approver = None
    enrolment.manager_decided_at = None
    needs_manager = recruitment.manager_approval_required and actor.manager_id is not None
    enrolment.manager_approval = Approval.PENDING if needs_manager else Approval.NOT_REQUIRED
    try:
        with transaction.atomic():
            _save_profile(enrolment, profile)
    except IntegrityError:
        raise DomainError(_("You have already applied in that role.")) from None
    audit_event_record(actor=actor, obj=enrolment, from_state=from_state, to_state=State.APPLIED)
    if needs_manager:
        assert actor.manager is not None
        notification_create(
            recipient=actor.manager,
            kind="enrolment_approval",
            dedupe_key=f"enrolment:{enrolment.pk}:approval:{enrolment.state_changed_at.timestamp():.0f}",
            context={"person": str(actor), "programme": programme.name, "role": enrolment.get_role_display()},
            url=_approval_url(enrolment),
        )
        return enrolment
    if recruitment.manager_approval_required:
        reason = _("The directory knows no manager for this person; the coordinator screens directly.")
    else:
        reason = _("No manager approval needed.")
    return _move(actor=actor, enrolment=enrolment, to=State.SCREENING, reason=str(reason))


@transaction.atomic
def enrolment_update_profile(*, actor: User, enrolment: Enrolment, profile: ApplicationProfile) -> Enrolment:
    """The applicant changes their profile; allowed until they are matched."""
    locked = _locked(enrolment, tuple(EDITABLE_STATES), _("An application that is %(state)s cannot be changed."))
    _validate_profile(locked.role, profile)
    _save_profile(locked, profile)
    return locked


@transaction.atomic
def enrolment_manager_decide(*, actor: User, enrolment: Enrolment, approve: bool, reason: str = "") -> Enrolment:
    """The applicant's manager approves (on to screening) or refuses (declined, with a reason)."""
    locked = _locked(enrolment, (State.APPLIED,), _("The application is %(state)s; there is nothing to approve."))
    if locked.manager_approval != Approval.PENDING:
        raise InvalidTransition(_("This application is not waiting for a manager."))
    if locked.person.manager_id != actor.pk:
        raise DomainError(_("Only the applicant's manager may decide."))
    if not approve and not reason.strip():
        raise DomainError(_("Say why, so that your colleague understands."))
    locked.manager_approval = Approval.APPROVED if approve else Approval.REFUSED
    locked.approver = actor
    locked.manager_decided_at = timezone.now()
    if approve:
        return _move(actor=actor, enrolment=locked, to=State.SCREENING, reason=reason)
    moved = _move(actor=actor, enrolment=locked, to=State.DECLINED, reason=reason)
    _notify_decision(moved)
    return moved


def _notify_decision(enrolment: Enrolment) -> None:
    notification_create(
        recipient=enrolment.person,
        kind="enrolment_decided",
        dedupe_key=f"enrolment:{enrolment.pk}:{enrolment.state}:{enrolment.state_changed_at.timestamp():.0f}",
        context={
            "programme": enrolment.programme.name,
            "role": enrolment.get_role_display(),
            "state": enrolment.state,
            "reason": enrolment.state_reason,
        },
        url=_enrolment_url(enrolment),
    )


@transaction.atomic
def enrolment_screen(*, actor: User, enrolment: Enrolment, accept: bool, reason: str = "") -> Enrolment:
    """The coordinator accepts the application (it then joins the pool if every gate passes) or declines it."""
    locked = _locked(enrolment, (State.SCREENING,), _("The application is %(state)s, not waiting for screening."))
    if not accept and not reason.strip():
        raise DomainError(_("Say why the application is declined; the applicant will read it."))
    moved = _move(actor=actor, enrolment=locked, to=State.ACCEPTED if accept else State.DECLINED, reason=reason)
    if accept and not pool_blockers(moved):
        moved = _move(actor=actor, enrolment=moved, to=State.AVAILABLE, reason=str(_("Every readiness gate passes.")))
    _notify_decision(moved)
    return moved


@transaction.atomic
def enrolment_join_pool(*, actor: User | None, enrolment: Enrolment) -> Enrolment:
    """Move an accepted (or oriented) application into the matching pool; refuse with what still blocks it."""
    locked = _locked(enrolment, POOL_CANDIDATE_STATES, _("An application that is %(state)s cannot join the pool."))
    blockers = pool_blockers(locked)
    if blockers:
        raise TransitionBlocked(
            _("This application cannot join the matching pool yet."),
            [Blocker(b, _enrolment_url(locked)) for b in blockers],
        )
    return _move(actor=actor, enrolment=locked, to=State.AVAILABLE, reason=str(_("Every readiness gate passes.")))


def pool_refresh(*, actor: User | None, programme: Programme) -> tuple[int, dict[int, list[str]]]:
    """Move every accepted or oriented enrolment whose gates now pass into the pool.

    Returns how many joined, and what still blocks the others ({enrolment id: blockers}). Each move is
    its own transaction, so one bad row does not hold back the rest.
    """
    joined = 0
    waiting: dict[int, list[str]] = {}
    candidates = Enrolment.objects.filter(programme=programme, state__in=POOL_CANDIDATE_STATES).select_related(
        "person", "programme"
    )
    for enrolment in candidates:
        try:
            enrolment_join_pool(actor=actor, enrolment=enrolment)
        except TransitionBlocked as exc:
            waiting[enrolment.pk] = [str(b.message) for b in exc.blockers]
        except InvalidTransition:
            continue  # moved by someone else meanwhile
        else:
            joined += 1
    return joined, waiting


@transaction.atomic
def enrolment_withdraw(*, actor: User, enrolment: Enrolment, reason: str = "") -> Enrolment:
    """Leave the programme at any time; open proposals with this person are declined and the others told, and
    their running relationships end (services.cascades): nothing reaches them afterwards."""
    locked = _locked(
        enrolment,
        WITHDRAWABLE,
        _("An application that is %(state)s cannot be withdrawn."),
    )
    if actor.pk != locked.person_id and not reason.strip():
        raise DomainError(_("Say why you withdraw this application; the applicant will read it."))
    moved = _move(actor=actor, enrolment=locked, to=State.WITHDRAWN, reason=reason)
    # Imported here: the cascades use the relationship services, which import this module.
    from programmes.core.services.cascades import enrolment_cascade_withdraw

    enrolment_cascade_withdraw(actor=actor, enrolment=moved, reason=reason)
    return moved


@transaction.atomic
def mentor_preferences_set(*, actor: User, mentee: Enrolment, mentors: Sequence[Enrolment]) -> list[MentorPreference]:
    """A mentee ranks up to five mentors of the same programme, first choice first (replaces earlier ranks)."""
    locked = _locked(mentee, tuple(EDITABLE_STATES), _("An application that is %(state)s cannot rank mentors."))
    if locked.is_mentor_side:
        raise DomainError(_("Only mentees rank mentors."))
    if len(mentors) > MAX_RANKED_MENTORS:
        raise DomainError(_("Rank at most %(n)d mentors.") % {"n": MAX_RANKED_MENTORS})
    if len({m.pk for m in mentors}) != len(mentors):
        raise DomainError(_("Each mentor appears once in your ranking."))
    for mentor in mentors:
        if mentor.programme_id != locked.programme_id or not mentor.is_mentor_side or not mentor.is_open:
            raise DomainError(_("%(name)s is not a mentor in this programme.") % {"name": mentor.person})
        if mentor.person_id == locked.person_id:
            raise DomainError(_("You cannot rank yourself."))
    MentorPreference.objects.filter(mentee=locked).delete()
    rows = [MentorPreference(mentee=locked, mentor=m, rank=i) for i, m in enumerate(mentors, start=1)]
    return MentorPreference.objects.bulk_create(rows)


def open_relationship_count(enrolment: Enrolment) -> int:
    """How many relationships hold a slot of this enrolment (proposed, accepted, active, …)."""
    return Relationship.objects.filter(members__enrolment=enrolment, state__in=OPEN).count()


def enrolment_mark_matched(*, actor: User | None, enrolment: Enrolment) -> Enrolment:
    """An available enrolment whose relationship was accepted (the caller holds the row lock)."""
    if enrolment.state != State.AVAILABLE:
        raise InvalidTransition(_("Only an enrolment in the pool can be matched."))
    return _move(actor=actor, enrolment=enrolment, to=State.MATCHED)
