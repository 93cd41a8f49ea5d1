"""The mentoring agreement: drafted on acceptance, edited together, signed by every member, then activation.

    accepted ──(every member signed the current version + first meeting recorded)──▶ active

Edits to a version nobody has signed change it in place (with a revision check, so two members editing
at once cannot overwrite each other unseen). An edit after any signature makes a new version, and
everyone signs again; earlier versions and their signatures stay as they were. `relationship_activate`
(signing.py) is the one move from accepted to active; signing and recording the first meeting call it when both
conditions hold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mentoring.dates import add_months
from people.models import User
from programmes.core.errors import DomainError, InvalidTransition, StaleTransition
from programmes.core.figures_cache import programme_data_changed
from programmes.core.services.lifecycle import audit_event_record
from programmes.core.services.notifications import notification_create_many
from programmes.core.states import AGREEMENT_EDITABLE
from programmes.models import (
    Agreement,
    AgreementVersion,
    DevelopmentGoal,
    Relationship,
    RelationshipMember,
)
from programmes.preparation.selectors.agreements import current_version

RState = Relationship.State
# The agreement can change while the relationship is being set up or running; afterwards it is history.
EDITABLE_STATES = AGREEMENT_EDITABLE
DEFAULT_MEETING_MINUTES = 60
DEFAULT_TERM_MONTHS = 12
DEFAULT_CADENCE_DAYS = 14

DEFAULT_CONFIDENTIALITY = _(
    "What we discuss stays between us unless we both agree otherwise. The exception is a risk to someone's "
    "safety, a breach of law or serious misconduct: then the one who learns of it talks to the coordinator "
    "and tells the other that they do so."
)
DEFAULT_NO_FAULT = _(
    "Either of us may end this relationship at any time, for any reason or none, without blame. We will tell "
    "each other and the coordinator."
)


def agreement_url(relationship: Relationship) -> str:
    return reverse("programmes:agreement", args=[relationship.programme_id, relationship.pk])


def _members(relationship: Relationship) -> list[RelationshipMember]:
    return list(relationship.members.select_related("enrolment__person").order_by("pk"))


def _notify(
    relationship: Relationship, people: Sequence[User], *, kind: str, key: str, context: dict[str, object]
) -> None:
    """One notification per person, keyed `agreement:<relationship>:<key>:<person>`."""
    if not people:
        return
    notification_create_many(
        recipients=people,
        kind=kind,
        dedupe_key=lambda person: f"agreement:{relationship.pk}:{key}:{person.pk}",
        context={"programme": relationship.programme.name, **context},
        url=agreement_url(relationship),
    )


def mentee_goals(relationship: Relationship) -> list[DevelopmentGoal]:
    """The open development goals of the relationship's mentees (what the agreement's goals link to)."""
    mentee_enrolments = relationship.members.filter(
        role__in=(RelationshipMember.Role.MENTEE, RelationshipMember.Role.PEER)
    ).values("enrolment_id")
    return list(
        DevelopmentGoal.objects.filter(plan__enrolment_id__in=mentee_enrolments)
        .exclude(status=DevelopmentGoal.Status.DROPPED)
        .select_related("competency")
        .order_by("plan_id", "position", "pk")
    )


def goal_snapshot(goals: Sequence[DevelopmentGoal]) -> list[dict[str, object]]:
    """The wording of linked goals as saved with a version."""
    return [{"goal": g.pk, "competency": g.competency.name, "statement": g.statement} for g in goals]


@transaction.atomic
def agreement_draft_for(relationship: Relationship, *, actor: User | None = None) -> Agreement:
    """Draft the agreement of a just-accepted relationship from the programme's template (idempotent).

    Version 1 takes the programme's cadence, term and no-fault clause, the agreement template as its other
    terms, today as the start, and links the mentees' current development goals. Members are told.
    """
    existing = Agreement.objects.filter(relationship=relationship).first()
    if existing is not None:
        return existing
    programme = relationship.programme
    agreement = Agreement.objects.create(relationship=relationship)
    today = timezone.localdate()
    goals = mentee_goals(relationship)
    version = AgreementVersion(
        agreement=agreement,
        number=1,
        meeting_cadence_days=programme.meeting_cadence_days or DEFAULT_CADENCE_DAYS,
        meeting_minutes=DEFAULT_MEETING_MINUTES,
        channels=["in_person", "video"],
        confidentiality=str(DEFAULT_CONFIDENTIALITY),
        starts_on=today,
        ends_on=add_months(today, programme.term_months or DEFAULT_TERM_MONTHS),
        terms=programme.agreement_template.strip(),
        no_fault_clause=programme.no_fault_clause.strip() or str(DEFAULT_NO_FAULT),
        goal_snapshot=goal_snapshot(goals),
        created_by=actor,
        updated_by=actor,
    )
    version.full_clean(exclude=["agreement"])
    version.save()
    programme_data_changed(relationship.programme_id)
    version.linked_goals.set(goals)
    people = [m.enrolment.person for m in _members(relationship)]
    _notify(relationship, people, kind="agreement_drafted", key="drafted", context={})
    return agreement


def _member_for(members: Sequence[RelationshipMember], actor: User) -> RelationshipMember:
    mine = next((m for m in members if m.enrolment.person_id == actor.pk), None)
    if mine is None:
        raise DomainError(_("Only the members of this relationship edit and sign its agreement."))
    return mine


def _locked(agreement: Agreement) -> tuple[Agreement, Relationship]:
    """Lock the agreement row (edits, signatures and the first meeting of one agreement go one at a time)."""
    locked = Agreement.objects.select_for_update().select_related("relationship__programme").get(pk=agreement.pk)
    return locked, locked.relationship


def _require_editable(relationship: Relationship) -> None:
    if relationship.state not in EDITABLE_STATES:
        raise InvalidTransition(
            _("This relationship is %(state)s; its agreement can no longer change.")
            % {"state": relationship.get_state_display().lower()}
        )


# --- Editing -------------------------------------------------------------------------------------------------


@dataclass
class AgreementTerms:
    """The terms as the edit form cleaned them."""

    meeting_cadence_days: int
    meeting_minutes: int
    channels: list[str]
    confidentiality: str
    mentee_expects: str
    mentor_expects: str
    goals: str
    linked_goals: list[DevelopmentGoal]
    starts_on: date
    ends_on: date
    terms: str
    no_fault_clause: str
    change_note: str = ""

    @classmethod
    def of(cls, version: AgreementVersion) -> AgreementTerms:
        return cls(
            meeting_cadence_days=version.meeting_cadence_days,
            meeting_minutes=version.meeting_minutes,
            channels=list(version.channels),
            confidentiality=version.confidentiality,
            mentee_expects=version.mentee_expects,
            mentor_expects=version.mentor_expects,
            goals=version.goals,
            linked_goals=list(version.linked_goals.all()),
            starts_on=version.starts_on,
            ends_on=version.ends_on,
            terms=version.terms,
            no_fault_clause=version.no_fault_clause,
        )

    def same_as(self, other: AgreementTerms) -> bool:
        mine, theirs = vars(self).copy(), vars(other).copy()
        for data in (mine, theirs):
            data.pop("change_note")
            data["linked_goals"] = sorted(g.pk for g in data["linked_goals"])
            for name in ("confidentiality", "mentee_expects", "mentor_expects", "goals", "terms", "no_fault_clause"):
                data[name] = data[name].strip()
        return mine == theirs


_TEXT_FIELDS = ("confidentiality", "mentee_expects", "mentor_expects", "goals", "terms", "no_fault_clause")


def _apply(version: AgreementVersion, terms: AgreementTerms) -> None:
    version.meeting_cadence_days = terms.meeting_cadence_days
    version.meeting_minutes = terms.meeting_minutes
    version.channels = list(terms.channels)
    for name in _TEXT_FIELDS:
        setattr(version, name, getattr(terms, name).strip())
    version.starts_on, version.ends_on = terms.starts_on, terms.ends_on
    version.goal_snapshot = goal_snapshot(terms.linked_goals)
    version.change_note = terms.change_note.strip()


def _check_goals(relationship: Relationship, goals: Sequence[DevelopmentGoal]) -> None:
    allowed = {g.pk for g in mentee_goals(relationship)}
    if any(g.pk not in allowed for g in goals):
        raise DomainError(_("Link only the development goals of this relationship's mentees."))


@transaction.atomic
def agreement_update(
    *, actor: User, agreement: Agreement, terms: AgreementTerms, based_on: tuple[int, int]
) -> AgreementVersion:
    """A member changes the terms; `based_on` is the (version number, revision) the form was opened at.

    Unsigned: the version changes in place. Signed by anyone: a new version that everyone must sign again,
    and the others are told. An edit based on anything but the latest revision is refused (StaleTransition),
    so nobody overwrites a change they have not seen.
    """
    agreement, relationship = _locked(agreement)
    _require_editable(relationship)
    members = _members(relationship)
    _member_for(members, actor)
    version = current_version(agreement)
    if (version.number, version.revision) != tuple(based_on):
        raise StaleTransition(
            _(
                "Someone changed the agreement while you were editing. Your changes are below: compare them with the "
                "current version and save again."
            )
        )
    _check_goals(relationship, terms.linked_goals)
    if terms.same_as(AgreementTerms.of(version)):
        return version
    now = timezone.now()
    signed = version.signatures.exists()
    if signed:
        version = AgreementVersion(
            agreement=agreement, number=version.number + 1, created_by=actor, created_at=now, revision=1
        )
    else:
        version.revision += 1
    _apply(version, terms)
    version.updated_at, version.updated_by = now, actor
    version.full_clean(exclude=["agreement"])
    version.save()
    programme_data_changed(relationship.programme_id)
    version.linked_goals.set(terms.linked_goals)
    if signed:
        audit_event_record(
            actor=actor,
            obj=agreement,
            from_state=f"v{version.number - 1}",
            to_state=f"v{version.number}",
            reason=version.change_note or gettext("Changed after a signature: everyone signs again."),
            programme=relationship.programme,
        )
        others = [m.enrolment.person for m in members if m.enrolment.person_id != actor.pk]
        _notify(
            relationship,
            others,
            kind="agreement_changed",
            key=f"v{version.number}",
            context={"who": str(actor), "version": version.number, "note": version.change_note},
        )
    return version
