"""The demo programme: "Sales leadership accelerator 2026", a one-to-one programme in planning.

Called by `manage.py seed_demo` after people.demo (see evaluation/management/commands/seed_demo.py) inside
its transaction. Everything a coordinator does in needs assessment is filled in, through the same
services the pages use: the team, policies, business goals, a readiness decision (go with conditions),
a closed needs survey of the Sales division with enough answers for unsuppressed heatmap cells, and the
adopted target competencies. The demo mentor and mentee are enrolled. Outcome metrics and baselines are
the evaluation app's part (evaluation.demo runs next and receives what `build` returns).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from people.models import Competency, OrgUnit, User

from .models import (
    AuditEvent,
    Enrolment,
    NeedsSurvey,
    Notification,
    Programme,
    ProgrammeRole,
    ReadinessAssessment,
    SurveyAnswer,
    SurveyInvitation,
    format_defaults,
)
from .selectors import survey_gap_heatmap
from .services.design import programme_create, programme_policies_update, team_member_add
from .services.lifecycle import audit_event_record
from .services.survey import needs_survey_close, needs_survey_invite, survey_competencies_adopt

if TYPE_CHECKING:
    from people.demo import DemoPeople, Writer

NAME = "Sales leadership accelerator 2026"
SURVEY_COMPETENCIES = ("NEG", "CUS", "COA", "FIN", "DAT", "STK")
# How far each Sales department's people say they are from what their work needs (mean gap per competency).
DEPARTMENT_GAPS = {
    "SAL-KA": {"NEG": 2.0, "STK": 1.6, "FIN": 1.2, "COA": 1.0},
    "SAL-DI": {"NEG": 1.4, "CUS": 1.2, "DAT": 1.5, "COA": 0.9},
    "SAL-MK": {"DAT": 2.1, "CUS": 1.0, "FIN": 0.8},
    "SAL-CS": {"CUS": 1.3, "STK": 0.7, "COA": 0.5},
}
RESPONSE_RATE = 0.85
MAX_RESPONDENTS = 2000  # enough for every cell; bounded so that a 50,000-person demo stays quick

GOALS = (
    ("Shorten the key-account sales cycle from 94 to 80 days by the end of 2026.", 1),
    ("Keep 85% of new sales hires through their first year (now 71%).", 1),
    ("Have a ready successor for 12 of the 30 sales team-lead roles by mid-2027.", 2),
)
READINESS = (
    (5, "The Sales Director sponsors the programme and opens the kick-off."),
    (3, "Two hours a fortnight agreed for mentees; mentors' time still to be confirmed per branch."),
    (4, "Sari leads; a second coordinator from Learning & Development joins."),
    (4, "Three business goals with owners and baselines."),
    (3, "Budget approved for 2026; the 2027 follow-up is not yet."),
    (3, "Strong informal coaching in Key Accounts; little elsewhere."),
    (2, "Branch managers in Distribution worry about lost selling time."),
)
CONDITIONS = (
    "Mentors' time confirmed in writing by each branch manager before matching.\n"
    "Branch managers in Distribution briefed on the programme before recruitment opens."
)


@dataclass
class DemoProgrammes:
    """What the programmes demo built, for evaluation.demo."""

    sales: Programme


@transaction.atomic
def build(*, people: DemoPeople, seed: int = 2026, stdout: Writer | None = None) -> DemoProgrammes:
    """Create the demo programme in planning with its design filled in; the same seed gives the same answers."""
    rng = random.Random(seed)
    coordinator = people.coordinator
    programme = programme_create(
        actor=coordinator,
        name=NAME,
        purpose=(
            "Pair experienced sales leaders with high-potential sales staff for a year, so that deals close "
            "faster, new hires stay, and team leads are ready to step up."
        ),
        format=Programme.Format.ONE_TO_ONE,
    )
    programme_policies_update(actor=coordinator, programme=programme, values=format_defaults(programme.format))
    _team(programme, people)
    _goals(programme, people)
    _readiness(programme, coordinator)
    survey = _survey(programme, coordinator, rng)
    _enrol(programme, people)
    _applications(programme, people, rng)
    _preparation(programme, people)
    _to_planning(programme, coordinator)
    if stdout is not None:
        invited = survey.invitations.count()
        answered = survey.invitations.filter(state=SurveyInvitation.State.RESPONDED).count()
        stdout.write(f"Programme “{NAME}” in planning: needs survey {answered} of {invited} answered.\n")
    return DemoProgrammes(sales=programme)


def _team(programme: Programme, people: DemoPeople) -> None:
    """A second coordinator from Learning & Development, and the HR analyst on the programme."""
    coordinator, roles = people.coordinator, ProgrammeRole.Role
    colleague = User.objects.filter(org_unit__code="HC-LD", is_active=True).exclude(pk=coordinator.pk).first()
    if colleague is not None:
        team_member_add(actor=coordinator, programme=programme, person=colleague, role=roles.COORDINATOR)
    team_member_add(actor=coordinator, programme=programme, person=people.hr, role=roles.HR_ANALYST)


def _goals(programme: Programme, people: DemoPeople) -> None:
    director = User.objects.filter(job_title="Sales Director").order_by("pk").first() or people.mentor
    for statement, priority in GOALS:
        programme.business_goals.create(statement=statement, priority=priority, owner=director)


def _readiness(programme: Programme, coordinator: User) -> None:
    """Score the standard checklist with evidence and decide: go, with two conditions."""
    assessment = programme.readiness
    for item, (score, evidence) in zip(assessment.items.order_by("position"), READINESS, strict=True):
        item.score, item.evidence = score, evidence
        item.save(update_fields=["score", "evidence"])
    assessment.decision = ReadinessAssessment.Decision.GO_WITH_CONDITIONS
    assessment.conditions = CONDITIONS
    assessment.decided_by, assessment.decided_at = coordinator, timezone.now()
    assessment.save()
    audit_event_record(actor=coordinator, obj=assessment, from_state="", to_state=assessment.decision)


def _survey(programme: Programme, coordinator: User, rng: random.Random) -> NeedsSurvey:
    """Ask the Sales division (grades 3–8), answer in bulk, close it and adopt the three largest gaps."""
    survey = NeedsSurvey.objects.create(
        programme=programme,
        title="Sales skills needs 2026",
        instructions="Where are you now, and where does your role need you to be?",
        grades=[3, 4, 5, 6, 7, 8],
        created_by=coordinator,
    )
    competencies = list(Competency.objects.filter(code__in=SURVEY_COMPETENCIES))
    survey.competencies.set(competencies)
    survey.org_units.set(OrgUnit.objects.filter(code="SAL"))
    needs_survey_invite(actor=coordinator, survey=survey)
    _answer(survey, competencies, rng)
    needs_survey_close(actor=coordinator, survey=survey)
    # The invitations went out weeks ago: the outbox must not e-mail them now.
    now = timezone.now()
    Notification.objects.filter(dedupe_key__startswith=f"survey-invite:{survey.pk}:").update(
        sent_at=now, due_at=now - timedelta(days=40)
    )
    ranking = [r for r in survey_gap_heatmap(survey=survey).ranking if not r.suppressed]
    survey_competencies_adopt(actor=coordinator, survey=survey, competency_ids=[r.competency.pk for r in ranking[:3]])
    return survey


def _answer(survey: NeedsSurvey, competencies: list[Competency], rng: random.Random) -> None:
    """Most invitees answer; each gap is the department's typical gap plus noise, kept within levels 1–5."""
    # Invitations carry the department already (the heatmap's reporting unit under the Sales division).
    department = dict(OrgUnit.objects.filter(code__startswith="SAL-").values_list("pk", "code"))
    invitations = list(survey.invitations.order_by("pk"))
    chosen = [inv for inv in invitations if rng.random() < RESPONSE_RATE][:MAX_RESPONDENTS]
    answers = []
    for invitation in chosen:
        gaps = DEPARTMENT_GAPS.get(department.get(invitation.org_unit_id or 0, ""), {})
        for competency in competencies:
            current = rng.choice([1, 2, 2, 2, 3, 3])
            gap = round(gaps.get(competency.code, 0.3) + rng.gauss(0, 0.8))
            answers.append(
                SurveyAnswer(
                    invitation=invitation,
                    competency=competency,
                    current_level=current,
                    needed_level=max(1, min(5, current + gap)),
                )
            )
    SurveyAnswer.objects.bulk_create(answers, batch_size=1000)
    SurveyInvitation.objects.filter(pk__in=[inv.pk for inv in chosen]).update(
        state=SurveyInvitation.State.RESPONDED, responded_at=timezone.now()
    )


def _enrol(programme: Programme, people: DemoPeople) -> None:
    Enrolment.objects.bulk_create(
        [
            Enrolment(programme=programme, person=people.mentor, role=Enrolment.Role.MENTOR),
            Enrolment(programme=programme, person=people.mentee, role=Enrolment.Role.MENTEE),
        ]
    )


def _to_planning(programme: Programme, coordinator: User) -> None:
    """Move to planning as the coordinator did three weeks ago.

    Not through programme_advance: its baseline guard needs the outcome metrics that evaluation.demo adds
    after this step. The audit trail records the move all the same, and the history is spread over the
    last three months so that the stepper shows real dates.
    """
    Programme.objects.filter(pk=programme.pk).update(phase=Programme.Phase.PLANNING)
    programme.phase = Programme.Phase.PLANNING
    audit_event_record(
        actor=coordinator,
        obj=programme,
        from_state=Programme.Phase.NEEDS_ASSESSMENT,
        to_state=Programme.Phase.PLANNING,
        reason="Readiness: go with conditions; goals agreed with the Sales Director.",
    )
    now = timezone.now()
    events = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Programme), object_id=programme.pk
    ).order_by("at", "pk")
    for event, days_ago in zip(events, (90, 21), strict=False):
        AuditEvent.objects.filter(pk=event.pk).update(at=now - timedelta(days=days_ago))


# --- Enrolment (issue 4): the recruitment page, matching settings and the demo people's applications ----------

SLOTS = ("mon_morning", "tue_afternoon", "wed_morning", "wed_evening", "thu_afternoon", "fri_morning")


def _applications(programme: Programme, people: DemoPeople, rng: random.Random) -> None:
    """Recruitment written (it opens in implementation), default matching settings, and full applications.

    The demo mentor applied to mentor in the adopted target competencies and is in the pool; the demo
    mentee's application waits for screening, so the coordinator can screen it in the browser.
    """
    from .models import EnrolmentCompetency, MatchingSettings, Recruitment  # the enrolment part of the models

    Recruitment.objects.create(
        programme=programme,
        commitment="Two hours a fortnight for twelve months, plus a one-hour orientation.",
        eligibility="Sales staff in grades 3–6 as mentees; team leads and above (grade 7+) as mentors.",
        manager_approval_required=True,
        updated_by=people.coordinator,
    )
    MatchingSettings.objects.create(programme=programme, updated_by=people.coordinator)
    targets = list(programme.target_competencies.order_by("code")) or list(Competency.objects.order_by("code")[:3])
    competencies = []
    for enrolment in Enrolment.objects.filter(programme=programme).select_related("person"):
        gives = enrolment.is_mentor_side
        enrolment.state = Enrolment.State.AVAILABLE if gives else Enrolment.State.SCREENING
        enrolment.goals = (
            "Pass on how I win and keep key accounts."
            if gives
            else "Negotiate larger deals with key accounts without giving away margin."
        )
        enrolment.availability = sorted(rng.sample(SLOTS, k=3))
        enrolment.languages = list(enrolment.person.languages or ["id"])
        enrolment.location, enrolment.time_zone = enrolment.person.location, enrolment.person.time_zone
        enrolment.capacity = 2 if gives else None
        enrolment.save()
        for competency in targets[:2]:
            current, level = (None, 5) if gives else (2, 4)
            competencies.append(
                EnrolmentCompetency(enrolment=enrolment, competency=competency, current_level=current, level=level)
            )
    EnrolmentCompetency.objects.bulk_create(competencies)


# --- Orientation, the agreement and a development plan (issue 5) ---------------------------------------------


def _preparation(programme: Programme, people: DemoPeople) -> None:
    """Orientation done for the demo mentor and mentee; the mentor's first pair active, with a plan.

    The demo mentee stays waiting for screening (the coordinator screens them in the browser and, their
    orientation being done, they join the pool at once). The mentor, who has two places, already mentors a
    colleague from Distribution: matched, agreement signed by both, first meeting held, and a development plan
    with progress over the last weeks. Everything goes through the services; dates are then moved back.
    """
    from .models import Agreement
    from .services.agreements import (
        AgreementTerms,
        agreement_first_meeting_record,
        agreement_sign,
        agreement_update,
        current_version,
    )
    from .services.development import GoalInput, ProgressInput, development_goal_create, goal_progress_add
    from .services.relationships import relationship_propose, relationship_respond

    started = timezone.now()
    colleague = _demo_second_mentee(programme, people)
    for enrolment in Enrolment.objects.filter(programme=programme).select_related("person"):
        _orientation_done(programme, enrolment)
    mentor = Enrolment.objects.get(programme=programme, person=people.mentor)
    relationship = relationship_propose(actor=people.coordinator, mentor=mentor, mentees=[colleague])
    relationship_respond(actor=people.mentor, relationship=relationship, enrolment=mentor, accept=True)
    relationship_respond(actor=colleague.person, relationship=relationship, enrolment=colleague, accept=True)
    goals = []
    today = timezone.localdate()
    for competency, target, statement in _DEMO_GOALS:
        goals.append(
            development_goal_create(
                actor=colleague.person,
                enrolment=colleague,
                data=GoalInput(
                    competency=Competency.objects.get(code=competency),
                    business_goal=programme.business_goals.order_by("priority", "pk").first(),
                    statement=statement,
                    target_level=target,
                    due_on=today + timedelta(days=240),
                    baseline_level=None if _has_baseline(colleague, competency) else max(1, target - 2),
                    shared_with_manager=competency == "NEG",
                ),
            )
        )
    agreement = Agreement.objects.get(relationship=relationship)
    version = current_version(agreement)
    terms = AgreementTerms.of(version)
    terms.mentee_expects = "Honest feedback on my key-account calls, and an introduction to the pricing team."
    terms.mentor_expects = "An agenda two days before we meet, and a short note after each call you lead."
    terms.linked_goals = goals
    agreement_update(
        actor=colleague.person, agreement=agreement, terms=terms, based_on=(version.number, version.revision)
    )
    for person in (people.mentor, colleague.person):
        agreement_sign(actor=person, agreement=agreement, version_number=1, typed_name=person.full_name)
    agreement_first_meeting_record(actor=people.mentor, agreement=agreement, met_at=timezone.now())
    for goal, levels in zip(goals, ((3, 3), (2, 3)), strict=False):
        for level in levels:
            goal_progress_add(
                actor=colleague.person, goal=goal, data=ProgressInput(today, level, "Discussed with my mentor.")
            )
    _move_back(relationship.pk, agreement.pk, [g.pk for g in goals], weeks=6)
    # The notifications of these steps belong to the past: the outbox must not e-mail them now.
    Notification.objects.filter(created_at__gte=started).update(sent_at=timezone.now())


_DEMO_GOALS = (
    ("NEG", 4, "By the end of the term, prepare and lead a key-account price negotiation on my own, within margin."),
    ("CUS", 4, "Run quarterly business reviews with my three largest customers, with a written action plan."),
)


def _demo_second_mentee(programme: Programme, people: DemoPeople) -> Enrolment:
    """A Distribution colleague of the demo mentee, in the pool, with the same needs."""
    from .models import EnrolmentCompetency

    person = (
        User.objects.filter(org_unit__code="SAL-DI", grade__in=[3, 4, 5], is_active=True, manager__isnull=False)
        .exclude(pk__in=[people.mentee.pk, people.mentor.pk])
        .order_by("pk")
        .first()
    )
    if person is None:
        person = User.objects.filter(is_active=True).exclude(org_unit__code="SAL-KA").order_by("pk").last()
    assert person is not None
    template = Enrolment.objects.get(programme=programme, person=people.mentee)
    enrolment = Enrolment.objects.create(
        programme=programme,
        person=person,
        role=Enrolment.Role.MENTEE,
        state=Enrolment.State.AVAILABLE,
        goals=template.goals,
        availability=template.availability,
        languages=list(person.languages or ["id"]),
        location=person.location,
        time_zone=person.time_zone,
    )
    EnrolmentCompetency.objects.bulk_create(
        [
            EnrolmentCompetency(enrolment=enrolment, competency_id=c.competency_id, current_level=2, level=4)
            for c in template.competencies.all()
        ]
    )
    return enrolment


def _has_baseline(enrolment: Enrolment, code: str) -> bool:
    from .services.development import baseline_for

    return baseline_for(enrolment, Competency.objects.get(code=code)) is not None


def _orientation_done(programme: Programme, enrolment: Enrolment) -> None:
    """Every required module of the person's role, completed (quizzes with full marks)."""
    from .models import AUDIENCE_FOR_ROLE, OrientationCompletion, OrientationModule

    modules = OrientationModule.objects.filter(
        programme=programme, audience=AUDIENCE_FOR_ROLE[enrolment.role], required=True
    )
    OrientationCompletion.objects.bulk_create(
        [
            OrientationCompletion(
                module=module,
                person=enrolment.person,
                language=enrolment.person.preferred_language,
                score=100 if module.is_quiz else None,
                completed_at=timezone.now() - timedelta(days=50),
            )
            for module in modules
        ],
        ignore_conflicts=True,
    )


def _move_back(relationship_id: int, agreement_id: int, goal_ids: list[int], *, weeks: int) -> None:
    """Spread the pair's history over the last weeks, so the plan's chart and the overview show real dates."""
    from .models import Agreement, AgreementSignature, AgreementVersion, DevelopmentGoal, GoalProgress, Relationship

    start = timezone.now() - timedelta(weeks=weeks)
    met = start + timedelta(days=9)
    Relationship.objects.filter(pk=relationship_id).update(created_at=start, state_changed_at=met)
    Agreement.objects.filter(pk=agreement_id).update(created_at=start, first_meeting_at=met)
    AgreementVersion.objects.filter(agreement_id=agreement_id).update(created_at=start, updated_at=met)
    AgreementSignature.objects.filter(version__agreement_id=agreement_id).update(signed_at=met)
    DevelopmentGoal.objects.filter(pk__in=goal_ids).update(created_at=start + timedelta(days=2))
    for goal_id in goal_ids:
        entries = GoalProgress.objects.filter(goal_id=goal_id).order_by("pk")
        for days, entry_id in zip((20, 34), entries.values_list("pk", flat=True), strict=False):
            GoalProgress.objects.filter(pk=entry_id).update(recorded_on=(start + timedelta(days=days)).date())
