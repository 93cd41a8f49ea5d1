"""Divisions (each unit's top-level unit) are right for org trees in any order, as HRIS exports list them."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from people.models import OrgUnit
from people.tests.factories import OrgUnitFactory
from people.tests.strategies import HrisExport, big_export, big_exports, exports, loaded
from programmes.matching.selectors.matching import divisions, top_ancestors

DB_EXAMPLES = hypothesis_settings(
    max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


@pytest.mark.django_db
def test_a_unit_listed_before_its_parent_gets_the_parents_division() -> None:
    # The shape that crashed the matcher: a team, then its department, then the division, each walk reaching
    # a unit an earlier walk had resolved already.
    division = OrgUnitFactory(code="DIV", name="C Division")
    department = OrgUnitFactory(code="DEP", name="B Department", parent=division)
    team = OrgUnitFactory(code="TEAM", name="A Team", parent=department)
    assert [u.code for u in OrgUnit.objects.all()] == ["TEAM", "DEP", "DIV"]  # ordered by name
    assert divisions() == {team.pk: division.pk, department.pk: division.pk, division.pk: division.pk}


def test_top_ancestors_of_children_listed_before_parents() -> None:
    assert top_ancestors({3: 2, 2: 1, 1: None, 4: 1, 5: None}) == {3: 1, 2: 1, 1: 1, 4: 1, 5: 5}


def test_top_ancestors_end_in_bad_data() -> None:
    assert top_ancestors({1: 2, 2: 1}) == {1: 2, 2: 2}  # a cycle ends, each member gets one answer
    assert top_ancestors({1: 9}) == {1: 9, 9: 9}  # a parent outside the mapping is the top


@given(export=st.one_of(exports(max_units=60), big_exports(max_units=2000, max_people=1)))
@hypothesis_settings(max_examples=40, deadline=None)
@example(export=big_export(units=3000, people=1, seed=1, shape="chain", order="reversed"))
@example(export=big_export(units=5000, people=1, seed=2, shape="star", order="shuffled"))
def test_top_ancestors_match_a_walk_up_each_tree_in_any_order(export: HrisExport) -> None:
    parents = export.parent_of()
    assert top_ancestors(parents) == {code: export.top_of(code) for code in parents}  # type: ignore[arg-type]


@pytest.mark.django_db
@given(export=exports(max_units=40, max_people=3))
@DB_EXAMPLES
def test_divisions_of_an_imported_export_match_a_walk_up_the_tree(export: HrisExport) -> None:
    with loaded(export) as (units, _people):
        expected = {units[code]: units[export.top_of(code)] for code in units}
        assert divisions() == expected


@pytest.mark.django_db
def test_divisions_of_a_big_deep_export_imported_children_first() -> None:
    export = big_export(units=3000, people=10, seed=11, shape="bushy", order="reversed")
    with loaded(export) as (units, _people):
        found = divisions()
        assert len(found) == 3000
        assert all(found[units[code]] == units[export.top_of(code)] for code in units)
