"""Recording a cycle's metric values (Kirkpatrick level 4): by hand, or an HRIS file, all or nothing.

The file and its checks are the baseline import's (evaluation.services.baseline_csv and
baselines.validate_rows): the same columns, the same row-numbered errors, the same rules about who may
have a value. A person has one value per metric and cycle: importing again updates it, never adds a
second. Values may be recorded while the cycle is open, closed or analysed, not before it opens and not
once it is reported. Every write marks the cycle's current results stale until the task recomputes.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from people.models import User

from ..models import EvaluationCycle, Observation, OutcomeMetric, OutcomeResult
from ..selectors import group_index_for_programme
from .baseline_csv import FileRejected, read_rows
from .baselines import BaselineImportError, BaselineValue, ImportResult, date_problem, group_problem, validate_rows
from .baselines import value_problem as metric_value_problem
from .common import EvaluationError

CYCLE = Observation.PeriodKind.CYCLE


def lock_cycle_for_observations(cycle: EvaluationCycle) -> EvaluationCycle:
    """Lock the cycle row for a write of its values and refuse when it takes none."""
    locked = EvaluationCycle.objects.select_for_update().select_related("programme").get(pk=cycle.pk)
    if locked.kind == EvaluationCycle.Kind.BASELINE:
        raise EvaluationError(_("The baseline cycle's values are the baselines: record them on the baselines page."))
    if not locked.accepts_observations:
        raise EvaluationError(
            _("This cycle is %(state)s: values can be recorded from when it opens until it is reported.")
            % {"state": locked.get_state_display().lower()}
        )
    return locked


def results_mark_stale(*, cycle: EvaluationCycle, metric_ids: set[int] | None = None) -> int:
    """Mark the cycle's current results stale (all, or those of some metrics): new data has arrived."""
    current = OutcomeResult.objects.filter(cycle=cycle, superseded_at__isnull=True, stale=False)
    if metric_ids is not None:
        current = current.filter(metric_id__in=metric_ids)
    return current.update(stale=True)


def _write(*, actor: User, cycle: EvaluationCycle, values: list[BaselineValue], source: str) -> ImportResult:
    """Insert new values and update changed ones (one read, batched writes); unchanged rows are left alone."""
    existing = {(o.metric_id, o.person_id): o for o in Observation.objects.filter(cycle=cycle)}
    now = timezone.now()
    new: list[Observation] = []
    changed: list[Observation] = []
    for item in values:
        current = existing.get((item.metric.pk, item.person_id))
        if current is None:
            current = Observation(metric=item.metric, person_id=item.person_id, period_kind=CYCLE, cycle=cycle)
            new.append(current)
        elif (current.value, current.period_end, current.group) == (item.value, item.period_end, item.group):
            continue
        else:
            current.metric = item.metric
            changed.append(current)
        current.group, current.value, current.period_end = item.group, item.value, item.period_end
        current.source, current.recorded_by, current.recorded_at = source, actor, now
        current.full_clean(
            exclude=["metric", "person", "recorded_by", "cycle"], validate_unique=False, validate_constraints=False
        )
    Observation.objects.bulk_create(new, batch_size=1000)
    Observation.objects.bulk_update(
        changed, ["group", "value", "period_end", "source", "recorded_by", "recorded_at"], batch_size=500
    )
    if new or changed:
        results_mark_stale(cycle=cycle, metric_ids={o.metric_id for o in new + changed})
    return ImportResult(created=len(new), updated=len(changed), unchanged=len(values) - len(new) - len(changed))


@transaction.atomic
def cycle_observation_import(*, actor: User, cycle: EvaluationCycle, data: bytes) -> ImportResult:
    """Import a file of the cycle's values: every row valid and written, or BaselineImportError and nothing."""
    cycle = lock_cycle_for_observations(cycle)
    try:
        rows = read_rows(data)
    except FileRejected as exc:
        raise BaselineImportError(exc.errors) from None
    values, errors = validate_rows(cycle.programme, rows, baseline=False)
    if errors:
        raise BaselineImportError(errors)
    return _write(actor=actor, cycle=cycle, values=values, source=Observation.Source.IMPORT)


@transaction.atomic
def cycle_observation_record(
    *, actor: User, cycle: EvaluationCycle, metric: OutcomeMetric, person: User, value: float, period_end: date
) -> tuple[Observation, bool]:
    """Enter one person's value of one metric in this cycle; returns the observation and whether it is new."""
    cycle = lock_cycle_for_observations(cycle)
    if metric.programme_id != cycle.programme_id:
        raise EvaluationError(_("This metric belongs to another programme."))
    group = group_index_for_programme(programme=cycle.programme).group_of(person.pk)
    problem = group_problem(person, group) or metric_value_problem(metric, value) or date_problem(period_end)
    if problem:
        raise EvaluationError(problem)
    assert group is not None  # group_problem refused None and "both"
    result = _write(
        actor=actor, cycle=cycle, values=[BaselineValue(metric, person.pk, group, value, period_end)], source="manual"
    )
    return Observation.objects.get(metric=metric, person=person, cycle=cycle), result.created == 1
