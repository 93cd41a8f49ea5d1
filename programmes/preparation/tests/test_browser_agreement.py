"""Orientation, the agreement and the plan in a real browser (Debian's chromium).

A mentor and a mentee complete their orientation (an acknowledgement, a quiz) and join the matching pool; they
are matched and accept; they write their expectations into the agreement, the mentee signs, the mentor changes
the agreement (a new version both must sign again), both sign, the mentor records the first meeting, and the
relationship shows as active. The mentee then adds a development goal and progress, and the chart draws.
Console errors (a CSP violation by inline script or style, a Chart.js failure) fail the test.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta
from typing import Any

import pytest

from conftest import Personas
from people.models import User
from people.tests.factories import OrgUnitFactory, UserFactory
from programmes.matching.services.relationships import relationship_propose
from programmes.models import Enrolment, OrientationModule, Programme, Relationship
from programmes.tests.factories import EnrolmentCompetencyFactory, MatchingSettingsFactory, PoolEnrolmentFactory
from programmes.tests.matching_helpers import negotiation
from programmes.tests.preparation_helpers import module

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _programme(personas: Personas) -> Programme:
    programme = personas.programme
    Programme.objects.filter(pk=programme.pk).update(
        phase=Programme.Phase.IMPLEMENTATION,
        mentor_capacity=1,
        term_months=6,
        meeting_cadence_days=14,
        no_fault_clause="Either of us may end this at any time, without blame.",
    )
    programme.refresh_from_db()
    MatchingSettingsFactory(programme=programme)
    Enrolment.objects.filter(programme=programme).update(state=Enrolment.State.COMPLETED)  # the personas stay out
    module(programme, OrientationModule.Audience.MENTEE, key="welcome")
    module(
        programme,
        OrientationModule.Audience.MENTOR,
        key="roles",
        quiz=[("Who sets the agenda of a mentoring conversation?", ["The mentor", "The mentee"], 1)],
    )
    return programme


def _accepted(programme: Programme, person: User, role: str) -> Enrolment:
    enrolment = PoolEnrolmentFactory(
        programme=programme, person=person, role=role, state=Enrolment.State.ACCEPTED, capacity=1
    )
    levels = {"current_level": None, "level": 5} if role == Enrolment.Role.MENTOR else {"current_level": 2, "level": 4}
    EnrolmentCompetencyFactory(enrolment=enrolment, competency=negotiation(), **levels)
    return enrolment


def _orient(page: Any, programme: Programme, *, quiz_answer: str | None = None) -> None:
    page.goto(f"/programmes/{programme.pk}/orientation/")
    assert "1 required module left" in page.inner_text("main")
    page.get_by_test_id("module-link").first.click()
    assert "Read me." in page.get_by_test_id("module-body").inner_text()
    if quiz_answer:
        page.get_by_label(quiz_answer, exact=True).check()
    else:
        page.get_by_label("I have read this module").check()
    page.get_by_test_id("complete").click()
    assert "Module completed." in page.inner_text("main")
    assert "All required modules done" in page.inner_text("main")


def _sign(page: Any, person: User) -> None:
    page.get_by_label("Type your full name to sign").fill(person.full_name)
    page.get_by_test_id("sign").click()
    assert "Signed." in page.inner_text("main")


@pytest.mark.django_db(transaction=True)
def test_a_pair_orients_signs_changes_signs_again_records_the_first_meeting_and_starts(
    sign_in: Any, personas: Personas
) -> None:
    programme = _programme(personas)
    finance = OrgUnitFactory(code="FIN", name="Finance")
    mentor_person = UserFactory(full_name="Agung Pratama", org_unit=finance, grade=8)
    mentee_person = UserFactory(full_name="Putri Ayu", org_unit=OrgUnitFactory(code="SALES"), grade=4)
    mentor = _accepted(programme, mentor_person, Enrolment.Role.MENTOR)
    mentee = _accepted(programme, mentee_person, Enrolment.Role.MENTEE)

    # --- orientation: the mentee acknowledges, the mentor passes a quiz; both join the pool ---------------------
    mentee_page = sign_in(mentee_person, personas.password)
    _orient(mentee_page, programme)
    mentor_page = sign_in(mentor_person, personas.password)
    mentor_page.goto(f"/programmes/{programme.pk}/orientation/")
    mentor_page.get_by_test_id("module-link").first.click()
    mentor_page.get_by_label("The mentor", exact=True).check()
    mentor_page.get_by_test_id("complete").click()
    assert "the pass mark is 80%" in mentor_page.inner_text("main")
    _orient(mentor_page, programme, quiz_answer="The mentee")
    mentor.refresh_from_db()
    mentee.refresh_from_db()
    assert (mentor.state, mentee.state) == (Enrolment.State.AVAILABLE, Enrolment.State.AVAILABLE)

    # --- matched (the coordinator's matching is issue 4's browser test); both accept on the relationship page --
    relationship = relationship_propose(actor=personas.coordinator, mentor=mentor, mentees=[mentee])
    relationship_url = f"/programmes/{programme.pk}/relationships/{relationship.pk}/"
    for page in (mentee_page, mentor_page):
        page.goto(relationship_url)
        page.get_by_test_id("accept").click()
    assert mentor_page.get_by_test_id("relationship-state").inner_text() == "Accepted"

    # --- the agreement: both write their expectations into the draft --------------------------------------------
    agreement_url = f"{relationship_url}agreement/"
    mentee_page.goto(agreement_url)
    assert mentee_page.get_by_test_id("version").inner_text() == "version 1"
    assert "without blame" in mentee_page.get_by_test_id("term-no-fault").inner_text()
    mentee_page.get_by_test_id("edit").click()
    mentee_page.get_by_label("What the mentee expects of the mentor").fill("Honest feedback after each client call.")
    mentee_page.get_by_test_id("save-agreement").click()
    assert "Agreement saved." in mentee_page.inner_text("main")
    mentor_page.goto(agreement_url)
    mentor_page.get_by_test_id("edit").click()
    mentor_page.get_by_label("What the mentor expects of the mentee").fill("An agenda two days before we meet.")
    mentor_page.get_by_test_id("save-agreement").click()
    assert "Honest feedback" in mentor_page.get_by_test_id("term-mentee-expects").inner_text()

    # --- the mentee signs; the mentor changes the length of meetings: version 2, both sign again -----------------
    mentee_page.goto(agreement_url)
    _sign(mentee_page, mentee_person)
    assert "Signed" in mentee_page.get_by_test_id(f"signature-{mentee_person.pk}").inner_text()
    mentor_page.goto(agreement_url)
    mentor_page.get_by_test_id("edit").click()
    assert "everyone signs again" in mentor_page.get_by_test_id("resign-warning").inner_text()
    mentor_page.get_by_label("Each meeting lasts … minutes").fill("90")
    mentor_page.get_by_label("What changed (for the other members)").fill("Longer meetings.")
    mentor_page.get_by_test_id("save-agreement").click()
    assert "Saved as version 2: everyone signs again." in mentor_page.inner_text("main")
    assert mentor_page.get_by_test_id("version").inner_text() == "version 2"
    assert "Not signed" in mentor_page.get_by_test_id(f"signature-{mentee_person.pk}").inner_text()
    assert "for 90 minutes" in mentor_page.get_by_test_id("term-meetings").inner_text()
    mentee_page.goto(agreement_url)
    assert "Version 2 still needs the signature of" in mentee_page.get_by_test_id("blockers").inner_text()
    _sign(mentee_page, mentee_person)
    mentor_page.goto(agreement_url)
    _sign(mentor_page, mentor_person)
    blockers = mentor_page.get_by_test_id("blockers").inner_text()
    assert "Record your first meeting." in blockers
    assert "signature" not in blockers
    assert mentor_page.get_by_test_id("relationship-state").inner_text() == "Accepted"
    # Version 1 stays readable, with the mentee's first signature.
    mentor_page.get_by_role("link", name="Version 1").click()
    assert "earlier version" in mentor_page.get_by_test_id("earlier-version").inner_text()
    assert "Signed" in mentor_page.get_by_test_id(f"signature-{mentee_person.pk}").inner_text()

    # --- the first meeting: the relationship is active --------------------------------------------------------------
    mentor_page.goto(agreement_url)
    met = datetime.now(zoneinfo.ZoneInfo(mentor_person.time_zone)) - timedelta(hours=2)
    mentor_page.get_by_label("Our first meeting took place on").fill(met.strftime("%Y-%m-%dT%H:%M"))
    mentor_page.get_by_test_id("record-first-meeting").click()
    assert "now active" in mentor_page.inner_text("main")
    assert mentor_page.get_by_test_id("relationship-state").inner_text() == "Active"
    relationship.refresh_from_db()
    assert relationship.state == Relationship.State.ACTIVE
    mentee_page.goto(relationship_url)
    assert mentee_page.get_by_test_id("relationship-state").inner_text() == "Active"

    # --- the print page, and the plan with its chart ----------------------------------------------------------------
    mentee_page.goto(agreement_url)
    mentee_page.get_by_test_id("print").click()
    assert "Signed electronically on" in mentee_page.inner_text("main")
    assert mentee_page.get_by_test_id("print-version").inner_text().startswith("Version 2")
    mentee_page.goto(f"/programmes/{programme.pk}/plans/{mentee.pk}/")
    mentee_page.get_by_test_id("add-goal").click()
    mentee_page.get_by_label("Competency").select_option(label="Negotiation")
    mentee_page.get_by_label("Goal (SMART)").fill("Lead a key-account price negotiation on my own by June.")
    mentee_page.get_by_label("Target level").select_option("4")
    mentee_page.get_by_label("Due on").fill((datetime.now() + timedelta(days=90)).strftime("%Y-%m-%d"))
    mentee_page.get_by_test_id("save-goal").click()
    assert "Goal saved." in mentee_page.inner_text("main")
    goal = mentee_page.get_by_test_id("goal")
    goal.get_by_test_id("open-progress").click()  # each goal action opens its own form
    goal.get_by_label("Level reached").select_option("3")
    goal.get_by_role("button", name="Record").click()
    assert "Progress recorded." in mentee_page.inner_text("main")
    mentee_page.wait_for_function("() => window.Chart && Chart.getChart('progress-chart') !== undefined")
    # The table alternative holds the same figures (inside a closed <details>: read its text, not what shows).
    table = mentee_page.get_by_test_id("progress-table").text_content() or ""
    assert "Negotiation → 4" in table
    assert "3" in table

    for page in (mentee_page, mentor_page):
        assert page.errors == [], f"console errors (CSP?): {page.errors}"
