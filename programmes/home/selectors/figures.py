"""One definition per figure: which pairs are at risk, whose coordinator contact is overdue, which agreements
wait for signatures, and how many participants finished orientation.

The coordinator's dashboard, the preparation overview, the home pages and the evaluation report all read
these, so the same programme never shows two different numbers for the same thing. Each works from the
relationship's start when nothing has happened yet: a pair that became active months ago and never met is
at risk today, whether or not the hourly sweep has written its health row.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateField,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf

from programmes.core.states import AGREEMENT_EDITABLE, ENROLMENT_ACCEPTED, STARTED, TERM_RUNS
from programmes.models import (
    AUDIENCE_FOR_ROLE,
    AgreementSignature,
    AgreementVersion,
    Enrolment,
    OrientationCompletion,
    OrientationModule,
    Programme,
    Relationship,
    next_contact_due,
)

RState = Relationship.State
# Pairs the coordinator looks after (the health rollup's states).
LOOKED_AFTER = STARTED
CONTACTED = TERM_RUNS
# Relationships whose agreement may still be edited and signed.
AGREEMENT_STATES = AGREEMENT_EDITABLE
# Participants counted by the orientation figure: accepted onwards, not declined or withdrawn.
ORIENTATION_COUNTED = ENROLMENT_ACCEPTED
DEFAULT_CADENCE_DAYS = 14
SILENT_CADENCES = 2  # silent for twice the cadence: at risk (the sweep flags at the same point)


def cadence_days(programme: Programme) -> int:
    """Days between meetings the programme asks for."""
    return programme.meeting_cadence_days or DEFAULT_CADENCE_DAYS


def _last_activity() -> Coalesce:
    """The health row's last activity, else the relationship's start (its last state change into active)."""
    return Coalesce(F("health__last_activity_at"), F("state_changed_at"), output_field=DateTimeField())


class _Days(Func):
    """A whole number of days as a duration: an interval on PostgreSQL, microseconds (Django's duration) on SQLite."""

    output_field = DurationField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="make_interval(days => %(expressions)s)", **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="(%(expressions)s * 86400000000)", **extra)


def _cadence() -> Coalesce:
    """Each pair's cadence as the reminder sweep reads it: its latest signed agreement version's, else the
    programme's, else two weeks (selectors.agreements.agreed_terms and reminders._cadence, in SQL)."""
    agreed = (
        AgreementVersion.objects.filter(agreement__relationship=OuterRef("pk"), signatures__isnull=False)
        .order_by("-number")
        .values("meeting_cadence_days")[:1]
    )
    return Coalesce(
        Subquery(agreed),
        NullIf(F("programme__meeting_cadence_days"), Value(0)),
        Value(DEFAULT_CADENCE_DAYS),
        output_field=IntegerField(),
    )


def _silent_q(now: datetime) -> Q:
    """Active and silent for SILENT_CADENCES times the pair's cadence (rows annotated with quiet_since, cadence)."""
    since = ExpressionWrapper(
        Value(now, output_field=DateTimeField()) - _Days(F("cadence") * Value(SILENT_CADENCES)),
        output_field=DateTimeField(),
    )
    return Q(state=RState.ACTIVE, quiet_since__lt=since)


def relationships_at_risk(*, programmes: Sequence[Programme], now: datetime) -> QuerySet[Any]:
    """Pairs flagged at risk (by the sweep, a contact, a concern) and active pairs silent for twice their cadence
    (the signed agreement's where there is one, as the sweep has it).

    Each row carries `quiet_since` (last activity or start), `cadence` (days), `risk_reason` and `risk_since`
    (empty when only silence puts it here).
    """
    return (
        Relationship.objects.filter(programme__in=programmes, state__in=LOOKED_AFTER)
        .annotate(
            quiet_since=_last_activity(),
            cadence=_cadence(),
            risk_reason=Coalesce(F("health__at_risk_reason"), Value(""), output_field=TextField()),
            risk_since=F("health__at_risk_since"),
        )
        .filter(Q(health__at_risk=True) | _silent_q(now))
        .order_by("quiet_since", "pk")
    )


def first_contact_offset(programme: Programme) -> int:
    """Days from a pair's start to its first coordinator contact under the programme's contact policy."""
    start = date(2000, 1, 1)
    due = next_contact_due(
        started=start,
        contacts=[],
        first_month=programme.contacts_first_month,
        interval=programme.contact_interval_days,
    )
    return (due - start).days


def _contact_due(programmes: Sequence[Programme]) -> Coalesce:
    """The health row's next contact date, else the pair's start plus the first contact of its programme's policy."""
    offsets = {first_contact_offset(p) for p in programmes}
    offset: Any
    if len(offsets) <= 1:
        offset = Value(timedelta(days=offsets.pop() if offsets else 0))
    else:
        whens = [When(programme_id=p.pk, then=Value(timedelta(days=first_contact_offset(p)))) for p in programmes]
        offset = Case(*whens, output_field=DurationField())
    first = ExpressionWrapper(Cast(F("state_changed_at"), DateField()) + offset, output_field=DateField())
    return Coalesce(F("health__next_contact_due"), first, output_field=DateField())


def _contacted(programmes: Sequence[Programme]) -> QuerySet[Any]:
    # QuerySet[Any]: the rows carry annotations the model does not declare.
    return Relationship.objects.filter(programme__in=programmes, state__in=CONTACTED).annotate(
        contact_due=_contact_due(programmes)
    )


def relationships_contact_overdue(*, programmes: Sequence[Programme], today: date) -> QuerySet[Any]:
    """Running pairs whose next coordinator contact is before today, with `contact_due` on each row."""
    return _contacted(programmes).filter(contact_due__lt=today).order_by("contact_due", "pk")


def relationships_contact_due_between(*, programmes: Sequence[Programme], low: date, high: date) -> QuerySet[Any]:
    """Running pairs whose next coordinator contact falls between two days (inclusive)."""
    return _contacted(programmes).filter(contact_due__gte=low, contact_due__lte=high)


def contact_figures(*, programmes: Sequence[Programme], today: date) -> dict[int, tuple[int, int]]:
    """Per programme: (running pairs whose coordinator contact is not overdue, running pairs). One query."""
    rows = (
        _contacted(programmes)
        .values("programme_id")
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(contact_due__lt=today)))
        .order_by()
    )
    return {row["programme_id"]: (row["n"] - row["late"], row["n"]) for row in rows if row["n"]}


def agreements_waiting(*, programme: Programme) -> QuerySet[Any]:
    """Accepted pairs not yet in force, and running pairs whose latest agreement version lacks a signature.

    Rows carry `version_id`, `version_number`, `version_created`, `signed`, `member_count` and `first_meeting`.
    """
    latest = AgreementVersion.objects.filter(agreement__relationship=OuterRef("pk")).order_by("-number")
    signed = (
        AgreementSignature.objects.filter(version=OuterRef("version_id"))
        .order_by()
        .values("version")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Relationship.objects.filter(programme=programme, state__in=AGREEMENT_STATES)
        .annotate(
            version_id=Subquery(latest.values("pk")[:1]),
            version_number=Subquery(latest.values("number")[:1]),
            version_created=Subquery(latest.values("created_at")[:1]),
            signed=Coalesce(Subquery(signed[:1], output_field=IntegerField()), Value(0)),
            member_count=Count("members", distinct=True),
            first_meeting=F("agreement__first_meeting_at"),
        )
        .filter(Q(state=RState.ACCEPTED) | Q(version_id__isnull=True) | Q(signed__lt=F("member_count")))
        .order_by("state_changed_at", "pk")
    )


def orientation_figures(*, programme_ids: Sequence[int]) -> dict[int, tuple[int, int]]:
    """Per programme: (participants who finished every required module of their role, participants counted).

    A programme without required modules has no entry: there is nothing to complete, so no figure rather
    than a vacuous 100 %. Three queries whatever the number of people.
    """
    required: dict[tuple[int, str], set[int]] = defaultdict(set)
    modules = OrientationModule.objects.filter(programme_id__in=programme_ids, required=True)
    for pk, programme_id, audience in modules.values_list("pk", "programme_id", "audience"):
        required[(programme_id, audience)].add(pk)
    with_modules = {programme_id for programme_id, _audience in required}
    if not with_modules:
        return {}
    done: dict[int, set[int]] = defaultdict(set)
    completions = OrientationCompletion.objects.filter(module__programme_id__in=with_modules)
    for person_id, module_id in completions.values_list("person_id", "module_id"):
        done[person_id].add(module_id)
    counts: dict[int, list[int]] = {programme_id: [0, 0] for programme_id in with_modules}
    enrolments = Enrolment.objects.filter(programme_id__in=with_modules, state__in=ORIENTATION_COUNTED)
    for programme_id, person_id, role in enrolments.values_list("programme_id", "person_id", "role"):
        needed = required.get((programme_id, AUDIENCE_FOR_ROLE.get(role, "")), set())
        counts[programme_id][1] += 1
        counts[programme_id][0] += needed <= done.get(person_id, set())
    return {programme_id: (finished, n) for programme_id, (finished, n) in counts.items() if n}
