"""The finished programme of the demo: "Sales mentoring pilot 2025", told along its real timeline.

It starts about seventeen months before the day the demo is seeded: needs assessment (a needs survey of
the Sales division, three outcome metrics), planning, design and implementation, each on its own date;
forty or so salespeople apply, their managers approve, the coordinator screens, baselines are imported,
a comparison group of salespeople not enrolled is frozen, everyone completes orientation, the matcher's
run is published and answered, agreements are signed, and the pairs meet every four weeks for the
nine-month term, answering check-ins and questionnaires as the cycles open. At the end of the term the
pairs close with exit surveys, the end values are imported, the results are computed and reported, and
the programme closes. Every step calls the service its page calls, with the clock set to that day
(people.demo_clock), so audit trails, sessions and the stepper carry real past dates.
"""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from mentoring.dates import add_months
from people.demo import LOGINS, login_email
from people.demo_clock import at
from people.models import User
from programmes import demo as steps
from programmes import demo_pairs as pairs
from programmes.core.errors import TransitionBlocked
from programmes.models import Enrolment, Programme, Relationship

from . import demo_steps as evaluation
from .models import EvaluationCycle, OutcomeResult

if TYPE_CHECKING:
    from people.demo import DemoPeople

NAME = "Sales mentoring pilot 2025"
TERM_MONTHS = 9
MAX_MENTEES = 30
MAX_COMPARISON = 60
SPEC = steps.ProgrammeSpec(
    name=NAME,
    purpose="Nine months of one-to-one mentoring for sales staff: shorter sales cycles, more revenue, fewer leavers.",
    goals=(("Close deals faster and sell more", 1), ("Keep our best salespeople", 2)),
    readiness=((4, "The Sales Director sponsors the pilot."),) * 7,
    conditions="",
    policies={
        "term_months": TERM_MONTHS,
        "meeting_cadence_days": 28,
        "mentor_capacity": 3,
        "agreement_template": "We meet every four weeks for nine months.",
    },
)
GAPS = {"SAL-KA": {"NEG": 2.0, "CUS": 1.4}, "SAL-DI": {"NEG": 1.5, "CUS": 1.6}, "SAL-MK": {"CUS": 1.2}}


@dataclass(frozen=True)
class DemoPilot:
    programme: Programme
    mentees: int
    comparison: int
    results: int


def _logins() -> list[int]:
    return list(User.objects.filter(email__in=[login_email(role) for role in LOGINS]).values_list("pk", flat=True))


def _cast(rng: random.Random) -> tuple[list[User], list[User]]:
    """Sales staff (grades 3–6) as mentees, senior people outside Sales as mentors; demo logins left out."""
    sales = list(
        User.objects.filter(
            org_unit__code__startswith="SAL-", grade__range=(3, 6), is_active=True, left_date__isnull=True
        )
        .exclude(pk__in=_logins())
        .order_by("pk")
    )
    rng.shuffle(sales)
    mentees = sorted(sales[: min(MAX_MENTEES, len(sales) * 2 // 5)], key=lambda u: u.pk)
    seniors = list(
        User.objects.filter(grade__gte=8, is_active=True, left_date__isnull=True)
        .exclude(org_unit__code__startswith="SAL")
        .exclude(pk__in=_logins())
        .order_by("pk")
    )
    return mentees, seniors[: -(-len(mentees) // 3) + 2]


def _advance(programme: Programme, actor: User, reason: str) -> Programme:
    try:
        return steps.advance(programme, actor, reason)
    except TransitionBlocked as exc:
        raise RuntimeError(f"{programme.name}: {exc.message} {[str(b) for b in exc.blockers]}") from exc


def build_pilot(*, people: DemoPeople, seed: int, say: evaluation.Say) -> DemoPilot | None:
    """Tell the pilot's story (see the module docstring); None when the company has too few salespeople."""
    rng = random.Random(seed + 1)
    today = timezone.localdate()
    start = add_months(today, -15)  # the pairs' first meetings
    mentees, mentors = _cast(rng)
    if len(mentees) < 10 or not mentors:
        return None
    coordinator = people.coordinator
    values = evaluation.Values(seed + 2)
    with at(start - timedelta(days=80)):
        programme = steps.set_up(spec=SPEC, people=people, coordinators=[coordinator])
    with at(start - timedelta(days=70)):
        steps.needs_survey(
            programme=programme,
            coordinator=coordinator,
            codes=("NEG", "CUS", "COA", "FIN"),
            gaps=GAPS,
            rng=rng,
            title="Sales skills needs 2025",
        )
        evaluation.metrics(programme, coordinator)
    comparison = _leave_needs_assessment(programme, coordinator, values, seed, start, say)
    with at(start - timedelta(days=50)):
        programme = _advance(programme, coordinator, "Design agreed with the Sales Director.")
        steps.design(programme, coordinator)
        cycles = evaluation.plan(programme, coordinator, start)
    with at(start - timedelta(days=40)):
        programme = _advance(programme, coordinator, "Team, orientation and evaluation plan ready.")
        steps.open_recruitment(programme, coordinator)
    enrolments = _recruit(programme, coordinator, mentees, mentors, rng, start)
    with at(start - timedelta(days=19)):
        evaluation.record_baselines(
            programme, coordinator, evaluation.accepted_mentees(programme), values, start - timedelta(days=1), say
        )
        if not comparison:
            comparison = evaluation.freeze_comparison(programme, coordinator, seed, MAX_COMPARISON, say)
            evaluation.record_baselines(programme, coordinator, comparison, values, start - timedelta(days=1), say)
    _pair_up(programme, coordinator, enrolments, rng, start)
    _run_the_term(programme, cycles, rng, start)
    written = _evaluate(programme, coordinator, cycles, values, mentees + comparison, rng, start, say)
    return DemoPilot(programme, len(mentees), len(comparison), written)


def _leave_needs_assessment(
    programme: Programme, coordinator: User, values: evaluation.Values, seed: int, start: date, say: evaluation.Say
) -> list[User]:
    """Move to planning. Where the lifecycle wants a baseline first, the comparison group is frozen and measured now."""
    comparison: list[User] = []
    with at(start - timedelta(days=60)):
        try:
            steps.advance(programme, coordinator, "Readiness: go. Goals agreed with the Sales Director.")
        except TransitionBlocked:
            comparison = evaluation.freeze_comparison(programme, coordinator, seed, MAX_COMPARISON, say)
            evaluation.record_baselines(programme, coordinator, comparison, values, start - timedelta(days=61), say)
            _advance(programme, coordinator, "Readiness: go. Goals agreed with the Sales Director.")
    return comparison


def _recruit(
    programme: Programme, coordinator: User, mentees: list[User], mentors: list[User], rng: random.Random, start: date
) -> list[Enrolment]:
    """Applications over a week, managers' approvals, screening, orientation: everyone ends in the pool."""
    enrolments = []
    for i, person in enumerate(mentors + mentees):
        with at(start - timedelta(days=38 - i % 6)):
            role = Enrolment.Role.MENTOR if i < len(mentors) else Enrolment.Role.MENTEE
            enrolments.append(steps.apply(programme, person, role, rng, capacity=3))
    with at(start - timedelta(days=28)):
        steps.approve(enrolments)
    with at(start - timedelta(days=21)):
        steps.screen(enrolments, coordinator)
    for i, enrolment in enumerate(enrolments):
        with at(start - timedelta(days=16 - i % 5)):
            steps.orient(enrolment)
    return enrolments


def _pair_up(
    programme: Programme, coordinator: User, enrolments: list[Enrolment], rng: random.Random, start: date
) -> None:
    """The run is published a week before the start; everyone accepts; plans and agreements before the first meeting."""
    with at(start - timedelta(days=7)):
        run = steps.match(programme, coordinator)
    proposed = list(Relationship.objects.filter(programme=programme, run=run))
    with at(start - timedelta(days=5)):
        for relationship in proposed:
            pairs.answer(relationship)
    with at(start - timedelta(days=2)):
        for relationship in proposed:
            _mentor, mentee = pairs.people_of(relationship)
            pairs.agree(relationship, pairs.plan(mentee, rng))


def _running(programme: Programme) -> list[Relationship]:
    states = (Relationship.State.ACCEPTED, Relationship.State.ACTIVE)
    return list(Relationship.objects.filter(programme=programme, state__in=states).order_by("pk"))


def _run_the_term(programme: Programme, cycles: dict[str, EvaluationCycle], rng: random.Random, start: date) -> None:
    """Nine months: a session every four weeks per pair, the sweeps, check-ins and the cycles' questionnaires."""
    ends = add_months(start, TERM_MONTHS)
    day = start
    while day < ends:
        with at(day + timedelta(hours=rng.randint(0, 6))):
            for relationship in _running(programme):
                pairs.meet(relationship, rng)
                if rng.random() < 0.5:
                    pairs.progress(list(pairs.people_of(relationship)[1].development_plan.goals.all()), 3)
            pairs.sweep()
            pairs.answer_checkins(rng)
            evaluation.tick(timezone.localdate())
            for cycle in EvaluationCycle.objects.filter(programme=programme, state=EvaluationCycle.State.OPEN):
                evaluation.answer_questionnaires(cycle, rng, mean=2.4 if cycle.kind == "baseline" else 4.0)
        day += timedelta(days=28)


def _evaluate(
    programme: Programme,
    coordinator: User,
    cycles: dict[str, EvaluationCycle],
    values: evaluation.Values,
    people: list[User],
    rng: random.Random,
    start: date,
    say: evaluation.Say,
) -> int:
    """Term end: the pairs close with exit surveys; the end cycle's values and answers; results; closed."""
    ends = add_months(start, TERM_MONTHS)
    mentored = {p.pk for p in evaluation.participants(programme)}
    with at(ends):
        evaluation.tick(ends)
        end = EvaluationCycle.objects.get(programme=programme, kind=EvaluationCycle.Kind.END)
        evaluation.end_values(end, coordinator, values, mentored, people, ends, say)
        evaluation.answer_questionnaires(end, rng, mean=3.6)
        for relationship in Relationship.objects.filter(programme=programme, state=Relationship.State.ACTIVE):
            mentor, _mentee = pairs.people_of(relationship)
            pairs.close(relationship, mentor.person, rng)
    closes = ends + timedelta(days=22)
    with at(closes):
        evaluation.tick(closes)
        programme = _advance(programme, coordinator, "The term is over; the end-of-programme values are in.")
        evaluation.costs(programme, coordinator)
        written = evaluation.results(programme, coordinator, report=("midpoint", "end"))
    # Closed, or else it stays in evaluation and its page says what is missing.
    with at(closes + timedelta(days=14)), contextlib.suppress(TransitionBlocked):
        steps.advance(programme, coordinator, "Results reported to the Sales leadership team.")
    return written or OutcomeResult.objects.filter(programme=programme).count()
