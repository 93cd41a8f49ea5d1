"""Recording metric values: a programme's baselines and each cycle's values, by hand or from an HRIS file.

One pipeline for both (an ObservationTarget says which): the same file (evaluation.services.baseline_csv),
the same row-numbered checks, the same rules about who may have a value, all or nothing and idempotent.
A person has one value per metric and target: entering or importing it again updates the value and its
period end, never adds a second one.

Baselines: a participant from the moment their application is accepted until their first relationship
becomes active; a member of the frozen comparison group who has not applied to the programme (services.common
and selectors_protocol state the rule); refused once the programme leaves implementation. A cycle's values:
while the cycle is open, closed or analysed, not before it opens and not once it is reported; every write
marks the cycle's current results stale until the task recomputes. Anyone else is an error, because no
analysis could use their value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from people.models import User
from programmes.core.figures_cache import programme_data_changed
from programmes.models import Programme

from ..models import EvaluationCycle, Observation, OutcomeMetric, OutcomeResult
from ..selectors import LEFT_COMPARISON, STARTED, GroupIndex, group_index_for_programme
from .baseline_csv import MAX_ERRORS, FileRejected, RawRow, RowError, parse_date, parse_number, read_rows
from .common import EvaluationError, lock_for_baselines

BASELINE = Observation.PeriodKind.BASELINE
CYCLE = Observation.PeriodKind.CYCLE


class BaselineImportError(EvaluationError):
    """The file was rejected; `errors` lists every problem found, each with its row."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(gettext_lazy("The file was not imported: nothing was changed."))
        self.errors = errors[:MAX_ERRORS]
        self.total = len(errors)


@dataclass(frozen=True)
class BaselineValue:
    """A validated value, ready to write."""

    metric: OutcomeMetric
    person_id: int
    group: str
    value: float
    period_end: date


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    created: int
    updated: int
    unchanged: int


def lock_cycle_for_observations(cycle: EvaluationCycle) -> EvaluationCycle:
    """Lock the cycle row for a write of its values and refuse when it takes none."""
    locked = EvaluationCycle.objects.select_for_update().select_related("programme").get(pk=cycle.pk)
    programme_data_changed(locked.programme_id)  # the cycle's values change: the report shows them
    if locked.kind == EvaluationCycle.Kind.BASELINE:
        raise EvaluationError(_("The baseline cycle's values are the baselines: record them on the baselines page."))
    if not locked.accepts_observations:
        raise EvaluationError(
            _("This cycle is %(state)s: values can be recorded from when it opens until it is reported.")
            % {"state": locked.get_state_display().lower()}
        )
    return locked


@dataclass(frozen=True)
class ObservationTarget:
    """Where values go: the programme's baselines (no cycle), or one cycle's values."""

    programme: Programme
    cycle: EvaluationCycle | None = None

    @property
    def baseline(self) -> bool:
        return self.cycle is None

    def locked(self) -> ObservationTarget:
        """The same target with its row locked for a write; EvaluationError when it takes no values now."""
        if self.cycle is None:
            return ObservationTarget(lock_for_baselines(self.programme))
        cycle = lock_cycle_for_observations(self.cycle)
        return ObservationTarget(cycle.programme, cycle)

    def observations(self) -> QuerySet[Observation]:
        if self.cycle is None:
            return Observation.objects.filter(metric__programme=self.programme, period_kind=BASELINE)
        return Observation.objects.filter(cycle=self.cycle)

    def group_of(self, groups: GroupIndex, person_id: int) -> str | None:
        """The person's group for this target (a baseline also has a time rule), None when they have none."""
        return groups.baseline_group_of(person_id) if self.baseline else groups.group_of(person_id)

    def new_observation(self, item: BaselineValue) -> Observation:
        kind = BASELINE if self.cycle is None else CYCLE
        return Observation(metric=item.metric, person_id=item.person_id, period_kind=kind, cycle=self.cycle)


GROUP_WORDS = {
    "participant": Observation.Group.PARTICIPANT,
    "participants": Observation.Group.PARTICIPANT,
    "mentored": Observation.Group.PARTICIPANT,
    "comparison": Observation.Group.COMPARISON,
    "control": Observation.Group.COMPARISON,
}


def group_problem(person: User, group: str | None) -> str:
    """Why `person` cannot have a value in this programme ("" when they can); `group` from GroupIndex."""
    if group == LEFT_COMPARISON:
        return _(
            "%(person)s was drawn into the comparison group but has since applied to the programme, so they "
            "are left out of the comparison group; once their application is accepted, record their values "
            "as a participant's."
        ) % {"person": person.email}
    if group == STARTED:
        return _(
            "%(person)s's mentoring relationship is already active: a baseline is measured before mentoring "
            "starts, so it can no longer be recorded or changed."
        ) % {"person": person.email}
    if group is None:
        return _(
            "%(person)s is neither accepted into this programme nor in its frozen comparison group "
            "(participants get a baseline once their application is accepted)."
        ) % {"person": person.email}
    return ""


def value_problem(metric: OutcomeMetric, value: float | None) -> str:
    """Why `value` cannot be a baseline of `metric` ("" when it can)."""
    if value is None:
        return _("%(metric)s: the value is not a number (write it like 1250000.5, without separators).") % {
            "metric": metric.name
        }
    return metric.check_value(value)


def date_problem(period_end: date | None) -> str:
    """Why `period_end` cannot end a baseline period ("" when it can)."""
    if period_end is None:
        return _("The period end is not a date in the form YYYY-MM-DD.")
    if period_end > timezone.localdate():
        return _("The period end %(date)s is in the future: a baseline is a value already measured.") % {
            "date": period_end.isoformat()
        }
    return ""


class _Resolver:
    """Looks up the people and metrics a file names, in a fixed number of queries."""

    def __init__(self, target: ObservationTarget, rows: list[RawRow]) -> None:
        programme = target.programme
        self.target = target
        emails = {row.email.lower() for row in rows}
        self.people = {
            u.email.lower(): u
            for u in User.objects.annotate(e=Lower("email")).filter(e__in=emails).only("pk", "email", "full_name")
        }
        metrics = list(OutcomeMetric.objects.filter(programme=programme))
        self.by_name = {m.name.lower(): m for m in metrics}
        self.by_id = {str(m.pk): m for m in metrics}
        wanted = {row.metric.lower() for row in rows} - set(self.by_name) - set(self.by_id)
        numbers = [int(w) for w in wanted if w.isdigit() and len(w) < 18]
        others = (
            OutcomeMetric.objects.exclude(programme=programme)
            .annotate(lname=Lower("name"))
            .filter(Q(lname__in=wanted) | Q(pk__in=numbers))
            .values_list("pk", "lname")
        )
        self.elsewhere = {key for pk, lname in others for key in (str(pk), lname)}
        self.groups: GroupIndex = group_index_for_programme(programme=programme)

    def group_of(self, person_id: int) -> str | None:
        return self.target.group_of(self.groups, person_id)

    def metric(self, text: str) -> OutcomeMetric | None:
        key = text.strip().lower()
        return self.by_name.get(key) or self.by_id.get(key)


def _check_row(row: RawRow, lookup: _Resolver) -> tuple[BaselineValue | None, list[str]]:
    """Validate one row against the directory and the programme; every problem it has, in words."""
    problems: list[str] = []
    person = lookup.people.get(row.email.lower())
    metric = lookup.metric(row.metric)
    if not row.email:
        problems.append(_("The e-mail is empty."))
    elif person is None:
        problems.append(_("No one in the people directory has the e-mail %(email)s.") % {"email": row.email})
    if not row.metric:
        problems.append(_("The metric is empty."))
    elif metric is None and row.metric.lower() in lookup.elsewhere:
        problems.append(_("The metric “%(metric)s” belongs to another programme.") % {"metric": row.metric})
    elif metric is None:
        problems.append(_("This programme has no metric “%(metric)s”.") % {"metric": row.metric})
    value = parse_number(row.value)
    if metric is not None and (problem := value_problem(metric, value)):
        problems.append(problem)
    elif metric is None and value is None:
        problems.append(_("The value is not a number (write it like 1250000.5, without separators)."))
    period_end = parse_date(row.period_end)
    if problem := date_problem(period_end):
        problems.append(problem)
    group = lookup.group_of(person.pk) if person else None
    if person is not None and (problem := group_problem(person, group)):
        problems.append(problem)
    if row.group:
        claimed = GROUP_WORDS.get(row.group.strip().lower())
        if claimed is None:
            problems.append(_("The group must be “participant” or “comparison”, not “%(g)s”.") % {"g": row.group})
        elif person is not None and group in GROUP_WORDS.values() and claimed != group:
            problems.append(
                _("%(person)s is in the %(actual)s group, not the %(claimed)s group.")
                % {"person": row.email, "actual": group, "claimed": claimed}
            )
    if problems or person is None or metric is None or value is None or period_end is None or group is None:
        return None, problems
    return BaselineValue(metric, person.pk, group, value, period_end), []


def validate_rows(target: ObservationTarget, rows: list[RawRow]) -> tuple[list[BaselineValue], list[RowError]]:
    """Resolve and check every row; duplicates (same person and metric) are errors on the later row.

    A baseline target applies the baseline's time rule (not after the person's relationship became active).
    """
    lookup = _Resolver(target, rows)
    values: list[BaselineValue] = []
    errors: list[RowError] = []
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        metric = lookup.metric(row.metric)
        key = (row.email.lower(), str(metric.pk) if metric else row.metric.lower())
        if key in seen:
            errors.append(
                RowError(
                    row.row,
                    _("Row %(first)d already gives %(metric)s for %(email)s; keep one of the two.")
                    % {"first": seen[key], "metric": row.metric, "email": row.email},
                )
            )
            continue
        seen[key] = row.row
        value, problems = _check_row(row, lookup)
        errors.extend(RowError(row.row, problem) for problem in problems)
        if value is not None:
            values.append(value)
    return values, errors


def results_mark_stale(*, cycle: EvaluationCycle, metric_ids: set[int] | None = None) -> int:
    """Mark the cycle's current results stale (all, or those of some metrics): new data has arrived."""
    current = OutcomeResult.objects.filter(cycle=cycle, superseded_at__isnull=True, stale=False)
    if metric_ids is not None:
        current = current.filter(metric_id__in=metric_ids)
    return current.update(stale=True)


def _write(*, actor: User, target: ObservationTarget, values: list[BaselineValue], source: str) -> ImportResult:
    """Insert new values and update changed ones (one read, batched writes); unchanged rows are left alone."""
    existing = {(o.metric_id, o.person_id): o for o in target.observations()}
    now = timezone.now()
    new: list[Observation] = []
    changed: list[Observation] = []
    for item in values:
        current = existing.get((item.metric.pk, item.person_id))
        if current is None:
            current = target.new_observation(item)
            new.append(current)
        elif (current.value, current.period_end, current.group) == (item.value, item.period_end, item.group):
            continue
        else:
            current.metric = item.metric
            changed.append(current)
        current.group, current.value, current.period_end = item.group, item.value, item.period_end
        current.source, current.recorded_by, current.recorded_at = source, actor, now
        # Foreign keys and uniqueness were checked against the lookups above; no query per row.
        current.full_clean(
            exclude=["metric", "person", "recorded_by", "cycle"], validate_unique=False, validate_constraints=False
        )
    Observation.objects.bulk_create(new, batch_size=1000)
    Observation.objects.bulk_update(
        changed, ["group", "value", "period_end", "source", "recorded_by", "recorded_at"], batch_size=500
    )
    if target.cycle is not None and (new or changed):
        results_mark_stale(cycle=target.cycle, metric_ids={o.metric_id for o in new + changed})
    return ImportResult(created=len(new), updated=len(changed), unchanged=len(values) - len(new) - len(changed))


@transaction.atomic
def observations_import(*, actor: User, target: ObservationTarget, data: bytes) -> ImportResult:
    """Import a values file: every row valid and written, or BaselineImportError and nothing written.

    Re-importing the same file changes nothing; a changed value or period end updates that value.
    """
    target = target.locked()
    try:
        rows = read_rows(data)
    except FileRejected as exc:
        raise BaselineImportError(exc.errors) from None
    values, errors = validate_rows(target, rows)
    if errors:
        raise BaselineImportError(errors)
    return _write(actor=actor, target=target, values=values, source=Observation.Source.IMPORT)


@transaction.atomic
def observation_record(
    *, actor: User, target: ObservationTarget, metric: OutcomeMetric, person: User, value: float, period_end: date
) -> tuple[Observation, bool]:
    """Enter one person's value of one metric by hand; returns the observation and whether it is new."""
    target = target.locked()
    if metric.programme_id != target.programme.pk:
        raise EvaluationError(_("This metric belongs to another programme."))
    group = target.group_of(group_index_for_programme(programme=target.programme), person.pk)
    problem = group_problem(person, group) or value_problem(metric, value) or date_problem(period_end)
    if problem:
        raise EvaluationError(problem)
    assert group is not None  # group_problem refused None, "both" and "started"
    item = BaselineValue(metric, person.pk, group, value, period_end)
    result = _write(actor=actor, target=target, values=[item], source=Observation.Source.MANUAL)
    return target.observations().get(metric=metric, person=person), result.created == 1


def baseline_import(*, actor: User, programme: Programme, data: bytes) -> ImportResult:
    """Import an HRIS baseline file (observations_import on the programme's baselines)."""
    return observations_import(actor=actor, target=ObservationTarget(programme), data=data)


def baseline_record(
    *, actor: User, metric: OutcomeMetric, person: User, value: float, period_end: date
) -> tuple[Observation, bool]:
    """Enter one person's baseline for one metric by hand."""
    target = ObservationTarget(metric.programme)
    return observation_record(
        actor=actor, target=target, metric=metric, person=person, value=value, period_end=period_end
    )


def cycle_observation_import(*, actor: User, cycle: EvaluationCycle, data: bytes) -> ImportResult:
    """Import a file of the cycle's values (observations_import on the cycle)."""
    return observations_import(actor=actor, target=ObservationTarget(cycle.programme, cycle), data=data)


def cycle_observation_record(
    *, actor: User, cycle: EvaluationCycle, metric: OutcomeMetric, person: User, value: float, period_end: date
) -> tuple[Observation, bool]:
    """Enter one person's value of one metric in this cycle by hand."""
    target = ObservationTarget(cycle.programme, cycle)
    return observation_record(
        actor=actor, target=target, metric=metric, person=person, value=value, period_end=period_end
    )
