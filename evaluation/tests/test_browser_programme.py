"""The end-to-end programme in a real browser (Debian's chromium), each person on their own pages (issue 10).

The same path as test_programme_end_to_end: the mentee applies on the application page, her manager
approves on the manager page, the coordinator screens her, imports the participants' baselines (before any
pairing) and sees who may still get one; the rest of the path runs through evaluation.tests.flow (the
services those pages call), and HR reads the report: the mentored per protocol, the DiD of the entered
numbers, and what the figures mean.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from evaluation.tests.flow import BASELINE_END, Flow, email, values_file
from people.models import User
from programmes.models import Enrolment

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "correct-horse-battery-staple"


def _can_sign_in(*people: User) -> None:
    """Imported people have no password yet (single sign-on in production); give the test's a password."""
    for person in people:
        person.set_password(PASSWORD)
        person.save(update_fields=["password"])


@pytest.mark.django_db(transaction=True)
def test_each_person_walks_their_part_of_one_programme_in_the_browser(sign_in: Any, tmp_path: Any) -> None:
    flow = Flow.start()
    flow.design()
    flow.recruit()
    hoa = User.objects.get(email=email("sales1"))
    manager = User.objects.get(email=email("lead.e"))
    _can_sign_in(hoa, manager, flow.coordinator, flow.hr)

    # --- the mentee applies --------------------------------------------------------------------------------
    mentee = sign_in(hoa, PASSWORD)
    mentee.goto(f"/programmes/{flow.programme.pk}/join/")
    assert "Two hours a month" in mentee.inner_text("main")
    mentee.get_by_test_id("apply-mentee").click()
    mentee.get_by_label("Your goals").fill("Win bigger accounts")
    for slot in ("mon_morning", "tue_morning", "wed_afternoon", "thu_afternoon"):
        mentee.locator(f"#av-{slot}").check()
    rows = mentee.get_by_test_id("competency-rows")
    rows.locator("select[name=comp-0-competency]").select_option(label="Negotiation")
    rows.locator("select[name=comp-0-current_level]").select_option("2")
    rows.locator("select[name=comp-0-level]").select_option("4")
    mentee.get_by_test_id("submit-application").click()
    assert mentee.get_by_test_id("enrolment-state").inner_text() == "Applied"
    assert mentee.errors == [], mentee.errors

    # --- her manager approves ------------------------------------------------------------------------------
    boss = sign_in(manager, PASSWORD)
    boss.goto("/programmes/manager/")
    boss.get_by_test_id("manager-approvals").get_by_role("link", name="Nguyễn Thị Hoa asks to join").click()
    boss.get_by_test_id("approval-form").locator("select[name=decision]").select_option("approve")
    boss.get_by_role("button", name="Send my decision").click()
    assert "Approved" in boss.get_by_test_id("approval-state").inner_text()

    # --- the others apply, are approved; the coordinator screens her -------------------------------------------
    flow.apply()
    flow.approve()
    coordinator = sign_in(flow.coordinator, PASSWORD)
    coordinator.goto(f"/programmes/{flow.programme.pk}/applications/")
    coordinator.get_by_role("link", name="Nguyễn Thị Hoa").click()
    coordinator.get_by_test_id("screen-accept").click()
    assert coordinator.get_by_test_id("enrolment-state").inner_text() in ("Accepted", "Oriented", "Available")
    flow.screen()

    # --- the participants' baselines, imported on the baselines page, before any pairing ------------------------
    baselines = {person: 40.0 + 2 * i for i, person in enumerate(flow.mentees)}
    upload = tmp_path / "baselines.csv"
    upload.write_bytes(values_file(baselines, BASELINE_END))
    coordinator.goto(f"/evaluation/programmes/{flow.programme.pk}/baselines/")
    assert (
        "until their first mentoring relationship becomes active"
        in coordinator.get_by_test_id("baseline-window").inner_text()
    )
    coordinator.locator("input[type=file]").set_input_files(str(upload))
    coordinator.get_by_role("button", name="Import").click()
    assert "File imported: 6 new baselines" in coordinator.inner_text("main")
    flow.baseline.update({person.pk: value for person, value in baselines.items()})

    # --- the comparison group, drawn after screening on its page: the applicants are left out ------------------
    coordinator.goto(f"/evaluation/programmes/{flow.programme.pk}/comparison/")
    units = coordinator.locator("input[name=org_units]")  # the suggestion's units, then an empty picker
    for i in range(units.count()):
        units.nth(i).fill("")
    units.first.fill("Sale")  # the server suggests; the unit is chosen from the list
    coordinator.get_by_role("option", name=re.compile(r"^Sales \(")).click()
    coordinator.locator("input[name=grade_min]").fill("")
    coordinator.locator("input[name=grade_max]").fill("")
    coordinator.get_by_test_id("comparison-freeze").click()
    assert "Frozen" in coordinator.get_by_test_id("comparison-frozen").inner_text()
    members = coordinator.get_by_test_id("comparison-members").inner_text()
    assert "Nguyễn Thị Hoa" not in members
    assert "Łucja Wróbel" in members
    flow.freeze_comparison(on_the_page=True)
    assert coordinator.errors == [], coordinator.errors

    # --- pairing and mentoring, through the services; one mentee withdraws ------------------------------------
    flow.orient()
    flow.match()
    flow.accept()
    flow.sign_agreements()
    flow.log_sessions()
    flow.withdraw(flow.mentees[0])
    assert Enrolment.objects.get(programme=flow.programme, person=hoa).state == Enrolment.State.MATCHED

    # Her relationship is active: the baselines page no longer offers her for a baseline.
    coordinator.goto(f"/evaluation/programmes/{flow.programme.pk}/baselines/")
    search = f"/evaluation/programmes/{flow.programme.pk}/people/search/"  # what the entry pickers ask
    offered = coordinator.request.get(search, params={"baseline": "1", "q": hoa.email}).text()
    assert hoa.email not in offered
    assert hoa.email in coordinator.request.get(search, params={"q": hoa.email}).text()  # still has values

    # --- the end cycle, results, and the report as HR reads it -------------------------------------------------
    flow.end_values()
    flow.results()
    hr = sign_in(flow.hr, PASSWORD)
    hr.goto(f"/evaluation/programmes/{flow.programme.pk}/report/")
    body = hr.inner_text("main")
    assert "Mentored mentees (per protocol)" in body
    assert "About these figures" in body
    did = hr.get_by_test_id("did").first.inner_text().replace("\u2212", "-")
    shown = re.search(r"-?\d+(?:[.,]\d+)?", did)
    assert shown is not None, did
    assert float(shown.group().replace(",", ".")) == pytest.approx(flow.expected_did(), abs=0.05)
    assert hr.errors == [], hr.errors
