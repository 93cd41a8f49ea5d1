"""No small group recovered by subtraction, through any pair of filters or any export (issue 12).

The attack: the report filtered to an org unit is recomputed for its people, each group hidden only by its
own size, so a department of 9 minus its team of 5 gave the other team's 4 people exactly. These tests
build org trees with several small units, reproduce that attack against the old rule, then try every
filter the report offers (every org unit × every role, cycles) in the CSV and XLSX exports and a background
export job, and show that the figures they show never isolate fewer than 5 people: every person and every
hidden group lies outside the linear span of the shown groups (sums are what n and means give away).
"""

from __future__ import annotations

import csv
import io
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from conftest import Personas
from evaluation.disclosure import published_groups
from evaluation.models import ComparisonMember
from evaluation.report_disclosure import FilterUniverse
from evaluation.reports import ReportFilters, outcome_report
from evaluation.services.exports import export_job_build
from evaluation.services.results import outcome_results_compute
from evaluation.tests.outcome_helpers import Outcomes, outcomes
from people.models import BackgroundJob, OrgUnit, User
from people.selectors import org_unit_paths
from people.services.hris_import import people_import
from programmes.models import Enrolment

pytestmark = pytest.mark.django_db
ROLES = ("", "mentee", "mentor")
GROUPS = {"participant": "Mentored n", "comparison": "Comparison n"}


@dataclass
class Org:
    """A generated organisation: units (with parents), who sits where, who has which role."""

    outcomes: Outcomes
    units: list[OrgUnit]
    parent: dict[int, int | None]
    unit_of: dict[int, int]
    mentors: set[int]

    def filters(self) -> list[tuple[int | None, str]]:
        return [(u, r) for u in [None, *[x.pk for x in self.units]] for r in ROLES]

    def kept(self, group: str, unit: int | None, role: str) -> frozenset[int]:
        """The test's own account of whom a filter keeps in a group (an oracle independent of the code).

        Mentees in an active pair are the mentored cell, the mentors their own cell (never compared);
        a role filter keeps its own role's cell and every comparison member.
        """
        o = self.outcomes
        if group == "comparison":
            ids = {p.pk for p in o.comparison}
        else:
            mentored = {p.pk for p in o.mentored}
            ids = mentored & self.mentors if group == "mentor" else mentored - self.mentors
            if role and role != ("mentor" if group == "mentor" else "mentee"):
                ids = set()
        if unit is not None:
            ids = {p for p in ids if unit in self.ancestors(self.unit_of[p])}
        return frozenset(ids)

    def ancestors(self, unit: int | None) -> set[int]:
        found = set()
        while unit is not None:
            found.add(unit)
            unit = self.parent[unit]
        return found

    def value_sum(self, people: Iterable[int], when: str) -> float:
        return sum(self.outcomes.values[(p, when)] for p in people)


def build_org(personas: Personas, seed: int) -> Org:
    """A tree with a fixed trap (a department of two teams, 5 and 4 mentored people) and random small units.

    Units are created children first, as HRIS exports list them.
    """
    rng = random.Random(seed)
    o = outcomes(programme=personas.programme, mentored=40, comparison=36, seed=seed)
    root = OrgUnit.objects.create(code=f"R{seed}", name="PT Nusantara Niaga")
    division = OrgUnit.objects.create(code=f"D{seed}", name="Penjualan", parent=root)
    department = OrgUnit.objects.create(code=f"K{seed}", name="Key accounts", parent=division)
    team_a = OrgUnit.objects.create(code=f"TA{seed}", name="Tim Jawa", parent=department)
    team_b = OrgUnit.objects.create(code=f"TB{seed}", name="Tim Sulawesi — Ñ", parent=department)
    others = [root, division]  # the department holds its two teams and nobody else
    for i in range(rng.randint(4, 7)):  # more small units, at random depths
        others.append(OrgUnit.objects.create(code=f"X{seed}-{i}", name=f"Unit {i}", parent=rng.choice(others)))
    units = [root, division, department, team_a, team_b, *others[2:]]
    unit_of: dict[int, int] = {}
    mentored = [p.pk for p in o.mentored]
    for person in mentored[:5]:
        unit_of[person] = team_a.pk
    for person in mentored[5:9]:
        unit_of[person] = team_b.pk
    for person in mentored[9:] + [p.pk for p in o.comparison]:
        unit_of[person] = rng.choice(others).pk
    by_unit: dict[int, list[int]] = defaultdict(list)
    for person, unit in unit_of.items():
        by_unit[unit].append(person)
    for unit, people in by_unit.items():
        User.objects.filter(pk__in=people).update(org_unit_id=unit)
    mentors = set(rng.sample(mentored[9:], 12))
    Enrolment.objects.filter(programme=o.programme, person_id__in=mentors).update(role="mentor")
    outcome_results_compute(programme=o.programme)
    parent = {u.pk: u.parent_id for u in units}
    return Org(o, units, parent, unit_of, mentors)


def _rank(rows: list[frozenset[int]], people: list[int], extra: frozenset[int] | None = None) -> int:
    matrix = [[1.0 if p in g else 0.0 for p in people] for g in rows + ([extra] if extra is not None else [])]
    return int(np.linalg.matrix_rank(np.array(matrix))) if matrix else 0


def assert_nothing_small_derivable(org: Org, group: str, shown: set[frozenset[int]], hidden: set[frozenset[int]]):
    """Every person and every hidden group is outside the span of the shown groups (no subtraction finds it)."""
    people = sorted(org.kept(group, None, ""))
    rows = sorted(shown, key=sorted)
    base = _rank(rows, people)
    for person in people:
        assert _rank(rows, people, frozenset([person])) == base + 1, f"person {person} is derivable"
    for small in hidden:
        if 0 < len(small) < 5:
            assert _rank(rows, people, small) == base + 1, f"hidden group {sorted(small)} is derivable"
    # And every pair of shown groups differs by nobody or by at least 5 people either way.
    for a in shown:
        for b in shown:
            assert len(a - b) == 0 or len(a - b) >= 5


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_old_rule_gave_away_a_hidden_team_by_subtraction(personas: Personas, seed: int, monkeypatch: Any) -> None:
    """Today's attack against the old rule (each group hidden by its own size only): department − team A."""
    org = build_org(personas, seed)
    monkeypatch.setattr(FilterUniverse, "may_show", lambda self, population, requested, key: True)
    department, team_a, team_b = org.units[2], org.units[3], org.units[4]

    def participant(unit: OrgUnit) -> dict[str, Any]:
        [report] = outcome_report(programmes=[org.outcomes.programme], filters=ReportFilters(org_unit_id=unit.pk))
        return next(report.rows()).participant

    whole, part = participant(department), participant(team_a)
    hidden = org.kept("participant", team_b.pk, "")
    assert participant(team_b)["suppressed"]  # team B alone is hidden …
    recovered = whole["n"] * whole["current"]["mean"] - part["n"] * part["current"]["mean"]
    assert whole["n"] - part["n"] == len(hidden) == 4
    assert recovered == pytest.approx(org.value_sum(hidden, "post"))  # … and recovered exactly


def _csv(client: Client, programme_id: int, params: dict[str, Any]) -> list[dict[str, str]]:
    response = client.get(reverse("evaluation:report_export", args=[programme_id, "csv"]), params)
    text = b"".join(response.streaming_content).decode("utf-8")[1:]
    return list(csv.DictReader(io.StringIO(text)))


def _xlsx(client: Client, programme_id: int, params: dict[str, Any]) -> list[dict[str, Any]]:
    response = client.get(reverse("evaluation:report_export", args=[programme_id, "xlsx"]), params)
    header, *rows = load_workbook(io.BytesIO(response.content), read_only=True).active.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def _shown_n(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) or (isinstance(value, str) and value.isdigit()) else None


@pytest.mark.parametrize("seed", [1, 2])
def test_no_pair_of_filters_in_any_export_recovers_a_hidden_group(
    client: Client, personas: Personas, seed: int
) -> None:
    org = build_org(personas, seed)
    programme = org.outcomes.programme
    client.force_login(personas.hr_analyst)
    cycle = str(org.outcomes.cycle.pk)
    shown: dict[str, set[frozenset[int]]] = defaultdict(set)
    hidden: dict[str, set[frozenset[int]]] = defaultdict(set)
    for unit, role in org.filters():
        params = {"org_unit": unit or "", "role": role}
        filters = ReportFilters(org_unit_id=unit, role=role)
        [report] = outcome_report(programmes=[programme], filters=filters)
        mentors = next(report.rows()).mentors  # the mentors' own cell, on the page and the PDF
        kept = org.kept("mentor", unit, role)
        (shown if mentors.get("n") else hidden)["mentor"].add(kept)
        assert mentors.get("n") is None or mentors["n"] == len(kept)
        exports = [_csv(client, programme.pk, params), _xlsx(client, programme.pk, params)]
        exports.append(_csv(client, programme.pk, {**params, "cycle": cycle}))  # the cycle filter changes nothing
        for group, column in GROUPS.items():
            ns = {_shown_n(rows[0][column]) for rows in exports}
            assert len(ns) == 1, f"exports disagree for {params}"
            n, kept = ns.pop(), org.kept(group, unit, role)
            if n is None:
                hidden[group].add(kept)
            else:
                assert n == len(kept)
                shown[group].add(kept)
    for group in (*GROUPS, "mentor"):
        assert_nothing_small_derivable(org, group, shown[group], hidden[group])
        assert len(shown[group]) > (0 if group == "mentor" else 2)  # the rule still shows much of the report
    # The trap was sprung: team B's 4 mentored people are hidden and not derivable.
    assert org.kept("participant", org.units[4].pk, "") in hidden["participant"]


def test_a_background_export_job_shows_what_the_inline_export_shows(
    client: Client, personas: Personas, settings: Any
) -> None:
    org = build_org(personas, 4)
    client.force_login(personas.hr_analyst)
    settings.EVALUATION_EXPORT_INLINE_ROWS = 0
    for unit in org.units[1:4]:
        params = {"org_unit": unit.pk}
        response = client.get(reverse("evaluation:report_export", args=[org.outcomes.programme.pk, "csv"]), params)
        job = BackgroundJob.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
        assert export_job_build(job_id=job.pk) == BackgroundJob.State.DONE
        job.refresh_from_db()
        rows = list(csv.DictReader(io.StringIO(job.file.read().decode("utf-8")[1:])))
        settings.EVALUATION_EXPORT_INLINE_ROWS = 10_000
        inline = _csv(client, org.outcomes.programme.pk, params)
        settings.EVALUATION_EXPORT_INLINE_ROWS = 0
        assert rows == inline


def test_the_rule_is_complementary_suppression_for_a_single_filter() -> None:
    """One filter: shown only when the group and its complement both have at least 5 people."""
    everyone = frozenset(range(12))
    assert frozenset(range(6)) in published_groups(everyone, [frozenset(range(6))], 5)
    assert frozenset(range(8)) not in published_groups(everyone, [frozenset(range(8))], 5)  # complement of 4
    assert published_groups(frozenset(range(4)), [], 5) == set()


def test_the_page_says_why_a_large_group_is_not_shown_and_states_the_rule(client: Client, personas: Personas) -> None:
    org = build_org(personas, 1)
    client.force_login(personas.hr_analyst)
    url = reverse("evaluation:report", args=[org.outcomes.programme.pk])
    # Team A has 5 mentored people, but its department is shown, and the two would give away team B's 4.
    body = client.get(url, {"org_unit": org.units[3].pk}).content.decode()
    assert "not shown for this filter" in body
    assert "a department minus one of its teams" in body
    body = client.get(url, {"org_unit": org.units[2].pk}).content.decode()
    assert 'data-testid="n">9<' in body


def test_questionnaire_scores_under_a_filter_are_protected_the_same_way(personas: Personas) -> None:
    """The report's questionnaire rows (reaction scales by respondent role) follow the same rule."""
    import datetime

    from django.utils import timezone

    from evaluation.models import EvaluationCycle, InstrumentResponse
    from evaluation.services.cycles import cycle_open
    from evaluation.services.instruments import instruments_ensure_defaults, response_submit
    from evaluation.tests.outcome_helpers import enrol
    from people.tests.factories import UserFactory

    programme = personas.programme
    department = OrgUnit.objects.create(code="QK", name="Key accounts")
    team_a = OrgUnit.objects.create(code="QA", name="Tim A", parent=department)
    team_b = OrgUnit.objects.create(code="QB", name="Tim B", parent=department)
    elsewhere = OrgUnit.objects.create(code="QE", name="Elsewhere")
    for unit, count in ((team_a, 5), (team_b, 4), (elsewhere, 6)):
        for _i in range(count):
            enrol(programme, UserFactory(org_unit=unit))
    today = timezone.localdate()
    cycle = EvaluationCycle.objects.create(
        programme=programme, kind="end", opens_on=today, closes_on=today + datetime.timedelta(days=20)
    )
    cycle.instruments.add(instruments_ensure_defaults(programme=programme)["reaction"])
    cycle_open(actor=None, cycle=cycle)
    for response in InstrumentResponse.objects.filter(cycle=cycle, role="mentee").select_related("respondent"):
        items = list(response.instrument.items.values_list("pk", flat=True))
        level = 5 if response.respondent.org_unit_id == team_b.pk else 3
        response_submit(actor=response.respondent, response=response, answers=dict.fromkeys(items, level))

    def mentee_rows(unit: OrgUnit | None) -> list[Any]:
        filters = ReportFilters(org_unit_id=unit.pk if unit else None, role="mentee")
        [report] = outcome_report(programmes=[programme], filters=filters)
        return [s for s in report.surveys if s.role == "mentee"]

    everyone, whole, part, small = (mentee_rows(u) for u in (None, department, team_a, team_b))
    assert len(everyone) == len(whole) == len(part) == len(small) > 0
    assert all(s.mean is not None for s in everyone)
    assert all(s.n == 9 and s.mean is not None for s in whole)  # the department: 9 of 16 (the persona too)
    assert all(s.suppressed and s.mean is None for s in small)  # team B: 4
    # Team A has 5, but department − team A would be team B's answers: withheld, not shown.
    assert all(s.withheld and s.mean is None for s in part)


def _freeze_units(org: Org) -> None:
    """Each person's unit as the services freeze it when they join (acceptance, the comparison freeze)."""
    programme = org.outcomes.programme
    paths = org_unit_paths(org.unit_of.values())
    rows = [
        *Enrolment.objects.filter(programme=programme).select_related("person"),
        *ComparisonMember.objects.filter(group__programme=programme).select_related("person"),
    ]
    for row in rows:
        unit = row.person.org_unit_id
        row.frozen_org_unit_id, row.frozen_org_path = unit, paths.get(unit, []) if unit else []
        row.save(update_fields=["frozen_org_unit", "frozen_org_path"])


def test_moving_a_person_between_the_exports_changes_no_figure(client: Client, personas: Personas) -> None:
    """The exports above, before and after one of team A's five mentored people moves to team B (4) with
    the people import, as the HR analyst: every filter's export is the same, to the last cell, since the
    person counts where they were when they joined (so the shown groups of both rounds together are those
    of one round, which the test above finds safe). On the old behaviour team A would have dropped to 4
    and team B risen to 5 (test_differencing_moves shows a move that gives a person's values away).
    """
    org = build_org(personas, 1)
    _freeze_units(org)
    programme = org.outcomes.programme
    client.force_login(personas.hr_analyst)

    def every_filter() -> dict[tuple[int | None, str], list[dict[str, str]]]:
        return {
            (unit, role): _csv(client, programme.pk, {"org_unit": unit or "", "role": role})
            for unit, role in org.filters()
        }

    before = every_filter()
    moved = User.objects.get(pk=org.outcomes.mentored[0].pk)
    assert org.unit_of[moved.pk] == org.units[3].pk  # team A
    result = people_import(
        actor=personas.hr_analyst,
        content=f"email,full_name,org_unit_code\n{moved.email},{moved.full_name},{org.units[4].code}\n".encode(),
    )
    assert not result.problems, result.problems
    moved.refresh_from_db()
    assert moved.org_unit_id == org.units[4].pk  # now in team B
    after = every_filter()
    assert after == before
