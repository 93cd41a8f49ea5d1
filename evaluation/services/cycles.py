"""Evaluation cycles: the plan, and one service per move of `planned → open → closed → analysed → reported`.

Every move is a conditional UPDATE on the state it leaves (`UPDATE … WHERE state = 'planned'`), so two
workers, a retry or a coordinator's double click move a cycle once and send its invitations once; the
one that won writes the AuditEvent. Opening sends the cycle's instruments (evaluation.services.instruments);
closing asks for the outcome results to be computed once the transaction commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentoring.background import enqueue_on_commit
from mentoring.dates import add_months
from people.models import User
from programmes.core.figures_cache import programme_data_changed
from programmes.core.services.lifecycle import audit_event_record
from programmes.models import Programme

from ..instruments_default import SENT_BY_KIND
from ..models import EvaluationCycle, Instrument, OutcomeResult
from .common import EvaluationError
from .cycle_states import cycle_move, wrong_state
from .instruments import cycle_invite, instruments_ensure_defaults
from .results import compute_outcome_results

Kind = EvaluationCycle.Kind
State = EvaluationCycle.State
WINDOW_DAYS = 21  # how long a cycle stays open for answers
DEFAULT_TERM_MONTHS = 12
PLAN_CLOSED_PHASES = (Programme.Phase.CLOSED, Programme.Phase.CANCELLED)


def default_plan(starts_on: date, term_months: int) -> list[tuple[str, date, date]]:
    """(kind, opens on, closes on) of the default plan for a programme starting on `starts_on`.

    Baseline at the start, midpoint halfway through the term, end at the end of the term, and follow-ups
    3, 6 and 12 months after the end; each open for WINDOW_DAYS days.
    """
    ends_on = add_months(starts_on, term_months)
    occasions = [
        (Kind.BASELINE, starts_on),
        (Kind.MIDPOINT, starts_on + (ends_on - starts_on) / 2),
        (Kind.END, ends_on),
        (Kind.FOLLOW_UP_3, add_months(ends_on, 3)),
        (Kind.FOLLOW_UP_6, add_months(ends_on, 6)),
        (Kind.FOLLOW_UP_12, add_months(ends_on, 12)),
    ]
    return [(str(kind), day, day + timedelta(days=WINDOW_DAYS - 1)) for kind, day in occasions]


def _check_programme_open(programme: Programme) -> None:
    if programme.phase in PLAN_CLOSED_PHASES:
        raise EvaluationError(
            _("The programme is %(phase)s: its evaluation plan can no longer change.")
            % {"phase": programme.get_phase_display().lower()}
        )


def _attach_default_instruments(cycle: EvaluationCycle, instruments: dict[str, Instrument]) -> None:
    cycle.instruments.set([instruments[key] for key in SENT_BY_KIND.get(cycle.kind, ()) if key in instruments])


@transaction.atomic
def evaluation_plan_generate(
    *, actor: User, programme: Programme, starts_on: date | None = None
) -> list[EvaluationCycle]:
    """Add the default cycles the programme does not have yet, dated from its term; returns the new ones.

    Copies the default instruments into the programme first (once), and gives each new cycle the ones
    its kind sends. Cycles that exist already are left as they are, so running it twice adds nothing.
    """
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    _check_programme_open(programme)
    starts_on = starts_on or timezone.localdate()
    instruments = instruments_ensure_defaults(programme=programme)
    existing = set(EvaluationCycle.objects.filter(programme=programme).values_list("kind", flat=True))
    created = []
    for kind, opens_on, closes_on in default_plan(starts_on, programme.term_months or DEFAULT_TERM_MONTHS):
        if kind in existing:
            continue
        cycle = EvaluationCycle(
            programme=programme, kind=kind, opens_on=opens_on, closes_on=closes_on, created_by=actor
        )
        cycle.full_clean()
        cycle.save()
        _attach_default_instruments(cycle, instruments)
        audit_event_record(actor=actor, obj=cycle, from_state="", to_state=State.PLANNED, programme=programme)
        created.append(cycle)
    return created


@transaction.atomic
def cycle_create(
    *,
    actor: User,
    programme: Programme,
    kind: str,
    opens_on: date,
    closes_on: date,
    instruments: Iterable[Instrument] | None = None,
) -> EvaluationCycle:
    """Add one cycle to the plan (a pulse, or a kind the plan lacks); the kind's instruments by default."""
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    _check_programme_open(programme)
    if kind != Kind.PULSE and EvaluationCycle.objects.filter(programme=programme, kind=kind).exists():
        raise EvaluationError(
            _("The plan already has a cycle of kind “%(kind)s”; change its dates instead.") % {"kind": Kind(kind).label}
        )
    cycle = EvaluationCycle(programme=programme, kind=kind, opens_on=opens_on, closes_on=closes_on, created_by=actor)
    cycle.full_clean()
    cycle.save()
    if instruments is None:
        _attach_default_instruments(cycle, instruments_ensure_defaults(programme=programme))
    else:
        cycle.instruments.set([i for i in instruments if i.programme_id == programme.pk])
    audit_event_record(actor=actor, obj=cycle, from_state="", to_state=State.PLANNED, programme=programme)
    return cycle


@transaction.atomic
def cycle_update(
    *, actor: User, cycle: EvaluationCycle, opens_on: date, closes_on: date, instruments: Iterable[Instrument]
) -> EvaluationCycle:
    """Change a cycle's dates and instruments: all of them while planned, only the closing date once open."""
    locked = EvaluationCycle.objects.select_for_update().select_related("programme").get(pk=cycle.pk)
    _check_programme_open(locked.programme)
    if locked.state == State.PLANNED:
        locked.opens_on = opens_on
        locked.closes_on = closes_on
    elif locked.state == State.OPEN:
        if opens_on != locked.opens_on:
            raise EvaluationError(_("This cycle is open already: only its closing date can change."))
        if closes_on < timezone.localdate():
            raise EvaluationError(_("An open cycle's closing date cannot be in the past; close it instead."))
        locked.closes_on = closes_on
    else:
        raise EvaluationError(
            _("This cycle is %(state)s: its dates can no longer change.")
            % {"state": locked.get_state_display().lower()}
        )
    locked.full_clean()
    locked.save(update_fields=["opens_on", "closes_on"])
    programme_data_changed(locked.programme_id)
    if locked.state == State.PLANNED:
        locked.instruments.set([i for i in instruments if i.programme_id == locked.programme_id])
    return locked


@transaction.atomic
def cycle_open(*, actor: User | None, cycle: EvaluationCycle) -> EvaluationCycle:
    """Open a planned cycle and send its instruments to everyone they ask (once, whoever calls it)."""
    _check_programme_open(cycle.programme)
    opened = cycle_move(cycle.pk, source=State.PLANNED, target=State.OPEN, stamp="opened_at")
    if opened is None:
        raise wrong_state(cycle, State.PLANNED)
    invited = cycle_invite(cycle=opened)
    reason = _("%(n)d invitations sent.") % {"n": invited}
    audit_event_record(actor=actor, obj=opened, from_state=State.PLANNED, to_state=State.OPEN, reason=reason)
    return opened


@transaction.atomic
def cycle_close(*, actor: User | None, cycle: EvaluationCycle) -> EvaluationCycle:
    """Close an open cycle (no more answers) and ask for its outcome results once this commits."""
    closed = cycle_move(cycle.pk, source=State.OPEN, target=State.CLOSED, stamp="closed_at")
    if closed is None:
        raise wrong_state(cycle, State.OPEN)
    audit_event_record(actor=actor, obj=closed, from_state=State.OPEN, to_state=State.CLOSED)
    enqueue_on_commit(compute_outcome_results, closed.programme_id)
    return closed


@transaction.atomic
def cycle_mark_reported(*, actor: User, cycle: EvaluationCycle, reason: str = "") -> EvaluationCycle:
    """The coordinator has reported an analysed cycle's results; its figures are final from now on."""
    if OutcomeResult.objects.filter(cycle=cycle, superseded_at__isnull=True, stale=True).exists():
        raise EvaluationError(_("Some results are out of date with new data; wait for them to be recomputed."))
    reported = cycle_move(cycle.pk, source=State.ANALYSED, target=State.REPORTED, stamp="reported_at")
    if reported is None:
        raise wrong_state(cycle, State.ANALYSED)
    audit_event_record(actor=actor, obj=reported, from_state=State.ANALYSED, to_state=State.REPORTED, reason=reason)
    return reported


def cycles_open_due(*, today: date | None = None) -> int:
    """Open every planned cycle whose opening date has come (each in its own transaction); how many opened."""
    today = today or timezone.localdate()
    due = EvaluationCycle.objects.filter(state=State.PLANNED, opens_on__lte=today, closes_on__gte=today).exclude(
        programme__phase__in=PLAN_CLOSED_PHASES
    )
    opened = 0
    for cycle in due.select_related("programme"):
        try:
            cycle_open(actor=None, cycle=cycle)
        except EvaluationError:
            continue  # another worker opened it first
        opened += 1
    return opened


# Phases in which a baseline cycle stays open past its date: participants are still being accepted, and
# each one's baseline questionnaire is due until their first relationship becomes active.
BASELINE_KEPT_OPEN_IN = (Programme.Phase.NEEDS_ASSESSMENT, Programme.Phase.PLANNING, Programme.Phase.DESIGN,
                         Programme.Phase.IMPLEMENTATION, Programme.Phase.ON_HOLD)  # fmt: skip


def cycles_close_due(*, today: date | None = None) -> int:
    """Close every open cycle whose closing date has passed; how many closed.

    A baseline cycle is the exception: it stays open until the programme leaves implementation (or the
    coordinator closes it), so people accepted after its date still give their baseline before pairing.
    """
    today = today or timezone.localdate()
    closed = 0
    due = EvaluationCycle.objects.filter(state=State.OPEN, closes_on__lt=today).exclude(
        kind=Kind.BASELINE, programme__phase__in=BASELINE_KEPT_OPEN_IN
    )
    for cycle in due.select_related("programme"):
        try:
            cycle_close(actor=None, cycle=cycle)
        except EvaluationError:
            continue
        closed += 1
    return closed
