"""One programme driven from the HRIS import to the report, step by step, through the services the pages call.

No row the flow writes is written here directly: people come from an HRIS file, the programme from its
design services, enrolments from applications, pairs from a match run, and values from baseline and cycle
files. The only direct inputs are the competency catalogue (an input, like the file) and the clock.

Each step is a method of `Flow`, so a test (or the demo) can stop after any step and look around:

    flow = Flow.start()             # imports the organisation and creates the programme
    flow.design(); flow.recruit(); flow.apply(); flow.approve(); flow.screen()
    flow.baselines(); flow.freeze_comparison(); flow.orient(); flow.match(); flow.accept()
    flow.sign_agreements(); flow.log_sessions(); flow.withdraw(flow.mentees[0])
    flow.end_values(); flow.results(); flow.report()

The organisation is an HRIS export: every child org unit and every report is listed before its parent
and manager, and the names are Unicode.
"""

from __future__ import annotations

import csv
import io
import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from evaluation.models import ComparisonMember, EvaluationCycle, OutcomeMetric, OutcomeResult
from evaluation.services import ComparisonRule, baseline_import, comparison_group_freeze, metric_create
from evaluation.services.cycles import cycle_close, cycle_mark_reported, cycle_open, evaluation_plan_generate
from evaluation.services.observations import cycle_observation_import
from evaluation.services.results import outcome_results_compute
from people.models import Competency, OrgUnit, User
from people.services.hris_import import people_import
from programmes.core.services.lifecycle import programme_advance
from programmes.design.forms import BusinessGoalForm
from programmes.design.services.design import (
    ReadinessItemInput,
    programme_create,
    programme_policies_update,
    readiness_assessment_update,
    team_member_add,
)
from programmes.enrolment.services.enrolment import (
    ApplicationProfile,
    CompetencyEntry,
    enrolment_apply,
    enrolment_manager_decide,
    enrolment_screen,
    enrolment_withdraw,
    pool_refresh,
    recruitment_update,
)
from programmes.matching.services.matching import match_run_create, match_run_publish
from programmes.matching.services.relationships import relationship_respond
from programmes.models import (
    Agreement,
    BusinessGoal,
    Enrolment,
    MatchRun,
    OrientationModule,
    Programme,
    ReadinessAssessment,
    Relationship,
    format_defaults,
)
from programmes.preparation.services.agreements import AgreementTerms, agreement_update, current_version
from programmes.preparation.services.orientation import orientation_complete
from programmes.preparation.services.signing import (
    agreement_first_meeting_record,
    agreement_sign,
    relationship_activate_if_ready,
)
from programmes.support.services.sessions import SessionInput, session_confirm, session_log

METRIC = "Sales cycle length"
BASELINE_END = date(2026, 3, 31)
AVAILABILITY = ["mon_morning", "tue_morning", "wed_afternoon", "thu_afternoon"]

# (e-mail local part, full name, job title, grade, unit code, manager local part): reports before managers.
PEOPLE: tuple[tuple[str, str, str, int, str, str], ...] = (
    *(
        (f"sales{i}", name, "Account Executive", 4, "SAL-E" if i % 2 else "SAL-W", "lead.e" if i % 2 else "lead.w")
        for i, name in enumerate(
            (
                "Dewi Lestari",
                "Nguyễn Thị Hoa",
                "Zoë Ñúñez",
                "Siti Nurhaliza",
                "Ömer Yılmaz",
                "Agus Prasetyo",
                "Łucja Wróbel",
                "Putu Ayu Saraswati",
                "Renée Dubois",
                "Bayu Saputra",
                "Chloé Marchand",
                "Made Wirawan",
                "Ayşe Kaya",
                "Rizky Ramadhan",
            )
        )
    ),
    ("lead.e", "Indra Gunawan", "Sales Lead East", 6, "SAL-E", "head.sales"),
    ("lead.w", "Kadek Sutrisna", "Sales Lead West", 6, "SAL-W", "head.sales"),
    *(
        (f"mentor{i}", name, "Senior Engineer", 8, "ENG", "head.eng")
        for i, name in enumerate(("Søren Ørsted", "Wayan Sudarsana", "María José Peña"))
    ),
    ("head.sales", "Hendra Wijaya", "Head of Sales", 9, "SAL", "ceo"),
    ("head.eng", "Björn Åkesson", "Head of Engineering", 9, "ENG", "ceo"),
    ("coordinator", "Sari Wulandari", "Talent Development Lead", 7, "HR", "ceo"),
    ("hr", "Rina Hartono", "HR Analyst", 6, "HR", "ceo"),
    ("ceo", "Budi Santoso", "President Director", 12, "HQ", ""),
)
# Units: code → (name, parent code); the file names each unit on the rows of its people, children first.
UNITS = {
    "SAL-E": ("Sales East", "SAL"),
    "SAL-W": ("Sales West", "SAL"),
    "SAL": ("Sales", "HQ"),
    "ENG": ("Engineering", "HQ"),
    "HR": ("Human Resources", "HQ"),
    "HQ": ("PT Nusantara Niaga", ""),
}
DOMAIN = "nusantara.example"


def email(local: str) -> str:
    return f"{local}@{DOMAIN}"


def hris_file() -> bytes:
    """The organisation as an HRIS export: children before parents, reports before managers, Unicode names."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["email", "full_name", "job_title", "grade", "org_unit_code", "org_unit_name", "parent_org_unit_code",
         "manager_email", "languages", "time_zone"]
    )  # fmt: skip
    for local, name, title, grade, unit, manager in PEOPLE:
        unit_name, parent = UNITS[unit]
        writer.writerow(
            [email(local), name, title, grade, unit, unit_name, parent, email(manager) if manager else "",
             "id, en", "Asia/Jakarta"]
        )  # fmt: skip
    return out.getvalue().encode("utf-8")


def values_file(rows: dict[User, float], period_end: date) -> bytes:
    """A values file (baseline or cycle) for the sales-cycle metric."""
    lines = ["email,metric,value,period_end"]
    lines += [f"{person.email},{METRIC},{value},{period_end.isoformat()}" for person, value in rows.items()]
    return ("\n".join(lines) + "\n").encode()


@dataclass
class Flow:
    """One programme and its people, as the steps leave them."""

    programme: Programme
    coordinator: User
    hr: User
    competency: Competency
    mentors: list[User] = field(default_factory=list)
    mentees: list[User] = field(default_factory=list)
    metric: OutcomeMetric | None = None
    run: MatchRun | None = None
    withdrawn: list[User] = field(default_factory=list)
    baseline: dict[int, float] = field(default_factory=dict)
    end: dict[int, float] = field(default_factory=dict)
    comparison: list[User] = field(default_factory=list)
    end_cycle: EvaluationCycle | None = None

    # --- people and programme ---------------------------------------------------------------------------

    @classmethod
    def start(cls, *, name: str = "Sales mentoring 2026", import_people: bool = True) -> Flow:
        """Import the organisation (once) and create the programme as its coordinator."""
        if import_people:
            people_import(actor=None, content=hris_file())
        competency, _new = Competency.objects.get_or_create(
            code="NEG", defaults={"name": "Negotiation", "description": "Negotiating key-account deals."}
        )
        coordinator = User.objects.get(email=email("coordinator"))
        programme = programme_create(actor=coordinator, name=name, purpose="Shorter sales cycles.")
        flow = cls(programme, coordinator, User.objects.get(email=email("hr")), competency)
        flow.mentors = [User.objects.get(email=email(f"mentor{i}")) for i in range(3)]
        flow.mentees = [User.objects.get(email=email(f"sales{i}")) for i in range(6)]
        return flow

    def refresh(self) -> Programme:
        self.programme.refresh_from_db()
        return self.programme

    def design(self) -> None:
        """Needs assessment → planning → design → implementation, each guard met on its own page's service."""
        c, p = self.coordinator, self.programme
        assessment = ReadinessAssessment.objects.get(programme=p)
        items = [ReadinessItemInput(pk=i.pk, name=i.name, score=4, evidence="Checked.") for i in assessment.items.all()]
        readiness_assessment_update(actor=c, assessment=assessment, items=items, decision="go", conditions="")
        form = BusinessGoalForm({"statement": "Close key-account deals faster", "priority": 1, "owner": c.email})
        assert form.is_valid(), form.errors
        goal: BusinessGoal = form.save(commit=False)
        goal.programme = p
        goal.save()
        self.metric = metric_create(
            actor=c,
            programme=p,
            fields={"goal": goal, "name": METRIC, "unit": "days", "direction": "lower", "kind": "continuous",
                    "level": 4, "data_source": "CRM", "target_change": -5},
        )  # fmt: skip
        self._advance()  # → planning (readiness, a business goal, an outcome metric)
        self._advance()  # → design
        team_member_add(actor=c, programme=p, person=self.hr, role="hr_analyst")
        texts = format_defaults(p.format)
        programme_policies_update(
            actor=c,
            programme=self.refresh(),
            values={"agreement_template": texts["agreement_template"], "no_fault_clause": texts["no_fault_clause"]},
        )
        evaluation_plan_generate(actor=c, programme=self.refresh(), starts_on=timezone.localdate())
        self._advance()  # → implementation (team, policies, orientation, evaluation plan)

    def _advance(self) -> None:
        programme_advance(actor=self.coordinator, programme=self.refresh())

    # --- recruitment and screening ------------------------------------------------------------------------

    def recruit(self) -> None:
        recruitment_update(
            actor=self.coordinator,
            programme=self.refresh(),
            is_open=True,
            commitment="Two hours a month for a year.",
            eligibility="Account executives; senior engineers as mentors.",
            manager_approval_required=True,
        )

    def _profile(self, *, mentor: bool) -> ApplicationProfile:
        entry = (
            CompetencyEntry(competency=self.competency, level=5)
            if mentor
            else CompetencyEntry(competency=self.competency, level=4, current_level=2)
        )
        return ApplicationProfile(
            goals="Win bigger accounts." if not mentor else "Pass on what I know.",
            availability=list(AVAILABILITY),
            languages=["id", "en"],
            time_zone="Asia/Jakarta",
            capacity=2 if mentor else None,
            competencies=[entry],
        )

    def apply(self) -> None:
        """Every mentor and mentee who has not applied yet applies (what their application page calls)."""
        applied = set(Enrolment.objects.filter(programme=self.programme).values_list("person_id", flat=True))
        for person in self.mentors + self.mentees:
            if person.pk not in applied:
                mentor = person in self.mentors
                enrolment_apply(
                    actor=person, programme=self.programme, role="mentor" if mentor else "mentee",
                    profile=self._profile(mentor=mentor),
                )  # fmt: skip

    def enrolment(self, person: User) -> Enrolment:
        return Enrolment.objects.select_related("person", "programme").get(programme=self.programme, person=person)

    def approve(self) -> None:
        """Each applicant's manager approves, from the manager page."""
        for person in self.mentors + self.mentees:
            enrolment = self.enrolment(person)
            if enrolment.manager_approval == Enrolment.ManagerApproval.PENDING:
                assert person.manager is not None
                enrolment_manager_decide(actor=person.manager, enrolment=enrolment, approve=True)

    def screen(self) -> None:
        for person in self.mentors + self.mentees:
            enrolment = self.enrolment(person)
            if enrolment.state == Enrolment.State.SCREENING:
                enrolment_screen(actor=self.coordinator, enrolment=enrolment, accept=True)

    # --- baselines and the comparison group, after screening ---------------------------------------------

    def baselines(self, values: dict[User, float] | None = None) -> None:
        """The accepted mentees' baselines, from an HRIS file (before any relationship is active)."""
        values = values or {person: 40.0 + 2 * i for i, person in enumerate(self.mentees)}
        baseline_import(actor=self.coordinator, programme=self.refresh(), data=values_file(values, BASELINE_END))
        self.baseline.update({person.pk: value for person, value in values.items()})

    def freeze_comparison(self, *, on_the_page: bool = False) -> list[User]:
        """Draw the comparison group from Sales, leaving out the applicants, and record its baselines.

        With `on_the_page` the group was frozen on the comparison page already; only its baselines follow.
        """
        if not on_the_page:
            sales = OrgUnit.objects.get(code="SAL")
            comparison_group_freeze(
                actor=self.coordinator, programme=self.refresh(), rule=ComparisonRule(org_units=[sales], random_seed=3)
            )
        members = ComparisonMember.objects.filter(group__programme=self.programme, group__frozen_at__isnull=False)
        self.comparison = [m.person for m in members.select_related("person").order_by("person__email")]
        rows = {person: 41.0 + (i % 4) for i, person in enumerate(self.comparison)}
        baseline_import(actor=self.coordinator, programme=self.programme, data=values_file(rows, BASELINE_END))
        self.baseline.update({person.pk: value for person, value in rows.items()})
        return self.comparison

    # --- orientation, matching, agreements, sessions -----------------------------------------------------

    def orient(self) -> None:
        """Everyone finishes their required orientation modules (acknowledged or the quiz answered right)."""
        for person in self.mentors + self.mentees:
            enrolment = self.enrolment(person)
            audience = "mentor" if enrolment.is_mentor_side else "mentee"
            modules = OrientationModule.objects.filter(programme=self.programme, audience=audience, required=True)
            for module in modules:
                answers = None
                if module.is_quiz:
                    text = module.texts.filter(language="en").first() or module.texts.first()
                    assert text is not None
                    answers = {q.pk: q.answer for q in text.questions.all()}
                orientation_complete(
                    actor=person, module=module, audiences={audience}, language="en", acknowledged=True, answers=answers
                )
        pool_refresh(actor=self.coordinator, programme=self.programme)

    def match(self) -> MatchRun:
        self.run = match_run_create(actor=self.coordinator, programme=self.refresh())
        match_run_publish(actor=self.coordinator, run=self.run)
        return self.run

    def relationships(self) -> list[Relationship]:
        return list(Relationship.objects.filter(programme=self.programme).order_by("pk"))

    def accept(self) -> None:
        """Both sides of every proposal accept."""
        for relationship in self.relationships():
            for member in relationship.members.select_related("enrolment__person"):
                relationship.refresh_from_db()
                relationship_respond(
                    actor=member.enrolment.person, relationship=relationship, enrolment=member.enrolment, accept=True
                )

    def sign_agreements(self) -> None:
        """Each pair writes its expectations down, both sign, and they record their first meeting: active."""
        for relationship in self.relationships():
            agreement = Agreement.objects.get(relationship=relationship)
            version = current_version(agreement)
            terms = AgreementTerms.of(version)
            terms.mentee_expects = "Honest feedback on my account plans."
            terms.mentor_expects = "An agenda two days before each meeting."
            terms.confidentiality = terms.confidentiality or "What we discuss stays between us."
            members = [m.enrolment.person for m in relationship.members.select_related("enrolment__person")]
            agreement_update(
                actor=members[0], agreement=agreement, terms=terms, based_on=(version.number, version.revision)
            )
            number = current_version(agreement).number
            for person in members:
                agreement_sign(actor=person, agreement=agreement, version_number=number, typed_name=person.full_name)
            agreement_first_meeting_record(
                actor=members[0], agreement=agreement, met_at=timezone.now() - timedelta(hours=1)
            )
            relationship.refresh_from_db()
            relationship_activate_if_ready(actor=members[0], relationship=relationship)

    def log_sessions(self) -> None:
        """One held session per pair, logged by the mentor and confirmed by the mentee."""
        for relationship in self.relationships():
            members = {m.role: m.enrolment.person for m in relationship.members.select_related("enrolment__person")}
            session = session_log(
                actor=members["mentor"],
                relationship=relationship,
                data=SessionInput(
                    held_at=timezone.now() - timedelta(minutes=30), minutes=60, mode="in_person", status="held",
                    topics="Account plan review",
                ),
            )  # fmt: skip
            session_confirm(actor=members["mentee"], session=session)

    def withdraw(self, person: User) -> None:
        enrolment_withdraw(actor=person, enrolment=self.enrolment(person), reason="Moving to another role.")
        self.withdrawn.append(person)

    # --- the end cycle, results and the report ------------------------------------------------------------

    def mentored(self) -> list[User]:
        """The mentees expected to count as mentored: all but the withdrawn ones (every pair became active)."""
        return [p for p in self.mentees if p not in self.withdrawn]

    def end_values(self, change: dict[int, float] | None = None) -> EvaluationCycle:
        """Open the end cycle and import its values for the mentored and the comparison group."""
        cycle = EvaluationCycle.objects.get(programme=self.programme, kind=EvaluationCycle.Kind.END)
        cycle = cycle_open(actor=self.coordinator, cycle=cycle)
        people = self.mentored() + self.comparison
        rows = {
            p: self.baseline[p.pk] - (8.0 + i % 3 if p in self.mentees else 2.0 + i % 2) for i, p in enumerate(people)
        }
        if change:
            rows = {p: self.baseline[p.pk] + change[p.pk] for p in people}
        cycle_observation_import(actor=self.coordinator, cycle=cycle, data=values_file(rows, timezone.localdate()))
        self.end.update({p.pk: v for p, v in rows.items()})
        self.end_cycle = cycle
        return cycle

    def expected_did(self) -> float:
        """The difference in differences from the entered numbers, by hand."""

        def mean_change(people: list[User]) -> float:
            return statistics.fmean(self.end[p.pk] - self.baseline[p.pk] for p in people)

        return mean_change(self.mentored()) - mean_change(self.comparison)

    def results(self) -> OutcomeResult:
        """Close the cycle, compute its results (what the worker's task does) and report them."""
        assert self.end_cycle is not None
        assert self.metric is not None
        cycle_close(actor=self.coordinator, cycle=self.end_cycle)
        outcome_results_compute(programme=self.refresh())
        cycle_mark_reported(actor=self.coordinator, cycle=self.end_cycle)
        return OutcomeResult.objects.get(metric=self.metric, cycle=self.end_cycle, superseded_at__isnull=True)
