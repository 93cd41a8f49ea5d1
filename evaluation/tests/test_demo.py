"""The evaluation demo dresses the demo sales programme with metrics, a comparison group and baselines."""

from __future__ import annotations

import io

import pytest

from evaluation import demo, demo_pilot
from evaluation.models import ComparisonGroup, EvaluationCycle, Observation, OutcomeMetric, OutcomeResult
from evaluation.reports import outcome_report
from evaluation.selectors import baseline_summary_for_programme
from people import demo as people_demo
from people.models import User
from programmes.models import BusinessGoal, Enrolment, Programme
from programmes.tests.factories import EnrolmentFactory, ProgrammeFactory


@pytest.fixture
def company(db: None) -> people_demo.DemoPeople:
    return people_demo.build(people=120, seed=7)


def _programme(company: people_demo.DemoPeople) -> Programme:
    """What programmes.demo provides: the sales programme in planning with goals and enrolled sales staff."""
    programme = ProgrammeFactory(name=demo.PROGRAMME_NAME, phase=Programme.Phase.PLANNING)
    BusinessGoal.objects.create(programme=programme, statement="Shorter sales cycles", priority=1)
    BusinessGoal.objects.create(programme=programme, statement="Keep our best sellers", priority=2)
    sales = User.objects.filter(org_unit__code__startswith="SAL").exclude(pk=company.coordinator.pk).order_by("pk")
    for person in sales[:12]:
        EnrolmentFactory(programme=programme, person=person, role=Enrolment.Role.MENTEE)
    return programme


def test_the_demo_adds_metrics_a_frozen_comparison_group_and_baselines(company: people_demo.DemoPeople) -> None:
    programme = _programme(company)
    out = io.StringIO()
    built = demo.build(people=company, programmes=None, seed=7, stdout=out)
    assert built is not None
    assert sorted(OutcomeMetric.objects.filter(programme=programme).values_list("name", flat=True)) == [
        "12-month retention",
        "Quarterly revenue per rep",
        "Sales cycle length",
    ]
    group = ComparisonGroup.objects.get(programme=programme)
    assert group.is_frozen
    assert 5 <= group.members.count() <= demo.COMPARISON_SIZE
    people = 12 + group.members.count()
    assert Observation.objects.filter(metric__programme=programme).count() == 3 * people
    summaries = baseline_summary_for_programme(programme=programme)
    cycle = next(s for s in summaries if s.metric.name == "Sales cycle length")
    assert cycle.participant.n == 12
    assert 30 < (cycle.participant.mean or 0) < 60
    assert "3 outcome metrics" in out.getvalue()


def test_the_same_seed_gives_the_same_baselines(company: people_demo.DemoPeople) -> None:
    programme = _programme(company)
    demo.build(people=company, seed=7)
    first = sorted(Observation.objects.values_list("person_id", "metric__name", "value"))
    again = demo.build(people=company, seed=7)
    assert again is not None
    assert (again.baselines.created, again.baselines.updated) == (0, 0)
    assert sorted(Observation.objects.values_list("person_id", "metric__name", "value")) == first
    planning = Observation.objects.filter(metric__programme=programme).count()
    pilot = Observation.objects.filter(metric__programme__name=demo_pilot.NAME).count()
    assert planning + pilot == len(first)


def test_without_the_planning_programme_only_the_pilot_is_built(company: people_demo.DemoPeople) -> None:
    out = io.StringIO()
    built = demo.build(people=company, stdout=out)
    assert built is not None
    assert built.programme is None
    assert built.pilot is not None
    assert set(OutcomeMetric.objects.values_list("programme__name", flat=True)) == {demo_pilot.NAME}
    assert "nothing to add" in out.getvalue()


def test_the_pilot_shows_a_real_difference_in_differences_with_its_interval(db: None) -> None:
    company = people_demo.build(people=300, seed=2026)
    out = io.StringIO()
    built = demo.build(people=company, seed=2026, stdout=out)
    assert built is not None
    pilot = built.pilot
    assert pilot is not None
    assert pilot.mentees >= 40
    assert pilot.comparison >= 50
    result = OutcomeResult.objects.get(programme=pilot.programme, metric__name="Sales cycle length")
    did = result.figures["did"]
    assert did["n_treated"] == pilot.mentees
    assert did["n_comparison"] == pilot.comparison
    assert did["ci_high"] < 0  # shorter for the mentored, and the whole interval says so
    assert result.figures["roi"]["benefit"] > 0
    assert result.cycle.state == EvaluationCycle.State.ANALYSED
    [report] = outcome_report(programmes=[pilot.programme])
    sentences = [row.sentence for row in report.rows()]
    assert any(s.startswith("Mentored participants cut their sales cycle length by") for s in sentences)
    assert any(row.scale == "Competency level" and row.change for row in report.surveys)
    assert f"{pilot.mentees} mentored salespeople" in out.getvalue()
