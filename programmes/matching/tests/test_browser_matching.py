"""Enrolment and matching in a real browser (Debian's chromium): a mentee applies, the coordinator screens,
runs the matcher, reviews the table (sorted by the server; a live score while changing a mentor, a lock),
publishes, and the mentee and the mentor accept. Console errors (a CSP violation by inline script or
style) fail the test.
"""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Personas
from people.tests.factories import OrgUnitFactory, UserFactory
from programmes.models import Enrolment, MatchRun, Programme, Relationship
from programmes.tests.factories import MatchingSettingsFactory, RecruitmentFactory
from programmes.tests.matching_helpers import negotiation, pool_mentee, pool_mentor

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _programme(personas: Personas) -> Programme:
    programme = personas.programme
    Programme.objects.filter(pk=programme.pk).update(
        phase=Programme.Phase.IMPLEMENTATION,
        mentor_capacity=1,
        reporting_line_exclusion_depth=2,
        max_time_zone_gap_hours=4,
    )
    programme.refresh_from_db()
    RecruitmentFactory(programme=programme, commitment="Two hours a month for nine months.")
    MatchingSettingsFactory(programme=programme)
    # The personas' own enrolments stay out of this pool.
    Enrolment.objects.filter(programme=programme).update(state=Enrolment.State.COMPLETED)
    return programme


@pytest.mark.django_db(transaction=True)
def test_a_mentee_applies_and_the_coordinator_runs_reviews_and_publishes_and_both_accept(
    sign_in: Any, personas: Personas
) -> None:
    programme = _programme(personas)
    skill = negotiation()
    finance = OrgUnitFactory(code="FIN", name="Finance")
    mentor_a = pool_mentor(
        programme, offers={skill: 5}, capacity=1, person=UserFactory(full_name="Agung Mentor", org_unit=finance)
    )
    mentor_b = pool_mentor(
        programme,
        offers={skill: 4},
        capacity=1,
        person=UserFactory(full_name="Bayu Mentor", org_unit=finance),
        goals="Budgeting and forecasting",
    )
    pool_mentee(programme, needs={skill: (3, 4)}, person=UserFactory(full_name="Citra Mentee"))
    putri = UserFactory(full_name="Putri Ayu", email="putri@example.co.id", org_unit=OrgUnitFactory(code="SALES"))

    # --- the mentee applies ---------------------------------------------------------------------------------
    page = sign_in(putri, personas.password)
    page.goto(f"/programmes/{programme.pk}/join/")
    assert "Two hours a month" in page.inner_text("main")
    page.get_by_test_id("apply-mentee").click()
    page.get_by_label("Your goals").fill("Lead negotiations with key accounts")
    page.locator("#av-mon_morning").check()
    page.locator("#av-wed_afternoon").check()
    page.locator("#av-fri_morning").check()
    rows = page.get_by_test_id("competency-rows")
    rows.locator("select[name=comp-0-competency]").select_option(label="Negotiation")
    rows.locator("select[name=comp-0-current_level]").select_option("1")
    rows.locator("select[name=comp-0-level]").select_option("4")
    page.get_by_test_id("submit-application").click()
    assert page.get_by_test_id("enrolment-state").inner_text() == "Screening"
    enrolment = Enrolment.objects.get(programme=programme, person=putri)
    assert page.errors == [], f"console errors: {page.errors}"

    # --- the coordinator screens, runs, reviews and publishes ------------------------------------------------
    coordinator = sign_in(personas.coordinator, personas.password)
    coordinator.goto(f"/programmes/{programme.pk}/applications/")
    coordinator.get_by_role("link", name="Putri Ayu").click()
    coordinator.get_by_test_id("screen-accept").click()
    assert coordinator.get_by_test_id("enrolment-state").inner_text() == "Available"

    coordinator.get_by_role("link", name="Matching", exact=True).click()
    coordinator.get_by_test_id("run-matcher").click()
    table = coordinator.get_by_test_id("proposals")
    assert table.locator("tbody tr").count() == 2
    assert "both speak" in table.inner_text()
    run = MatchRun.objects.get(programme=programme)
    putri_proposal = run.proposals.get(mentee=enrolment)

    # Sort by score (the server orders the whole run): highest first, then (a second click) lowest first.
    table.get_by_role("link", name="Score").click()
    coordinator.wait_for_url("**?sort=-score")
    scores = [float(s) for s in table.locator("[data-score-cell]").all_inner_texts()]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] > scores[-1]
    table.get_by_role("link", name="Score").click()
    coordinator.wait_for_url("**?sort=score")
    assert [float(s) for s in table.locator("[data-score-cell]").all_inner_texts()] == sorted(scores)

    # Changing Putri's mentor in the select shows the new score at once (and the total with it).
    total_before = coordinator.get_by_test_id("run-total").inner_text()
    select = coordinator.get_by_test_id(f"reassign-{putri_proposal.pk}")
    alternative = putri_proposal.alternatives[0]
    select.select_option(str(alternative["mentor"]))
    assert coordinator.get_by_test_id(f"score-{putri_proposal.pk}").inner_text() == f"{alternative['score']:.3f}"
    expected_total = float(total_before) - putri_proposal.score + alternative["score"]
    assert coordinator.get_by_test_id("run-total").inner_text() == f"{expected_total:.3f}"
    assert alternative["score"] != pytest.approx(putri_proposal.score)
    select.select_option(str(putri_proposal.mentor_id))  # back: the optimum stands

    coordinator.get_by_test_id(f"lock-{putri_proposal.pk}").click()
    assert "locked" in coordinator.locator(f'tr[data-proposal="{putri_proposal.pk}"]').inner_text()
    coordinator.get_by_test_id("publish").click()
    assert coordinator.get_by_test_id("run-state").inner_text() == "Published"
    assert coordinator.errors == [], f"console errors: {coordinator.errors}"

    # --- the mentee and the mentor accept -----------------------------------------------------------------------
    relationship = Relationship.objects.get(members__enrolment=enrolment)
    page.goto("/programmes/notifications/")
    item = page.locator("li.list-group-item", has_text="You are proposed a match")
    item.get_by_role("button", name="Open").click()
    page.wait_for_url(f"**/relationships/{relationship.pk}/")
    assert "mentor is level" in page.get_by_test_id("explanation").inner_text()
    page.get_by_test_id("accept").click()
    assert "Thank you" in page.inner_text("main")

    mentor = relationship.members.get(role="mentor").enrolment
    assert mentor in (mentor_a, mentor_b)
    mentor_page = sign_in(mentor.person, personas.password)
    mentor_page.goto(f"/programmes/{programme.pk}/relationships/{relationship.pk}/")
    mentor_page.get_by_test_id("accept").click()
    assert mentor_page.get_by_test_id("relationship-state").inner_text() == "Accepted"
    enrolment.refresh_from_db()
    assert enrolment.state == Enrolment.State.MATCHED
    assert page.errors == []
    assert mentor_page.errors == []
