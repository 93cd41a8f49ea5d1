"""The demo's programme steps: what a coordinator, applicants and managers do, through the pages' services.

evaluation.demo and evaluation.demo_pilot tell the two demo programmes' stories along a timeline (the
story spans apps, so it is told from the highest one); this module holds the programmes app's steps of
those stories: set up a programme in needs assessment (team, policies, goals, readiness, a needs survey),
prepare its design (orientation modules), open recruitment, apply, approve, screen, complete orientation
and run the matcher. The pairs' lives (agreements, sessions, check-ins, concerns, closures) are in
programmes.demo_pairs. Every step calls the service its page calls; none writes an enrolment or a
relationship row itself. Each step runs at the moment the caller has set on the demo clock.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from people.models import Competency, OrgUnit, User
from programmes.core.errors import DomainError
from programmes.core.selectors.programmes import survey_gap_heatmap
from programmes.core.services.lifecycle import programme_advance
from programmes.design.services.design import (
    ReadinessItemInput,
    programme_create,
    programme_policies_update,
    readiness_assessment_start,
    readiness_assessment_update,
    team_member_add,
)
from programmes.design.services.survey import needs_survey_close, needs_survey_invite, survey_competencies_adopt
from programmes.enrolment.services.enrolment import (
    ApplicationProfile,
    CompetencyEntry,
    enrolment_apply,
    enrolment_manager_decide,
    enrolment_screen,
    recruitment_update,
)
from programmes.matching.services.matching import match_run_create, match_run_publish, matching_settings_update
from programmes.preparation.services.orientation import orientation_complete, orientation_defaults_create

from .models import (
    AUDIENCE_FOR_ROLE,
    BusinessGoal,
    Enrolment,
    MatchRun,
    NeedsSurvey,
    OrientationModule,
    Programme,
    ProgrammeRole,
    SurveyAnswer,
    SurveyInvitation,
    format_defaults,
)

if TYPE_CHECKING:
    from people.demo import DemoPeople

SLOTS = ("mon_morning", "tue_afternoon", "wed_morning", "wed_evening", "thu_afternoon", "fri_morning")
RESPONSE_RATE = 0.85
MAX_RESPONDENTS = 400  # enough for every heatmap cell; bounded so that a 50,000-person demo stays quick
MENTEE_GOALS = (
    "Negotiate larger deals with key accounts without giving away margin.",
    "Run quarterly business reviews my customers look forward to.",
    "Read my territory's numbers and act on them before my manager asks.",
    "Lead my first team with confidence.",
)
MENTOR_GOALS = (
    "Pass on how I win and keep key accounts.",
    "Help a colleague grow the way my mentor helped me.",
    "Learn how the younger sales team sells online.",
)


@dataclass(frozen=True)
class ProgrammeSpec:
    """What the coordinator decides in needs assessment and design."""

    name: str
    purpose: str
    goals: tuple[tuple[str, int], ...]
    readiness: tuple[tuple[int, str], ...]
    conditions: str
    policies: dict[str, object]


def set_up(*, spec: ProgrammeSpec, people: DemoPeople, coordinators: Sequence[User]) -> Programme:
    """Create the programme, its team, policies, business goals and readiness decision (needs assessment)."""
    coordinator = coordinators[0]
    programme = programme_create(
        actor=coordinator, name=spec.name, purpose=spec.purpose, format=Programme.Format.ONE_TO_ONE
    )
    policies = {**format_defaults(programme.format), **spec.policies}
    programme_policies_update(actor=coordinator, programme=programme, values=policies)
    for colleague in coordinators[1:]:
        team_member_add(actor=coordinator, programme=programme, person=colleague, role=ProgrammeRole.Role.COORDINATOR)
    team_member_add(actor=coordinator, programme=programme, person=people.hr, role=ProgrammeRole.Role.HR_ANALYST)
    director = User.objects.filter(job_title="Sales Director").order_by("pk").first() or people.mentor
    for statement, priority in spec.goals:  # the goals page saves its form as it is: no service to call
        BusinessGoal.objects.create(programme=programme, statement=statement, priority=priority, owner=director)
    assessment = readiness_assessment_start(actor=coordinator, programme=programme)
    items = [
        ReadinessItemInput(pk=item.pk, name=item.name, score=score, evidence=evidence)
        for item, (score, evidence) in zip(assessment.items.order_by("position"), spec.readiness, strict=False)
    ]
    decision = "go_with_conditions" if spec.conditions else "go"
    readiness_assessment_update(
        actor=coordinator, assessment=assessment, items=items, decision=decision, conditions=spec.conditions
    )
    return programme


def needs_survey(
    *,
    programme: Programme,
    coordinator: User,
    codes: Sequence[str],
    gaps: dict[str, dict[str, float]],
    rng: random.Random,
    title: str,
) -> NeedsSurvey:
    """Ask the Sales division (grades 3–8), record their answers, close the survey, adopt the largest gaps.

    The answers are written in bulk as each respondent's form would save them (the survey's own rows, not a
    state the story depends on), then the coordinator closes the survey and adopts through the services.
    """
    survey = NeedsSurvey.objects.create(
        programme=programme,
        title=title,
        instructions="Where are you now, and where does your role need you to be?",
        grades=[3, 4, 5, 6, 7, 8],
        created_by=coordinator,
    )
    competencies = list(Competency.objects.filter(code__in=codes))
    survey.competencies.set(competencies)
    survey.org_units.set(OrgUnit.objects.filter(code="SAL"))
    needs_survey_invite(actor=coordinator, survey=survey)
    department = dict(OrgUnit.objects.filter(code__startswith="SAL-").values_list("pk", "code"))
    chosen = [i for i in survey.invitations.order_by("pk") if rng.random() < RESPONSE_RATE][:MAX_RESPONDENTS]
    answers = []
    for invitation in chosen:
        gap_of = gaps.get(department.get(invitation.org_unit_id or 0, ""), {})
        for competency in competencies:
            current = rng.choice([1, 2, 2, 2, 3, 3])
            needed = max(1, min(5, current + round(gap_of.get(competency.code, 0.3) + rng.gauss(0, 0.8))))
            answers.append(
                SurveyAnswer(invitation=invitation, competency=competency, current_level=current, needed_level=needed)
            )
    SurveyAnswer.objects.bulk_create(answers, batch_size=1000)
    from django.utils import timezone

    SurveyInvitation.objects.filter(pk__in=[i.pk for i in chosen]).update(
        state=SurveyInvitation.State.RESPONDED, responded_at=timezone.now()
    )
    needs_survey_close(actor=coordinator, survey=survey)
    ranking = [r for r in survey_gap_heatmap(survey=survey).ranking if not r.suppressed]
    survey_competencies_adopt(actor=coordinator, survey=survey, competency_ids=[r.competency.pk for r in ranking[:3]])
    return survey


def advance(programme: Programme, actor: User, reason: str = "") -> Programme:
    """One phase forward through the lifecycle service (its guards apply)."""
    return programme_advance(actor=actor, programme=programme, reason=reason)


def design(programme: Programme, coordinator: User) -> None:
    """The default orientation modules for every role (in both languages)."""
    orientation_defaults_create(actor=coordinator, programme=programme)


def open_recruitment(programme: Programme, coordinator: User, *, self_service: bool = False) -> None:
    """Recruitment opens with manager approval; the matcher's settings are saved as the coordinator chose."""
    recruitment_update(
        actor=coordinator,
        programme=programme,
        is_open=True,
        commitment="Two hours a fortnight for the programme's term, plus a one-hour orientation.",
        eligibility="Sales staff in grades 3–6 as mentees; team leads and above (grade 7+) as mentors.",
        manager_approval_required=True,
    )
    matching_settings_update(actor=coordinator, programme=programme, values={"self_service": self_service})


def apply(programme: Programme, person: User, role: str, rng: random.Random, *, capacity: int = 2) -> Enrolment:
    """The person applies on the recruitment page: goals, three time slots, languages, competencies."""
    targets = list(programme.target_competencies.order_by("code")) or list(Competency.objects.order_by("code")[:3])
    gives = role in (Enrolment.Role.MENTOR, Enrolment.Role.FACILITATOR)
    entries = [
        CompetencyEntry(competency=c, level=5) if gives else CompetencyEntry(competency=c, level=4, current_level=2)
        for c in targets[:2]
    ]
    profile = ApplicationProfile(
        goals=rng.choice(MENTOR_GOALS if gives else MENTEE_GOALS),
        availability=sorted(rng.sample(SLOTS, k=3)),
        languages=list(person.languages or ["id"]),
        location=person.location,
        time_zone=person.time_zone,
        capacity=capacity if gives else None,
        competencies=entries,
    )
    return enrolment_apply(actor=person, programme=programme, role=role, profile=profile)


def approve(enrolments: Iterable[Enrolment]) -> None:
    """Each applicant's manager approves on the approval page (those without a manager went to screening)."""
    for enrolment in enrolments:
        enrolment.refresh_from_db()
        manager = enrolment.person.manager
        if enrolment.state == Enrolment.State.APPLIED and manager is not None:
            enrolment_manager_decide(actor=manager, enrolment=enrolment, approve=True)


def screen(enrolments: Iterable[Enrolment], coordinator: User, *, decline: Sequence[Enrolment] = ()) -> None:
    """The coordinator screens the queue: most are accepted, the `decline` ones are told why."""
    declined = {e.pk for e in decline}
    for enrolment in enrolments:
        enrolment.refresh_from_db()
        if enrolment.state != Enrolment.State.SCREENING:
            continue
        if enrolment.pk in declined:
            reason = "This round is for people in Sales roles; we will keep you in mind for the next one."
            enrolment_screen(actor=coordinator, enrolment=enrolment, accept=False, reason=reason)
        else:
            enrolment_screen(actor=coordinator, enrolment=enrolment, accept=True)


def orient(enrolment: Enrolment) -> None:
    """The person completes every required module of their role (quizzes answered right)."""
    audiences = {AUDIENCE_FOR_ROLE[enrolment.role]}
    language = enrolment.person.preferred_language or "en"
    for module in OrientationModule.objects.filter(programme_id=enrolment.programme_id, audience__in=audiences):
        text = module.text_for(language)
        answers = {q.pk: q.answer for q in text.questions.all()} if text is not None and module.is_quiz else None
        try:
            orientation_complete(
                actor=enrolment.person,
                module=module,
                audiences=audiences,
                language=language,
                acknowledged=True,
                answers=answers,
            )
        except DomainError:  # a module without text in this language: the person reads it later
            continue


def match(programme: Programme, coordinator: User, *, publish: bool = True) -> MatchRun:
    """Run the matcher; publish its proposals (or leave the run as a draft for the coordinator to review)."""
    run = match_run_create(actor=coordinator, programme=programme)
    if publish:
        match_run_publish(actor=coordinator, run=run)
    return run
