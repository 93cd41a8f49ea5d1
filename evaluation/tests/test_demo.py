"""The living demo: `seed_demo` tells its programmes' stories through the services, and every role has
something to do on the day it is seeded.

The demo is seeded once per run and shared with the per-role browser walk (conftest `seeded_demo`, at the
smallest size the demo supports); each test reads it (inside its own transaction, rolled back).
"""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import DEMO_PEOPLE
from evaluation import demo, demo_pilot
from evaluation.models import EvaluationCycle, Observation, OutcomeResult
from people import demo as people_demo
from people.models import User
from programmes.models import (
    AgreementSignature,
    AuditEvent,
    CheckIn,
    Concern,
    DevelopmentGoal,
    Enrolment,
    MatchRun,
    MentoringSession,
    Programme,
    Relationship,
    RelationshipHealth,
)

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(1500)]  # the first test here may seed the whole demo
PEOPLE = DEMO_PEOPLE


@pytest.fixture
def seeded(seeded_demo: str) -> str:
    """The shared demo (conftest), and what seed_demo printed."""
    return seeded_demo


def _programme() -> Programme:
    return Programme.objects.get(name=demo.PROGRAMME_NAME)


def _signed_in(client: Client, role: str) -> User:
    user = User.objects.get(email=people_demo.login_email(role))
    assert _sign_in(client, user.email), f"{role} cannot sign in"
    return user


def _sign_in(client: Client, email: str) -> bool:
    """Sign in through the log-in page, with the demo password (as a person would)."""
    response = client.post(reverse("people:login"), {"username": email, "password": people_demo.DEMO_PASSWORD})
    return response.status_code == 302 and "_auth_user_id" in client.session


def test_the_2026_programme_runs_with_a_cohort_pairs_and_months_of_sessions(seeded: str) -> None:
    programme = _programme()
    assert programme.phase == Programme.Phase.IMPLEMENTATION
    assert 30 <= programme.enrolments.count() <= 60
    active = programme.relationships.filter(state=Relationship.State.ACTIVE)
    assert active.count() >= 8
    held = MentoringSession.objects.filter(programme=programme, status="held")
    assert held.count() >= 5 * active.count()
    first = held.order_by("held_at").first()
    assert first is not None
    assert (timezone.now() - first.held_at).days >= 80
    assert CheckIn.objects.filter(programme=programme, answered_at__isnull=False).exists()
    assert programme.relationships.filter(state=Relationship.State.CLOSED, closure__exit_surveys__isnull=False).exists()
    assert Concern.objects.filter(programme=programme, state=Concern.State.OPEN).exists()
    assert programme.enrolments.filter(state=Enrolment.State.WITHDRAWN).exists()
    assert f"{demo.PROGRAMME_NAME}:" in seeded


def test_the_coordinators_dashboard_shows_an_at_risk_pair_and_a_match_run_to_review(
    seeded: str, client: Client
) -> None:
    programme = _programme()
    at_risk = RelationshipHealth.objects.filter(relationship__programme=programme, at_risk=True)
    assert at_risk.exists(), "the quiet pair is flagged"
    draft = MatchRun.objects.get(programme=programme, state=MatchRun.State.DRAFT)
    assert draft.proposals.exists()
    _signed_in(client, "coordinator")
    page = client.get(reverse("programmes:dashboard", args=[programme.pk]))
    assert page.status_code == 200
    quiet = at_risk.select_related("relationship").first()
    assert quiet is not None
    names = quiet.relationship.members.values_list("enrolment__person__full_name", flat=True)
    assert any(name in page.content.decode() for name in names)
    run_page = client.get(reverse("programmes:match_run", args=[programme.pk, draft.pk]))
    assert run_page.status_code == 200
    proposal = draft.proposals.select_related("mentee__person").first()
    assert proposal is not None
    assert proposal.mentee.person.full_name in run_page.content.decode()


def test_the_demo_mentee_has_a_mentor_a_session_to_confirm_and_a_checkin_due(seeded: str, client: Client) -> None:
    mentee = _signed_in(client, "mentee")
    mentor = User.objects.get(email=people_demo.login_email("mentor"))
    pair = Relationship.objects.get(state=Relationship.State.ACTIVE, members__enrolment__person=mentee)
    assert mentor.pk in set(pair.members.values_list("enrolment__person_id", flat=True))
    assert AgreementSignature.objects.filter(version__agreement__relationship=pair).count() == 2
    assert DevelopmentGoal.objects.filter(
        plan__enrolment__person=mentee, plan__enrolment__programme=pair.programme
    ).exists()
    waiting = MentoringSession.objects.filter(relationship=pair, confirmation="pending").exclude(logged_by=mentee)
    assert waiting.exists(), "a session logged by the mentor waits for her"
    due = CheckIn.objects.filter(relationship=pair, respondent=mentee, answered_at__isnull=True)
    assert due.filter(due_on__lte=timezone.localdate()).exists()
    page = client.get(reverse("programmes:relationship_detail", args=[pair.programme_id, pair.pk]))
    assert page.status_code == 200
    assert mentor.full_name in page.content.decode()


def test_the_matcher_page_and_the_mentees_suggestions_answer_with_content(seeded: str, client: Client) -> None:
    programme = _programme()
    _signed_in(client, "coordinator")
    page = client.get(reverse("programmes:matching", args=[programme.pk]))
    assert page.status_code == 200
    waiting = Enrolment.objects.filter(programme=programme, state=Enrolment.State.AVAILABLE, role="mentee").first()
    assert waiting is not None, "the second wave waits in the pool"
    client.force_login(waiting.person)
    suggestions = client.get(reverse("programmes:mentor_suggestions", args=[programme.pk, waiting.pk]))
    assert suggestions.status_code == 200
    mentors = Enrolment.objects.filter(programme=programme, role="mentor").values_list("person__full_name", flat=True)
    assert any(name in suggestions.content.decode() for name in mentors)


def test_the_manager_has_an_approval_waiting(seeded: str) -> None:
    manager = User.objects.get(email=people_demo.login_email("manager"))
    mentee = User.objects.get(email=people_demo.login_email("mentee"))
    assert mentee.manager_id == manager.pk
    assert Enrolment.objects.filter(person__manager=manager, manager_approval="pending", state="applied").exists()


def test_the_pilot_finished_with_real_sessions_and_a_difference_in_differences(seeded: str, client: Client) -> None:
    pilot = Programme.objects.get(name=demo_pilot.NAME)
    assert pilot.phase in (Programme.Phase.EVALUATION, Programme.Phase.CLOSED)
    assert MentoringSession.objects.filter(programme=pilot, status="held").count() >= 8 * 10
    assert not pilot.relationships.filter(state=Relationship.State.ACTIVE).exists()
    result = OutcomeResult.objects.get(
        programme=pilot, metric__name="Sales cycle length", cycle__kind="end", superseded_at__isnull=True
    )
    did = result.figures["did"]
    assert did["ci_high"] < 0  # shorter for the mentored, and the whole interval says so
    assert result.figures["roi"]["benefit"] > 0
    assert EvaluationCycle.objects.get(programme=pilot, kind="end").state == EvaluationCycle.State.REPORTED
    _signed_in(client, "hr")
    page = client.get(reverse("evaluation:report", args=[pilot.pk]))
    assert page.status_code == 200
    assert "Mentored participants cut their sales cycle length by" in page.content.decode()


def test_the_pilots_phases_happened_on_past_dates_not_today(seeded: str) -> None:
    pilot = Programme.objects.get(name=demo_pilot.NAME)
    moves = AuditEvent.objects.filter(content_type=ContentType.objects.get_for_model(Programme), object_id=pilot.pk)
    days = sorted(timezone.localdate(e.at) for e in moves)
    assert len(days) >= 5
    assert days[-1] < timezone.localdate() - timezone.timedelta(days=60)
    assert (days[-1] - days[0]).days > 300
    assert Observation.objects.filter(metric__programme=pilot, period_kind="baseline").exists()


def test_every_demo_person_signs_in_and_reads_english_except_the_named_accounts(seeded: str, client: Client) -> None:
    for role in people_demo.LOGINS:
        user = _signed_in(client, role)
        expected = "id" if role in people_demo.INDONESIAN else "en"
        assert user.preferred_language == expected, role
        assert client.get(reverse("home")).status_code == 200
        client.logout()
    assert set(User.objects.exclude(email__in=[people_demo.login_email(r) for r in people_demo.INDONESIAN])
               .values_list("preferred_language", flat=True)) == {"en"}  # fmt: skip
    logins = [people_demo.login_email(role) for role in people_demo.LOGINS]
    someone = User.objects.exclude(email__in=logins).order_by("?").first()
    assert someone is not None
    assert _sign_in(client, someone.email)


def test_seed_demo_refuses_with_debug_off_and_a_non_empty_database(seeded: str) -> None:
    assert not django_settings.DEBUG  # as in production
    with pytest.raises(CommandError, match="DJANGO_DEBUG=0"):
        call_command("seed_demo", stdout=io.StringIO())
    with pytest.raises(CommandError, match=f"already has {PEOPLE} people"):
        call_command("seed_demo", allow_production=True, stdout=io.StringIO())


# The story modules: nothing in them writes the rows the flows write. (evaluation.demo_bulk, the big-organisation
# filler, bulk-inserts pairs and sessions on purpose, and is named in the README as such.)
STORY_MODULES = (
    "people/demo.py",
    "programmes/demo.py",
    "programmes/demo_pairs.py",
    "evaluation/demo.py",
    "evaluation/demo_pilot.py",
    "evaluation/demo_steps.py",
)
FLOW_MODELS = {
    "Enrolment", "EnrolmentCompetency", "Relationship", "RelationshipMember", "Agreement", "AgreementSignature",
    "MentoringSession", "CheckIn", "Closure", "ExitSurvey", "Observation", "OutcomeResult", "ComparisonMember",
    "EvaluationCycle", "InstrumentResponse", "Answer", "OrientationCompletion", "MatchRun", "MatchProposal",
}  # fmt: skip
WRITES = {"create", "bulk_create", "update", "update_or_create", "get_or_create", "delete", "save"}


def _direct_writes(path: Path) -> list[str]:
    """Calls like Model.objects.<write>(…), Model.objects.filter(…).<write>(…) or Model(…) on a flow model."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in FLOW_MODELS:
            found.append(f"{path}:{node.lineno} {func.id}(...)")
        if isinstance(func, ast.Attribute) and func.attr in WRITES:
            root = func.value
            while isinstance(root, (ast.Attribute, ast.Call)):
                root = root.value if isinstance(root, ast.Attribute) else root.func
            if isinstance(root, ast.Name) and root.id in FLOW_MODELS:
                found.append(f"{path}:{node.lineno} {root.id}….{func.attr}()")
    return found


def test_the_story_modules_write_no_enrolment_relationship_session_or_result_rows_directly() -> None:
    base = Path(__file__).resolve().parents[2]
    found = [hit for module in STORY_MODULES for hit in _direct_writes(base / module)]
    assert found == []


def test_the_write_detector_finds_direct_writes(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "Enrolment.objects.bulk_create([])\nRelationship.objects.filter(pk=1).update(state='active')\n"
        "MentoringSession(held_at=None)\nUser.objects.create()\n"
    )
    assert len(_direct_writes(sample)) == 3
