"""The coordinator's matching flow: settings, run, review (lock, forbid, reassign), publish (self-service is
in self_service.py).

    run → draft proposals → review → publish → each pair (or group) becomes a proposed Relationship

A run solves the whole pool at once (services.matching_engine); it never touches relationships. Locks and
forbids are PairRules of the programme, so a re-run keeps them. Publishing proposes each pair through
services.relationships, which takes the row locks that keep every mentor within capacity.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.models import User
from programmes.core.errors import DomainError, InvalidTransition
from programmes.core.figures_cache import programme_data_changed
from programmes.core.services.lifecycle import audit_event_record
from programmes.matching.selectors.matching import PoolRows, matching_pool
from programmes.matching.services.arrays import PoolArrays, pool_arrays
from programmes.matching.services.solve import Solution, breakdowns, explain_pair, full_scores, solve, weights_for
from programmes.models import (
    Enrolment,
    MatchingSettings,
    MatchProposal,
    MatchRun,
    PairRule,
    Programme,
    Relationship,
    UnmatchedMentee,
)

from .relationships import open_slots_taken, relationship_propose

MATCHING_PHASES = (Programme.Phase.IMPLEMENTATION,)


def _require_matching_phase(programme: Programme) -> None:
    if programme.phase not in MATCHING_PHASES:
        raise DomainError(
            _("Matching runs while the programme is in implementation; it is %(phase)s.")
            % {"phase": programme.get_phase_display().lower()}
        )


@transaction.atomic
def matching_settings_update(*, actor: User, programme: Programme, values: dict[str, Any]) -> MatchingSettings:
    """Save the coordinator's weights, rules and objective (one row per programme)."""
    settings, _created = MatchingSettings.objects.select_for_update().get_or_create(programme=programme)
    for name, value in values.items():
        setattr(settings, name, value)
    if settings.objective == MatchingSettings.Objective.TOTAL_SCORE and settings.min_score is None:
        raise DomainError(_("“Best total score only” needs a minimum score per pair."))
    settings.updated_at = timezone.now()
    settings.updated_by = actor
    settings.full_clean()
    settings.save()
    return settings


def _indices(pool: PoolRows) -> tuple[dict[int, int], dict[int, int]]:
    return {e.pk: i for i, e in enumerate(pool.mentees)}, {e.pk: j for j, e in enumerate(pool.mentors)}


def _rule_indices(pool: PoolRows, rules: list[PairRule]) -> list[tuple[int, int]]:
    mentee_at, mentor_at = _indices(pool)
    return [
        (mentee_at[r.mentee_id], mentor_at[r.mentor_id])
        for r in rules
        if r.mentee_id in mentee_at and r.mentor_id in mentor_at
    ]


# The stages of a run, as the background job reports them (people.models_jobs.BackgroundJob.Stage).
Stage = Callable[[str], None]


@dataclass
class Computed:
    """A solved pool, not yet saved: what match_run_save writes in one transaction."""

    pool: PoolRows
    arrays: PoolArrays
    solution: Solution


def match_run_compute(*, programme: Programme, stage: Stage | None = None) -> Computed:
    """Load the pool, score it, solve it and explain each pair, writing nothing and locking nothing."""
    stage = stage or (lambda name: None)
    _require_matching_phase(programme)
    stage("loading")
    pool = matching_pool(programme=programme)
    if not pool.mentees:
        raise DomainError(_("No mentee is waiting in the matching pool."))
    if not pool.mentors:
        raise DomainError(_("No mentor with a free place is in the matching pool."))
    arrays = pool_arrays(pool)
    solution = solve(
        arrays,
        pool.settings,
        locks=_rule_indices(pool, pool.locks),
        forbids=_rule_indices(pool, pool.forbids),
        group_size=_group_size(programme),
        stage=stage,
    )
    return Computed(pool, arrays, solution)


@transaction.atomic
def match_run_save(*, actor: User, programme: Programme, computed: Computed) -> MatchRun:
    """Keep a solved pool as the draft run (earlier drafts are superseded): all of it, or nothing.

    The programme row is locked only now, for the writes, and the phase is checked again under the lock:
    the solve ran without it, so a programme that left implementation meanwhile gets no new draft.
    """
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    _require_matching_phase(programme)
    pool, arrays, solution = computed.pool, computed.arrays, computed.solution
    MatchRun.objects.filter(programme=programme, state=MatchRun.State.DRAFT).update(state=MatchRun.State.SUPERSEDED)
    weights, attribute_weight = weights_for(pool.settings)
    run = MatchRun.objects.create(
        programme=programme,
        created_by=actor,
        settings_snapshot={
            "weights": {**weights.as_dict(), "attributes": attribute_weight},
            "objective": pool.settings.objective,
            "min_score": pool.settings.min_score,
            "min_shared_hours": pool.settings.min_shared_hours,
            "require_shared_language": pool.settings.require_shared_language,
            "apply_format_rule": pool.settings.apply_format_rule,
            "reporting_line_exclusion_depth": programme.reporting_line_exclusion_depth,
            "max_time_zone_gap_hours": programme.max_time_zone_gap_hours,
            "notes": [str(n) for n in solution.notes],
        },
        mentees=len(pool.mentees),
        mentors=len(pool.mentors),
        matched=len(solution.pairs),
        total_score=float(sum(p.score for p in solution.pairs)),
        seconds=solution.seconds,
    )
    MatchProposal.objects.bulk_create(
        (
            MatchProposal(
                run=run,
                mentee=arrays.mentee_rows[p.mentee],
                mentor=arrays.mentor_rows[p.mentor],
                group_no=p.group_no,
                score=p.score,
                breakdown=p.breakdown,
                explanation=p.explanation,
                alternatives=p.alternatives,
                locked=p.locked,
            )
            for p in solution.pairs
        ),
        batch_size=SAVE_BATCH,
    )
    UnmatchedMentee.objects.bulk_create(
        (
            UnmatchedMentee(
                run=run,
                mentee=arrays.mentee_rows[u.mentee],
                reason=u.reason,
                detail=u.detail,
                excluded_by=u.excluded_by,
            )
            for u in solution.unmatched
        ),
        batch_size=SAVE_BATCH,
    )
    audit_event_record(actor=actor, obj=run, from_state="", to_state=MatchRun.State.DRAFT, programme=programme)
    return run


SAVE_BATCH = 2000


def match_run_create(*, actor: User, programme: Programme, stage: Stage | None = None) -> MatchRun:
    """Solve the programme's pool and keep the result as a draft run (earlier drafts are superseded).

    The page runs this in the background (services.matching_jobs); `stage` hears each stage as it starts.
    """
    computed = match_run_compute(programme=programme, stage=stage)
    if stage is not None:
        stage("saving")
    return match_run_save(actor=actor, programme=programme, computed=computed)


def _group_size(programme: Programme) -> tuple[int, int] | None:
    """Group and peer-circle formats: the programme's group size range (mentees per group)."""
    if programme.format not in (Programme.Format.GROUP, Programme.Format.PEER_CIRCLE):
        return None
    low = programme.group_size_min or 4
    return low, max(programme.group_size_max or low, low)


def _draft(proposal: MatchProposal) -> MatchProposal:
    locked = MatchProposal.objects.select_for_update().select_related("run", "mentee", "mentor").get(pk=proposal.pk)
    if locked.run.state != MatchRun.State.DRAFT:
        raise InvalidTransition(_("This run is no longer a draft; start a new run to change pairs."))
    programme_data_changed(locked.run.programme_id)  # the draft changes: the match review shows it
    return locked


@transaction.atomic
def proposal_lock(*, actor: User, proposal: MatchProposal, locked: bool = True) -> MatchProposal:
    """Lock a pair in (every re-run keeps it) or unlock it."""
    proposal = _draft(proposal)
    programme = proposal.run.programme
    if locked:
        PairRule.objects.filter(mentee=proposal.mentee, kind=PairRule.Kind.LOCK).exclude(
            mentor=proposal.mentor
        ).delete()
        PairRule.objects.update_or_create(
            mentee=proposal.mentee,
            mentor=proposal.mentor,
            defaults={"programme": programme, "kind": PairRule.Kind.LOCK, "created_by": actor},
        )
    else:
        PairRule.objects.filter(mentee=proposal.mentee, mentor=proposal.mentor, kind=PairRule.Kind.LOCK).delete()
    proposal.locked = locked
    proposal.save(update_fields=["locked"])
    return proposal


@transaction.atomic
def proposal_forbid(*, actor: User, proposal: MatchProposal, note: str = "") -> PairRule:
    """Forbid a pair: it leaves the draft, and no later run proposes it. Re-run to find the mentee another mentor."""
    proposal = _draft(proposal)
    rule, _created = PairRule.objects.update_or_create(
        mentee=proposal.mentee,
        mentor=proposal.mentor,
        defaults={
            "programme": proposal.run.programme,
            "kind": PairRule.Kind.FORBID,
            "note": note.strip()[:300],
            "created_by": actor,
        },
    )
    run = proposal.run
    proposal.delete()
    MatchRun.objects.filter(pk=run.pk).update(matched=run.proposals.count())
    return rule


@transaction.atomic
def pair_rule_delete(*, actor: User, rule: PairRule) -> None:
    """Lift a lock or a forbid; the next run decides the pair afresh."""
    MatchProposal.objects.filter(
        run__state=MatchRun.State.DRAFT, mentee_id=rule.mentee_id, mentor_id=rule.mentor_id
    ).update(locked=False)
    rule.delete()
    programme_data_changed(rule.programme_id)


def _pair_pool(programme: Programme, mentee: Enrolment, mentor: Enrolment) -> tuple[PoolArrays, int, int]:
    """The arrays of the pool, for scoring one pair by hand (the pool as the run saw it, now)."""
    pool = matching_pool(programme=programme)
    mentee_at, mentor_at = _indices(pool)
    if mentee.pk not in mentee_at or mentor.pk not in mentor_at:
        raise DomainError(_("Both people must still be in the matching pool."))
    return pool_arrays(pool), mentee_at[mentee.pk], mentor_at[mentor.pk]


@dataclass
class PairScore:
    score: float
    breakdown: dict[str, float]
    explanation: str


def score_pair(*, programme: Programme, mentee: Enrolment, mentor: Enrolment) -> PairScore:
    """Score one pair with every hard rule; DomainError when a rule forbids it."""
    arrays, i, j = _pair_pool(programme, mentee, mentor)
    settings = matching_pool(programme=programme).settings
    weights, attribute_weight = weights_for(settings)
    forbidden = PairRule.objects.filter(mentee=mentee, mentor=mentor, kind=PairRule.Kind.FORBID).exists()
    score = float(full_scores(arrays, weights, attribute_weight)[i, j])
    if forbidden or not np.isfinite(score):
        raise DomainError(_("A hard rule forbids this pair."))
    parts = breakdowns(arrays, np.array([i]), np.array([j]), weights, attribute_weight)[0]
    return PairScore(score, parts, explain_pair(arrays, i, j, parts, weights))


@transaction.atomic
def proposal_reassign(*, actor: User, proposal: MatchProposal, mentor: Enrolment) -> MatchProposal:
    """Give the mentee another mentor by hand; the score and explanation are recomputed, capacity is checked."""
    proposal = _draft(proposal)
    if proposal.locked:
        raise DomainError(_("Unlock the pair before you change it."))
    if proposal.group_no is not None:
        raise DomainError(_("Groups are formed together: forbid a pair and run again to change a group."))
    if mentor.pk == proposal.mentor_id:
        return proposal
    run = proposal.run
    taken = run.proposals.filter(mentor=mentor).count() + open_slots_taken(mentor)
    if taken >= mentor.effective_capacity():
        raise DomainError(
            _("%(name)s has no free place in this draft; move one of their mentees first.") % {"name": mentor.person}
        )
    scored = score_pair(programme=run.programme, mentee=proposal.mentee, mentor=mentor)
    proposal.mentor = mentor
    proposal.score, proposal.breakdown, proposal.explanation = scored.score, scored.breakdown, scored.explanation
    proposal.edited = True
    proposal.save(update_fields=["mentor", "score", "breakdown", "explanation", "edited"])
    total = sum(run.proposals.values_list("score", flat=True))
    MatchRun.objects.filter(pk=run.pk).update(total_score=total)
    return proposal


@dataclass
class PublishResult:
    relationships: int
    skipped: list[str]


@transaction.atomic
def match_run_publish(*, actor: User, run: MatchRun) -> PublishResult:
    """Publish a draft: each pair (or group) becomes a proposed relationship and both sides are asked.

    A pair whose people changed since the run (withdrew, were matched by request, the mentor filled up)
    is skipped and named; the rest are published.
    """
    run = MatchRun.objects.select_for_update().select_related("programme").get(pk=run.pk)
    if run.state != MatchRun.State.DRAFT:
        raise InvalidTransition(_("Only a draft run can be published."))
    _require_matching_phase(run.programme)
    groups: dict[tuple[int, int | None], list[MatchProposal]] = defaultdict(list)
    for proposal in run.proposals.select_related("mentee__person", "mentor__person").order_by("pk"):
        key = (
            (proposal.mentor_id, proposal.group_no)
            if proposal.group_no is not None
            else (proposal.mentor_id, -proposal.pk)
        )
        groups[key].append(proposal)
    created, skipped = 0, []
    for proposals in groups.values():
        mentor = proposals[0].mentor
        try:
            with transaction.atomic():
                relationship = relationship_propose(
                    actor=actor,
                    mentor=mentor,
                    mentees=[p.mentee for p in proposals],
                    origin=Relationship.Origin.MATCH_RUN,
                    run=run,
                    score=float(np.mean([p.score for p in proposals])),
                    explanation=proposals[0].explanation if len(proposals) == 1 else "",
                )
        except DomainError as exc:
            skipped.append(f"{', '.join(str(p.mentee.person) for p in proposals)} × {mentor.person}: {exc.message}")
            continue
        MatchProposal.objects.filter(pk__in=[p.pk for p in proposals]).update(relationship=relationship)
        created += 1
    run.state = MatchRun.State.PUBLISHED
    run.published_at = timezone.now()
    run.published_by = actor
    run.save(update_fields=["state", "published_at", "published_by"])
    reason = "; ".join(skipped)
    audit_event_record(actor=actor, obj=run, from_state=MatchRun.State.DRAFT, to_state=run.state, reason=reason)
    return PublishResult(relationships=created, skipped=skipped)
