"""Programme design: creating a programme, its coordination team, policies, goals and readiness."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.models import User
from programmes.core.errors import DomainError
from programmes.core.figures_cache import programme_data_changed
from programmes.core.services.lifecycle import audit_event_record
from programmes.models import (
    POLICY_FIELDS,
    BusinessGoal,
    Programme,
    ProgrammeRole,
    ReadinessAssessment,
    ReadinessItem,
    format_defaults,
)

DEFAULT_READINESS_ITEMS = (
    _("Executive sponsorship"),
    _("Time released for mentoring"),
    _("Coordinator capacity"),
    _("Clarity of goals"),
    _("Budget"),
    _("Culture of learning"),
    _("Manager support"),
)


@transaction.atomic
def programme_create(
    *, actor: User, name: str, purpose: str = "", format: str = Programme.Format.ONE_TO_ONE
) -> Programme:
    """Start a programme in needs assessment, with its creator as coordinator.

    The numeric policies get the format's defaults; the agreement template and no-fault clause stay
    empty until a coordinator reviews them on the policies page (the implementation guard asks).
    The readiness checklist starts with the standard factors, and orientation with the default modules.
    """
    programme = Programme(
        name=name.strip(),
        purpose=purpose.strip(),
        format=format,
        phase=Programme.Phase.NEEDS_ASSESSMENT,
        created_by=actor,
        **format_defaults(format, with_texts=False),
    )
    programme.full_clean()
    programme.save()
    ProgrammeRole.objects.create(programme=programme, user=actor, role=ProgrammeRole.Role.COORDINATOR)
    readiness_assessment_start(actor=actor, programme=programme)
    # The default orientation set, in English and Bahasa Indonesia (issue 5); imported here, as it imports us.
    from programmes.preparation.services.orientation import orientation_defaults_create

    orientation_defaults_create(actor=actor, programme=programme)
    audit_event_record(
        actor=actor, obj=programme, from_state="", to_state=programme.phase, reason=str(_("Programme created."))
    )
    return programme


@transaction.atomic
def team_member_add(*, actor: User, programme: Programme, person: User, role: str) -> ProgrammeRole:
    """Add a person from the directory to the programme's staff (coordinator or programme HR analyst)."""
    if not person.is_active or person.has_left():
        raise DomainError(_("%(name)s is no longer active in the directory.") % {"name": person})
    member, created = ProgrammeRole.objects.get_or_create(programme=programme, user=person, role=role)
    if not created:
        raise DomainError(
            _("%(name)s is already a %(role)s of this programme.")
            % {"name": person, "role": member.get_role_display().lower()}
        )
    return member


@transaction.atomic
def team_member_remove(*, actor: User, member: ProgrammeRole) -> None:
    """Remove one staff role; the last coordinator stays, so the programme always has an owner."""
    # Lock the programme so that two coordinators removing each other at once cannot both succeed.
    Programme.objects.select_for_update().filter(pk=member.programme_id).first()
    if member.role == ProgrammeRole.Role.COORDINATOR:
        coordinators = ProgrammeRole.objects.filter(programme_id=member.programme_id, role=member.role).count()
        if coordinators <= 1:
            raise DomainError(_("A programme needs at least one coordinator: add another before removing this one."))
    member.delete()


@transaction.atomic
def programme_policies_update(*, actor: User, programme: Programme, values: Mapping[str, Any]) -> Programme:
    """Save the programme's format and policies; refused once the programme is in implementation or later."""
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    if locked.policies_locked:
        raise DomainError(
            _("The policies are read-only once the programme is in implementation: people have signed up to them.")
        )
    fields = ["format", *POLICY_FIELDS]
    for name in fields:
        if name in values:
            setattr(locked, name, values[name])
    locked.full_clean()
    locked.save(update_fields=fields)
    programme_data_changed(locked.pk)
    for name in fields:
        setattr(programme, name, getattr(locked, name))
    return locked


@transaction.atomic
def business_goal_delete(*, actor: User, goal: BusinessGoal) -> None:
    """Delete a goal that nothing depends on yet (metrics and development goals protect it)."""
    programme_data_changed(goal.programme_id)
    try:
        goal.delete()
    except (ProtectedError, RestrictedError) as exc:
        count = len(exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects)
        raise DomainError(
            _("This goal has %(count)d linked record(s), such as outcome metrics; move or delete them first.")
            % {"count": count}
        ) from exc


@dataclass(frozen=True)
class ReadinessItemInput:
    """One checklist line as submitted: pk None for a new line; delete to remove it."""

    pk: int | None
    name: str
    score: int | None
    evidence: str
    delete: bool = False


@transaction.atomic
def readiness_assessment_update(
    *,
    actor: User,
    assessment: ReadinessAssessment,
    items: Sequence[ReadinessItemInput],
    decision: str,
    conditions: str,
) -> ReadinessAssessment:
    """Save the checklist (add, rename, rescore, remove lines) and the decision, all or nothing.

    A decision needs every remaining factor scored; "go with conditions" needs the conditions listed.
    A changed decision writes an AuditEvent.
    """
    assessment = ReadinessAssessment.objects.select_for_update().get(pk=assessment.pk)
    existing = {item.pk: item for item in assessment.items.all()}
    kept: list[ReadinessItem] = []
    for position, data in enumerate(items):
        item = existing.get(data.pk) if data.pk else None
        if data.pk and item is None:
            raise DomainError(_("A checklist line was removed by someone else; reload the page."))
        if data.delete:
            if item is not None:
                item.delete()
            continue
        item = item or ReadinessItem(assessment=assessment)
        item.name, item.score, item.evidence, item.position = data.name.strip(), data.score, data.evidence, position
        item.full_clean()
        item.save()
        kept.append(item)
    _decide(actor=actor, assessment=assessment, kept=kept, decision=decision, conditions=conditions)
    return assessment


def _decide(
    *, actor: User, assessment: ReadinessAssessment, kept: list[ReadinessItem], decision: str, conditions: str
) -> None:
    Decision = ReadinessAssessment.Decision
    unscored = [item.name for item in kept if item.score is None]
    if decision and unscored:
        raise DomainError(_("Score every factor before deciding: %(items)s.") % {"items": ", ".join(unscored)})
    if decision and not kept:
        raise DomainError(_("The checklist is empty: add the factors you assessed before deciding."))
    if decision == Decision.GO_WITH_CONDITIONS and not conditions.strip():
        raise DomainError(_("List the conditions of a “go with conditions” decision, one a line."))
    previous = assessment.decision
    assessment.decision, assessment.conditions = decision, conditions.strip()
    if decision != previous:
        assessment.decided_by, assessment.decided_at = (actor, timezone.now()) if decision else (None, None)
    assessment.full_clean()
    assessment.save()
    if decision != previous:
        audit_event_record(
            actor=actor,
            obj=assessment,
            from_state=previous,
            to_state=decision or "undecided",
            reason=assessment.conditions,
        )


@transaction.atomic
def readiness_assessment_start(*, actor: User, programme: Programme, with_defaults: bool = True) -> ReadinessAssessment:
    """The programme's readiness assessment; created (with the standard factors, unless told not) when missing."""
    assessment, created = ReadinessAssessment.objects.get_or_create(programme=programme)
    if created and with_defaults:
        ReadinessItem.objects.bulk_create(
            ReadinessItem(assessment=assessment, name=str(label), position=i)
            for i, label in enumerate(DEFAULT_READINESS_ITEMS)
        )
    return assessment
