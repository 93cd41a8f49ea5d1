"""The evaluation demo's finished programme: a sales mentoring pilot with measured outcomes.

"Sales mentoring pilot 2025" ran one-to-one mentoring for sales staff of PT Nusantara Niaga for nine
months and is now in evaluation. Its mentored salespeople (40 of the 300-person company's sales staff)
and a frozen comparison group of the other salespeople and team leads (58) have baseline and
end-of-programme values of the sales cycle length (days), quarterly revenue and 12-month retention; the
mentored group improves more (about 12 days shorter against 3, +12 % revenue against +3 %, 93 % retained
against 80 %), so the report shows a real difference in differences with its interval, and an ROI
against the programme's costs. Questionnaire answers (reaction and the mentees' competency re-rating)
fill the questionnaire table. Everything goes through the services a coordinator would use (comparison
freeze, baseline and cycle imports, the outcome computation), except the moves of the programme and its
past cycles, which are history written straight to the rows (with an audit event saying so). The same
seed gives the same programme.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.apps import apps
from django.utils import timezone

from people.demo import LOGINS, login_email
from people.models import Competency, OrgUnit, User
from programmes.models import BusinessGoal, Enrolment, Programme, ProgrammeRole
from programmes.services.lifecycle import audit_event_record

from .models import Answer, CostItem, EvaluationCycle, Instrument, InstrumentResponse, OutcomeMetric
from .services import ComparisonRule, baseline_import, comparison_group_freeze
from .services.cycles import add_months, evaluation_plan_generate
from .services.instruments import instruments_ensure_defaults
from .services.observations import cycle_observation_import
from .services.results import outcome_results_compute

NAME = "Sales mentoring pilot 2025"
TERM_MONTHS = 9
MAX_MENTEES = 45
MAX_COMPARISON = 60
MENTOR_CAPACITY = 3
TARGETS = ("NEG", "CUS")
COSTS = (
    ("participant_time", "Mentors' and mentees' hours", "310000000"),
    ("coordination", "Coordinator, 30 % for 10 months", "120000000"),
    ("events", "Kick-off and closing events", "45000000"),
)  # negotiation, customer focus: what the needs assessment found


def _at(day: date) -> datetime:
    """Midnight of `day` in the site's time zone."""
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class DemoPilot:
    programme: Programme
    mentees: int
    comparison: int
    results: int


@dataclass(frozen=True)
class _Spec:
    name: str
    unit: str
    direction: str
    kind: str
    value_per_unit: Decimal | None
    goal: int


SPECS = (
    _Spec("Sales cycle length", "days", "lower", "continuous", Decimal("2500000"), 0),
    # Each extra IDR million a quarter is worth its 10 % margin over four quarters.
    _Spec("Quarterly revenue per rep", "IDR million", "higher", "continuous", Decimal("400000"), 0),
    _Spec("12-month retention", "share", "higher", "rate", Decimal("150000000"), 1),
)


def _people(seed: int) -> tuple[list[User], list[User]]:
    """Sales staff for mentees (under half, at most 45), senior staff elsewhere as mentors; demo logins left out."""
    logins = User.objects.filter(email__in=[login_email(role) for role in LOGINS])
    busy = Enrolment.objects.values("person_id")  # people already in the planning programme
    sales = list(
        User.objects.filter(org_unit__code__startswith="SAL-", grade__lte=7, is_active=True)
        .exclude(pk__in=logins)
        .exclude(pk__in=busy)
        .order_by("pk")
    )
    rng = random.Random(seed)
    rng.shuffle(sales)
    # A little under half are mentored, so that the comparison group (with the team leads) is the larger.
    mentees = sorted(sales[: min(MAX_MENTEES, len(sales) * 9 // 20)], key=lambda u: u.pk)
    seniors = list(
        User.objects.filter(grade__gte=8, is_active=True)
        .exclude(org_unit__code__startswith="SAL")
        .exclude(pk__in=logins)
        .exclude(pk__in=busy)
        .order_by("pk")
    )
    mentors = seniors[: -(-len(mentees) // MENTOR_CAPACITY)]
    return mentees, mentors


def _programme(coordinator: User, hr: User, starts_on: date) -> Programme:
    programme = Programme.objects.create(
        name=NAME,
        purpose="Nine months of one-to-one mentoring for sales staff: shorter sales cycles, more revenue, "
        "fewer leavers.",
        format=Programme.Format.ONE_TO_ONE,
        phase=Programme.Phase.PLANNING,
        created_by=coordinator,
        created_at=_at(starts_on - timedelta(days=90)),
        term_months=TERM_MONTHS,
        meeting_cadence_days=14,
        contacts_first_month=2,
        contact_interval_days=30,
        mentor_capacity=MENTOR_CAPACITY,
        group_size_min=2,
        group_size_max=2,
        reporting_line_exclusion_depth=2,
        max_time_zone_gap_hours=4,
        agreement_template="We meet every two weeks for nine months.",
        no_fault_clause="Either of us may end this relationship at any time, without giving a reason.",
    )
    ProgrammeRole.objects.create(programme=programme, user=coordinator, role=ProgrammeRole.Role.COORDINATOR)
    ProgrammeRole.objects.create(programme=programme, user=hr, role=ProgrammeRole.Role.HR_ANALYST)
    programme.target_competencies.set(Competency.objects.filter(code__in=TARGETS))
    audit_event_record(actor=coordinator, obj=programme, from_state="", to_state=programme.phase, reason="Demo data.")
    return programme


def _metrics(programme: Programme, actor: User) -> list[OutcomeMetric]:
    goals = [
        BusinessGoal.objects.create(programme=programme, statement="Close deals faster and sell more", priority=1),
        BusinessGoal.objects.create(programme=programme, statement="Keep our best salespeople", priority=2),
    ]
    return [
        OutcomeMetric.objects.create(
            goal=goals[s.goal],
            name=s.name,
            unit=s.unit,
            level=OutcomeMetric.Level.RESULTS,
            direction=s.direction,
            kind=s.kind,
            value_per_unit=s.value_per_unit,
            data_source="CRM, ERP and HRIS",
            created_by=actor,
        )
        for s in SPECS
    ]


def _enrol(programme: Programme, mentees: list[User], mentors: list[User], applied: date) -> None:
    when = _at(applied)
    Enrolment.objects.bulk_create(
        [Enrolment(programme=programme, person=p, role="mentee", state="matched", created_at=when) for p in mentees]
        + [
            Enrolment(
                programme=programme, person=p, role="mentor", state="matched", capacity=MENTOR_CAPACITY, created_at=when
            )
            for p in mentors
        ]
    )


def _relationships(programme: Programme, started: date, rng: random.Random) -> None:
    """One pair per mentee, mentors taking up to three each (the matching issue's rows, if it has them)."""
    try:
        relationship = apps.get_model("programmes", "Relationship")
        member = apps.get_model("programmes", "RelationshipMember")
    except LookupError:
        return
    mentees = list(Enrolment.objects.filter(programme=programme, role="mentee").order_by("pk"))
    mentors = list(Enrolment.objects.filter(programme=programme, role="mentor").order_by("pk"))
    for n, mentee in enumerate(mentees):
        day = started + timedelta(days=rng.randint(3, 40))
        rel = relationship.objects.create(
            programme=programme,
            state="active",
            created_at=_at(day),
        )
        member.objects.bulk_create(
            [
                member(relationship=rel, enrolment=mentee, role="mentee", response="accepted"),
                member(relationship=rel, enrolment=mentors[n // MENTOR_CAPACITY], role="mentor", response="accepted"),
            ]
        )


def _csv(rows: list[tuple[str, str, str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["email", "metric", "value", "period_end"])
    writer.writerows(rows)
    return buffer.getvalue().encode()


def _values(
    people: list[User], mentored: set[int], rng: random.Random, baseline_end: date, end: date
) -> tuple[bytes, bytes]:
    """The baseline file and the end-of-programme file; the mentored improve more on every metric."""
    before, after = [], []
    for person in people:
        helped = person.pk in mentored
        days = max(15.0, round(rng.gauss(46, 8), 1))
        fewer = rng.gauss(12 if helped else 3, 5)
        revenue = max(200.0, round(rng.gauss(850, 150), 1))
        growth = rng.gauss(0.12 if helped else 0.03, 0.08)
        stays = rng.random() < (0.93 if helped else 0.80)
        for metric, pre, post in (
            ("Sales cycle length", days, max(10.0, round(days - fewer, 1))),
            ("Quarterly revenue per rep", revenue, round(revenue * (1 + growth), 1)),
            ("12-month retention", 1, int(stays)),
        ):
            before.append((person.email, metric, f"{pre:g}", baseline_end.isoformat()))
            after.append((person.email, metric, f"{post:g}", end.isoformat()))
    return _csv(before), _csv(after)


def _answers(
    programme: Programme,
    cycle: EvaluationCycle,
    instrument: Instrument,
    people: list[User],
    rng: random.Random,
    mean: float,
) -> None:
    """Questionnaire answers of most of `people` (as if they had answered in the cycle)."""
    competencies = list(programme.target_competencies.order_by("pk"))
    items = list(instrument.items.all())
    answered = _at(cycle.opens_on + timedelta(days=3))
    responses = InstrumentResponse.objects.bulk_create(
        [
            InstrumentResponse(
                cycle=cycle, instrument=instrument, respondent=p, subject=p, role="mentee", answered_at=answered
            )
            for p in people
            if rng.random() < 0.85
        ]
    )
    point = lambda: min(5, max(1, round(rng.gauss(mean, 0.8))))  # noqa: E731
    rows = []
    for response in responses:
        if instrument.kind == Instrument.Kind.RERATING:
            rows += [Answer(response=response, competency=c, value=point()) for c in competencies]
        else:
            rows += [
                Answer(response=response, item=i, value=6 - point() if i.reverse_scored else point()) for i in items
            ]
    Answer.objects.bulk_create(rows, batch_size=1000)


def _history(programme: Programme, coordinator: User, cycles: dict[str, EvaluationCycle], today: date) -> None:
    """The programme's and its past cycles' moves, written as history (the demo starts after them)."""
    for phase in ("design", "implementation", "evaluation"):
        before = programme.phase
        Programme.objects.filter(pk=programme.pk).update(phase=phase)
        programme.phase = phase
        audit_event_record(actor=coordinator, obj=programme, from_state=before, to_state=phase, reason="Demo history.")
    for cycle in cycles.values():
        if cycle.closes_on < today:
            EvaluationCycle.objects.filter(pk=cycle.pk).update(
                state="closed", opened_at=timezone.now(), closed_at=timezone.now()
            )
            cycle.state = "closed"
        elif cycle.opens_on <= today:
            EvaluationCycle.objects.filter(pk=cycle.pk).update(state="open", opened_at=timezone.now())
            cycle.state = "open"


def build_pilot(*, coordinator: User, hr: User, seed: int) -> DemoPilot | None:
    """Build the finished pilot (see the module docstring); None when the company has too few salespeople."""
    rng = random.Random(seed + 1)
    today = timezone.localdate()
    mentees, mentors = _people(seed)
    if len(mentees) < 10 or not mentors:
        return None
    starts_on = add_months(today, -(TERM_MONTHS + 1))
    programme = _programme(coordinator, hr, starts_on)
    _metrics(programme, coordinator)
    _enrol(programme, mentees, mentors, starts_on - timedelta(days=45))
    sales_unit = OrgUnit.objects.get(code="SAL")
    freeze = comparison_group_freeze(
        actor=coordinator,
        programme=programme,
        rule=ComparisonRule(org_units=[sales_unit], grade_max=8, max_size=MAX_COMPARISON, random_seed=seed),
    )
    comparison = list(User.objects.filter(pk__in=freeze.group.members.values("person_id")).order_by("pk"))
    baseline_file, end_file = _values(
        sorted(mentees + comparison, key=lambda u: u.pk), {m.pk for m in mentees}, rng,
        starts_on - timedelta(days=1), add_months(starts_on, TERM_MONTHS),
    )  # fmt: skip
    baseline_import(actor=coordinator, programme=programme, data=baseline_file)
    cycles = {c.kind: c for c in evaluation_plan_generate(actor=coordinator, programme=programme, starts_on=starts_on)}
    _relationships(programme, starts_on, rng)
    _history(programme, coordinator, cycles, today)
    cycle_observation_import(actor=coordinator, cycle=cycles["end"], data=end_file)
    instruments = instruments_ensure_defaults(programme=programme)
    _answers(programme, cycles["baseline"], instruments["learning"], mentees, rng, 2.4)
    _answers(programme, cycles["end"], instruments["learning"], mentees, rng, 3.4)
    _answers(programme, cycles["midpoint"], instruments["reaction"], mentees, rng, 4.0)
    _answers(programme, cycles["end"], instruments["reaction"], mentees, rng, 4.2)
    CostItem.objects.bulk_create(
        [
            CostItem(programme=programme, category=category, description=text, amount=Decimal(amount))
            for category, text, amount in COSTS
        ]
    )
    # Results at seed time, as the worker would compute them: closed cycles become analysed.
    written = outcome_results_compute(programme=programme)
    EvaluationCycle.objects.filter(
        programme=programme, kind__in=("baseline", "midpoint"), state__in=("closed", "analysed")
    ).update(state="reported", reported_at=timezone.now())
    return DemoPilot(programme, len(mentees), len(comparison), written)
