"""Choosing and freezing the comparison group: people like the participants who will not be mentored.

The rule is data (org units with or without their sub-units, a grade range, whether to leave out the
programme's enrolled people, a largest size and a random seed). Freezing evaluates the rule now and
stores the members; the rule and the members change together, only by freezing again. The group is
drawn after screening (when the applicants are known, so it can leave them out): it may be frozen the
first time until the programme leaves implementation, and refrozen only until the first outcome cycle
opens. People who coordinate or analyse the programme are never in its comparison group; a member who
applies later is left out of the analysis (evaluation.selectors_protocol states the rule).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from people.models import OrgUnit, User
from people.selectors import org_unit_ids_with_descendants, org_unit_paths
from programmes.core.services.lifecycle import audit_event_record
from programmes.models import Programme, ProgrammeRole

from .. import stats
from ..models import ComparisonGroup, ComparisonMember, EvaluationCycle, Observation
from ..models.comparison import MAX_GROUP_SIZE
from ..selectors import participant_ids
from .common import EvaluationError, lock_for_baselines


@dataclass(frozen=True)
class ComparisonRule:
    """Who may be in the comparison group (see the module docstring)."""

    org_units: Sequence[OrgUnit] = ()
    include_sub_units: bool = True
    grade_min: int | None = None
    grade_max: int | None = None
    exclude_enrolled: bool = True
    max_size: int | None = None
    random_seed: int = 0

    def describe(self) -> str:
        """The rule in one sentence, for the audit trail."""
        units = ", ".join(unit.name for unit in self.org_units) or _("the whole organisation")
        parts = [_("people in %(units)s") % {"units": units}]
        if self.org_units and self.include_sub_units:
            parts.append(_("with their sub-units"))
        if self.grade_min is not None or self.grade_max is not None:
            parts.append(
                _("grades %(low)s to %(high)s") % {"low": self.grade_min or "…", "high": self.grade_max or "…"}
            )
        if self.exclude_enrolled:
            parts.append(_("not enrolled in the programme"))
        if self.max_size:
            parts.append(_("at most %(n)d, drawn with seed %(seed)d") % {"n": self.max_size, "seed": self.random_seed})
        return ", ".join(parts)


@dataclass(frozen=True)
class FreezeResult:
    """What a freeze did."""

    group: ComparisonGroup
    members: int
    matched: int
    removed_baselines: int


def refreeze_closed(programme: Programme) -> bool:
    """A frozen group is fixed once any cycle after the baseline has opened (values to compare arrive)."""
    return (
        EvaluationCycle.objects.filter(programme=programme, opened_at__isnull=False)
        .exclude(kind=EvaluationCycle.Kind.BASELINE)
        .exists()
    )


def comparison_candidates(*, programme: Programme, rule: ComparisonRule) -> list[int]:
    """The ids of everyone the rule matches today, in id order (before any sampling)."""
    today = timezone.localdate()
    people = User.objects.filter(is_active=True).filter(Q(left_date__isnull=True) | Q(left_date__gt=today))
    if rule.org_units:
        unit_ids = {unit.pk for unit in rule.org_units}
        people = people.filter(
            org_unit_id__in=org_unit_ids_with_descendants(unit_ids) if rule.include_sub_units else unit_ids
        )
    if rule.grade_min is not None:
        people = people.filter(grade__gte=rule.grade_min)
    if rule.grade_max is not None:
        people = people.filter(grade__lte=rule.grade_max)
    if rule.exclude_enrolled:
        people = people.exclude(pk__in=participant_ids(programme))
    people = people.exclude(pk__in=ProgrammeRole.objects.filter(programme=programme).values("user_id"))
    return list(people.order_by("pk").values_list("pk", flat=True))


def draw(candidates: list[int], *, max_size: int | None, seed: int) -> list[int]:
    """All candidates, or `max_size` of them drawn at random; the same list and seed draw the same people."""
    if max_size is None or len(candidates) <= max_size:
        return list(candidates)
    return sorted(random.Random(seed).sample(sorted(candidates), max_size))


def _check_size(matched: int, members: int) -> None:
    if members == 0:
        raise EvaluationError(_("No one matches this rule; widen the org units or the grade range."))
    if stats.is_suppressed(members):
        raise EvaluationError(
            _("Only %(n)d people match; a comparison group needs at least %(min)d to be reported.")
            % {"n": members, "min": stats.MIN_CELL}
        )
    if members > MAX_GROUP_SIZE:
        raise EvaluationError(
            _("%(n)d people match; set a largest size of at most %(max)d and they will be drawn at random.")
            % {"n": matched, "max": MAX_GROUP_SIZE}
        )


def _frozen_members(group: ComparisonGroup, people: list[int]) -> list[ComparisonMember]:
    """The new members, each with the org unit (and the units above it) they are in now; a member who stays
    through a refreeze keeps the unit frozen the first time. The old membership is deleted."""
    kept = {
        m.person_id: (m.frozen_org_unit_id, m.frozen_org_path)
        for m in group.members.filter(person_id__in=people, frozen_org_path__isnull=False)
    }
    group.members.all().delete()
    units = dict(User.objects.filter(pk__in=people).values_list("pk", "org_unit_id"))
    paths = org_unit_paths(units.values())
    rows = []
    for pk in people:
        unit = units.get(pk)
        unit, path = kept.get(pk) or (unit, paths[unit] if unit else [])
        rows.append(ComparisonMember(group=group, person_id=pk, frozen_org_unit_id=unit, frozen_org_path=path))
    return rows


@transaction.atomic
def comparison_group_freeze(
    *, actor: User, programme: Programme, rule: ComparisonRule, refreeze: bool = False
) -> FreezeResult:
    """Store the rule and snapshot the people it matches now as the comparison group's members.

    A frozen group is replaced only when `refreeze` is set (the person confirmed it); then the baselines
    of people who are no longer members are deleted with the old membership, since no analysis may use them.
    """
    programme = lock_for_baselines(programme)
    group, _created = ComparisonGroup.objects.get_or_create(programme=programme)
    if group.is_frozen and not refreeze:
        raise EvaluationError(_("The comparison group is already frozen; confirm that you want to refreeze it."))
    if group.is_frozen and refreeze_closed(programme):
        raise EvaluationError(
            _(
                "An outcome cycle has opened: the comparison group is what results are measured against, "
                "so it can no longer be refrozen."
            )
        )
    was = "frozen" if group.is_frozen else "draft"
    candidates = comparison_candidates(programme=programme, rule=rule)
    members = draw(candidates, max_size=rule.max_size, seed=rule.random_seed)
    _check_size(len(candidates), len(members))
    for name in ("include_sub_units", "grade_min", "grade_max", "exclude_enrolled", "max_size", "random_seed"):
        setattr(group, name, getattr(rule, name))
    group.matched_count, group.frozen_at, group.frozen_by = len(candidates), timezone.now(), actor
    group.freeze_count += 1
    group.full_clean()
    group.save()
    group.org_units.set(rule.org_units)
    ComparisonMember.objects.bulk_create(_frozen_members(group, members), batch_size=1000)
    removed, _detail = (
        Observation.objects.filter(metric__programme=programme, group=Observation.Group.COMPARISON)
        .exclude(person_id__in=group.members.values("person_id"))
        .delete()
    )
    reason = _("%(rule)s: %(members)d of %(matched)d matching people.") % {
        "rule": rule.describe(),
        "members": len(members),
        "matched": len(candidates),
    }
    audit_event_record(actor=actor, obj=group, from_state=was, to_state="frozen", reason=reason, programme=programme)
    return FreezeResult(group=group, members=len(members), matched=len(candidates), removed_baselines=removed)
