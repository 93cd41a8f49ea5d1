"""The demo's programmes, told along a timeline through the pages' services (seed_demo calls `build`).

First the finished pilot of 2025 (evaluation.demo_pilot), then "Sales leadership accelerator 2026", which is
where the demo people have something to do today:

- about 170 days ago it was set up (needs survey, metrics, readiness), then planned and designed; it has
  been in implementation for about four months;
- its first wave (30–40 people) applied, was approved and screened; baselines were imported and a
  comparison group frozen; everyone did orientation; the demo mentee asked the demo mentor through
  self-service, the matcher paired the rest; agreements were signed and the pairs have met every two
  weeks since, answering their check-ins;
- one pair went quiet after its first meeting (the sweep flags it at risk), a mentee raised a concern that
  is still open, a mentee withdrew, a pair closed early with both exit surveys answered;
- a second wave joined the pool in the last two weeks and the matcher's run on them waits for review;
- the demo mentee's last session, logged by her mentor three days ago, waits for her confirmation, and her
  second check-in is due; her colleague's application waits for their manager (the manager login).

Every step calls the service its page calls at the moment the story says (people.demo_clock); nothing
writes an enrolment, baseline, relationship, session or result row directly.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from django.utils import timezone

from people.demo import DemoError
from people.demo_clock import at
from people.models import User
from programmes import demo as steps
from programmes import demo_pairs as pairs
from programmes.core.errors import TransitionBlocked
from programmes.matching.services.self_service import mentor_request
from programmes.models import Enrolment, MatchRun, Programme, Relationship

from . import demo_steps as evaluation
from .demo_pilot import NAME as PILOT_NAME
from .demo_pilot import DemoPilot, build_pilot

if TYPE_CHECKING:
    from people.demo import DemoPeople

PROGRAMME_NAME = "Sales leadership accelerator 2026"
COMPARISON_SIZE = 60
FIRST_WAVE_MENTEES = 24
FIRST_WAVE_MENTORS = 12
SECOND_WAVE_MENTEES = 6
SPEC = steps.ProgrammeSpec(
    name=PROGRAMME_NAME,
    purpose="Pair experienced sales leaders with high-potential sales staff for a year, so that deals close faster, "
    "new hires stay, and team leads are ready to step up.",
    goals=(
        ("Shorten the key-account sales cycle from 94 to 80 days by the end of 2026.", 1),
        ("Keep 85% of new sales hires through their first year (now 71%).", 1),
        ("Have a ready successor for 12 of the 30 sales team-lead roles by mid-2027.", 2),
    ),
    readiness=(
        (5, "The Sales Director sponsors the programme and opens the kick-off."),
        (3, "Two hours a fortnight agreed for mentees; mentors' time still to be confirmed per branch."),
        (4, "Sari leads; a second coordinator from Learning & Development joins."),
        (4, "Three business goals with owners and baselines."),
        (3, "Budget approved for 2026; the 2027 follow-up is not yet."),
        (3, "Strong informal coaching in Key Accounts; little elsewhere."),
        (2, "Branch managers in Distribution worry about lost selling time."),
    ),
    conditions="Mentors' time confirmed in writing by each branch manager before matching.\n"
    "Branch managers in Distribution briefed on the programme before recruitment opens.",
    policies={"term_months": 12, "meeting_cadence_days": 14, "mentor_capacity": 2},
)
GAPS = {
    "SAL-KA": {"NEG": 2.0, "STK": 1.6, "FIN": 1.2, "COA": 1.0},
    "SAL-DI": {"NEG": 1.4, "CUS": 1.2, "DAT": 1.5, "COA": 0.9},
    "SAL-MK": {"DAT": 2.1, "CUS": 1.0, "FIN": 0.8},
    "SAL-CS": {"CUS": 1.3, "STK": 0.7, "COA": 0.5},
}


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...


@dataclass(frozen=True)
class DemoEvaluation:
    """What the demo built: the 2026 programme and its highlights, and the finished pilot."""

    programme: Programme | None
    pilot: DemoPilot | None
    quiet: Relationship | None = None
    review: MatchRun | None = None


@dataclass
class Cohort:
    """The 2026 programme's people as the story needs them."""

    mentees: list[User]
    mentors: list[User]
    second_wave: list[User]
    late_applicant: User | None


def _cohort(people: DemoPeople, rng: random.Random) -> Cohort:
    """Sales staff not in the pilot as mentees, team leads and heads as mentors; the demo logins where they belong."""
    busy = set(Enrolment.objects.values_list("person_id", flat=True))
    fixed = {people.mentee.pk, people.mentor.pk, people.mentee_id.pk, people.manager.pk}
    staff = [
        u
        for u in User.objects.filter(
            org_unit__code__startswith="SAL-", grade__range=(3, 6), is_active=True, left_date__isnull=True
        ).order_by("pk")
        if u.pk not in busy and u.pk not in fixed
    ]
    rng.shuffle(staff)
    late = next((u for u in staff if u.manager_id == people.manager.pk), None)
    staff = [u for u in staff if u != late]
    seniors = User.objects.filter(grade__range=(7, 10), is_active=True, left_date__isnull=True)
    seniors = seniors.exclude(org_unit__code__startswith="HC").order_by("pk")
    leads = [u for u in seniors if u.pk not in busy and u.pk not in fixed]
    rng.shuffle(leads)
    # A small company has fewer salespeople left after the pilot: the second wave keeps its share (a quarter
    # of them, up to SECOND_WAVE_MENTEES) and the first wave takes the rest, so the pool is never empty.
    second_size = min(SECOND_WAVE_MENTEES, len(staff) // 4)
    first_size = min(FIRST_WAVE_MENTEES - 2, len(staff) - second_size)
    mentees = [people.mentee, people.mentee_id, *staff[:first_size]]
    second = staff[first_size : first_size + second_size]
    if not second:
        raise DemoError(f"The 2026 programme needs more salespeople than the {len(staff)} the pilot left free.")
    return Cohort(mentees, [people.mentor, *leads[: FIRST_WAVE_MENTORS - 1]], second, late)


def _advance(programme: Programme, actor: User, reason: str) -> Programme:
    try:
        return steps.advance(programme, actor, reason)
    except TransitionBlocked as exc:
        raise RuntimeError(f"{programme.name}: {exc.message} {[str(b) for b in exc.blockers]}") from exc


def _day(today: date, days_ago: int, hour: int = 10) -> Any:
    from people.demo_clock import moment

    return moment(today - timedelta(days=days_ago), hour)


def build_programme(*, people: DemoPeople, seed: int, say: evaluation.Say) -> DemoEvaluation:
    """Tell the 2026 programme's story up to today (see the module docstring)."""
    rng, today = random.Random(seed), timezone.localdate()
    coordinator, cohort = people.coordinator, _cohort(people, random.Random(seed + 3))
    values = evaluation.Values(seed + 4)
    with at(_day(today, 170)):
        programme = steps.set_up(spec=SPEC, people=people, coordinators=[coordinator, people.koordinator])
    with at(_day(today, 150)):
        steps.needs_survey(
            programme=programme,
            coordinator=coordinator,
            codes=("NEG", "CUS", "COA", "FIN", "DAT", "STK"),
            gaps=GAPS,
            rng=rng,
            title="Sales skills needs 2026",
        )
        evaluation.metrics(programme, coordinator)
    comparison: list[User] = []
    with at(_day(today, 145)):
        try:
            steps.advance(programme, coordinator, "Readiness: go with conditions; goals agreed.")
        except TransitionBlocked:  # the lifecycle wants a baseline before planning: the comparison group first
            comparison = evaluation.freeze_comparison(programme, coordinator, seed, COMPARISON_SIZE, say)
            evaluation.record_baselines(programme, coordinator, comparison, values, today - timedelta(days=150), say)
            _advance(programme, coordinator, "Readiness: go with conditions; goals agreed.")
    with at(_day(today, 130)):
        programme = _advance(programme, coordinator, "Design workshop held with the Sales Director.")
        steps.design(programme, coordinator)
        evaluation.plan(programme, coordinator, today - timedelta(days=100))
    with at(_day(today, 120)):
        programme = _advance(programme, coordinator, "Team, orientation and evaluation plan ready.")
        steps.open_recruitment(programme, coordinator, self_service=True)
    first = _recruit(programme, coordinator, cohort.mentors, cohort.mentees, rng, today, start=116)
    with at(_day(today, 105)):
        evaluation.record_baselines(
            programme, coordinator, evaluation.accepted_mentees(programme), values, today - timedelta(days=106), say
        )
        if not comparison:
            comparison = evaluation.freeze_comparison(programme, coordinator, seed, COMPARISON_SIZE, say)
            evaluation.record_baselines(programme, coordinator, comparison, values, today - timedelta(days=106), say)
    running = _pair_up(programme, people, first, rng, today)
    quiet = _run(programme, people, running, rng, today)
    review = _second_wave(programme, people, cohort, values, rng, today, say)
    pairs.sweep()  # today's sweep: check-ins due, quiet pairs flagged
    pairs.mark_past_notifications_sent(timezone.now() - timedelta(days=2))
    return DemoEvaluation(programme, None, quiet, review)


def _recruit(
    programme: Programme,
    coordinator: User,
    mentors: list[User],
    mentees: list[User],
    rng: random.Random,
    today: date,
    *,
    start: int,
) -> list[Enrolment]:
    """Applications over a week, the managers' approvals, screening, orientation: into the pool."""
    enrolments = []
    for i, person in enumerate(mentors + mentees):
        with at(_day(today, start - i % 5, 9 + i % 8)):
            role = Enrolment.Role.MENTOR if i < len(mentors) else Enrolment.Role.MENTEE
            enrolments.append(steps.apply(programme, person, role, rng))
    with at(_day(today, start - 6)):
        steps.approve(enrolments)
    with at(_day(today, start - 8)):
        decline = [e for e in enrolments if e.role == Enrolment.Role.MENTEE][-1:]
        steps.screen(enrolments, coordinator, decline=decline if len(enrolments) > 20 else [])
    for i, enrolment in enumerate(enrolments):
        with at(_day(today, start - 12 - i % 3, 9 + i % 8)):
            steps.orient(enrolment)
    return enrolments


def _pair_up(
    programme: Programme, people: DemoPeople, enrolments: list[Enrolment], rng: random.Random, today: date
) -> list[Relationship]:
    """The demo mentee asks the demo mentor (self-service); the matcher pairs the rest; all accept and sign."""
    by_person = {e.person_id: e for e in enrolments}
    with at(_day(today, 101)):
        mentee, mentor = by_person[people.mentee.pk], by_person[people.mentor.pk]
        mentor_request(actor=people.mentee, mentee=mentee, mentor=mentor)
        run = steps.match(programme, people.coordinator)
    proposed = list(Relationship.objects.filter(programme=programme, state=Relationship.State.PROPOSED))
    with at(_day(today, 99)):
        for relationship in proposed:
            pairs.answer(relationship)
    with at(_day(today, 97)):
        for relationship in proposed:
            _mentor, mentee = pairs.people_of(relationship)
            pairs.agree(relationship, pairs.plan(mentee, rng))
    assert run is not None
    return proposed


def _run(
    programme: Programme, people: DemoPeople, running: list[Relationship], rng: random.Random, today: date
) -> Relationship | None:
    """Three months of fortnightly sessions and weekly sweeps, with a quiet pair, a concern, a withdrawal, a closure."""
    demo_pair = next(r for r in running if people.mentee.pk in _persons(r))
    with at(_day(today, 95, 15)):  # every pair's first meeting (it makes the signed pairs active)
        for relationship in _live(programme):
            pairs.meet(relationship, rng)
    active = [r for r in _live(programme) if r.state == Relationship.State.ACTIVE]
    others = [r for r in active if r.pk != demo_pair.pk and not _persons(r) & {people.mentee_id.pk, people.mentor.pk}]
    quiet, closing, concerned, leaving = [*others[:4], None, None, None, None][:4]
    quiet_people = _persons(quiet)
    for days_ago in range(88, 2, -7):
        with at(_day(today, days_ago, 15)):
            if (95 - days_ago) % 14 == 0:
                for relationship in _live(programme):
                    if relationship != quiet:
                        pairs.meet(relationship, rng)
            if days_ago == 39 and concerned is not None:
                pairs.raise_concern(concerned, pairs.people_of(concerned)[1].person)
            if days_ago == 32 and closing is not None:
                pairs.close(closing, pairs.people_of(closing)[1].person, rng)
            if days_ago == 18 and leaving is not None:
                pairs.withdraw(pairs.people_of(leaving)[1])
            pairs.sweep()
            pairs.answer_checkins(rng, skip=quiet_people | ({people.mentee.pk} if days_ago < 10 else set()))
    with at(_day(today, 4, 16)):  # the other mentee of the demo mentor logs a session he has to confirm
        second = next((r for r in _live(programme) if people.mentor.pk in _persons(r) and r != demo_pair), None)
        if second is not None:
            _mentor, mentee = pairs.people_of(second)
            pairs.meet(second, rng, confirm=False, by=mentee.person)
    with at(_day(today, 3, 11)):  # the demo mentor logs a session the demo mentee has to confirm
        pairs.meet(demo_pair, rng, confirm=False)
        pairs.schedule(demo_pair, timezone.now() + timedelta(days=11))
    return quiet


def _live(programme: Programme) -> list[Relationship]:
    states = (Relationship.State.ACCEPTED, Relationship.State.ACTIVE)
    return list(Relationship.objects.filter(programme=programme, state__in=states).order_by("pk"))


def _persons(relationship: Relationship | None) -> set[int]:
    if relationship is None:
        return set()
    return set(relationship.members.values_list("enrolment__person_id", flat=True))


def _second_wave(
    programme: Programme,
    people: DemoPeople,
    cohort: Cohort,
    values: evaluation.Values,
    rng: random.Random,
    today: date,
    say: evaluation.Say,
) -> MatchRun:
    """Late applicants join the pool over the last two weeks; the matcher's run on them waits for review."""
    joined = _recruit(programme, people.coordinator, [], cohort.second_wave, rng, today, start=14)
    with at(_day(today, 1)):
        evaluation.record_baselines(
            programme, people.coordinator, [e.person for e in joined], values, today - timedelta(days=2), say
        )
        run = steps.match(programme, people.coordinator, publish=False)
    if cohort.late_applicant is not None:
        with at(_day(today, 2)):
            steps.apply(programme, cohort.late_applicant, Enrolment.Role.MENTEE, rng)
    return run


def build(
    *, people: Any, programmes: object | None = None, seed: int = 2026, stdout: Writer | None = None
) -> DemoEvaluation:
    """The pilot of 2025, then the 2026 programme (each only once: a second call adds nothing)."""
    say = stdout.write if stdout is not None else (lambda text: None)
    pilot = None
    if not Programme.objects.filter(name=PILOT_NAME).exists():
        pilot = build_pilot(people=people, seed=seed, say=say)
    if pilot is not None:
        say(
            f"{PILOT_NAME}: {pilot.mentees} mentored salespeople, a comparison group of {pilot.comparison}, "
            f"{pilot.results} outcome results.\n"
        )
    if Programme.objects.filter(name=PROGRAMME_NAME).exists():
        return DemoEvaluation(None, pilot)
    built = build_programme(people=people, seed=seed, say=say)
    programme = built.programme
    assert programme is not None
    counts = {s: programme.relationships.filter(state=s).count() for s in ("active", "closed")}
    say(
        f"{PROGRAMME_NAME}: {programme.enrolments.count()} applications, {counts['active']} active pairs, "
        f"{counts['closed']} closed, a match run waiting for review.\n"
    )
    return DemoEvaluation(programme, pilot, built.quiet, built.review)
