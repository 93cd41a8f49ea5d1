"""The frozen org units' migrations: rows that existed before them freeze the unit their person is in then.

That is what the reports used until then, so no figure changes when the migrations run; from then on the
freeze holds (evaluation.report_disclosure).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("people", "0006_import_job"),
    ("programmes", "0007_invitations"),
    ("evaluation", "0003_cycles_instruments_results"),
]
AFTER = [("programmes", "0008_frozen_org_units"), ("evaluation", "0004_frozen_org_units")]


@pytest.mark.django_db(transaction=True)
def test_existing_enrolments_and_comparison_members_freeze_their_current_unit() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    unit_model, user_model = old.get_model("people", "OrgUnit"), old.get_model("people", "User")
    root = unit_model.objects.create(code="MR", name="Root")
    team = unit_model.objects.create(
        code="MT", name="Team", parent=unit_model.objects.create(code="MD", name="D", parent=root)
    )
    placed = user_model.objects.create(email="placed@example.com", full_name="Placed", org_unit=team)
    nowhere = user_model.objects.create(email="nowhere@example.com", full_name="Nowhere")
    programme = old.get_model("programmes", "Programme").objects.create(name="Old programme")
    enrolment = old.get_model("programmes", "Enrolment")
    enrolment.objects.create(programme=programme, person=placed, role="mentee", state="matched")
    enrolment.objects.create(programme=programme, person=nowhere, role="mentor", state="applied")
    group = old.get_model("evaluation", "ComparisonGroup").objects.create(programme=programme)
    old.get_model("evaluation", "ComparisonMember").objects.create(group=group, person=placed)

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    rows = new.get_model("programmes", "Enrolment").objects.order_by("role")
    assert [(r.frozen_org_unit_id, r.frozen_org_path) for r in rows] == [
        (team.pk, [team.pk, team.parent_id, root.pk]),  # the mentee: her unit and every unit above it
        (None, []),  # the mentor has no unit: frozen as none, not left open
    ]
    member = new.get_model("evaluation", "ComparisonMember").objects.get()
    assert (member.frozen_org_unit_id, member.frozen_org_path) == (team.pk, [team.pk, team.parent_id, root.pk])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())  # the rest of the schema, for the next tests
