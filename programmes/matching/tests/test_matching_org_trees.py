"""The matcher on organisations shaped like HRIS exports (people and units listed before their managers and
parents): runs, suggestions and the pages answer, the reporting line is never crossed, and "different
divisions" means different top-level units."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from people.models import User
from people.tests.factories import PASSWORD
from people.tests.strategies import HrisExport, big_export, exports, loaded
from programmes.matching.services.matching import match_run_create
from programmes.matching.services.self_service import mentor_suggestions
from programmes.models import MatchingSettings, MatchProposal
from programmes.tests.matching_helpers import coordinator_of, matching_programme, negotiation, pool_mentee, pool_mentor

pytestmark = pytest.mark.django_db
DEPTH = 2


def _within(export: HrisExport, a: str, b: str) -> bool:
    return b in export.managers_up(a, DEPTH) or a in export.managers_up(b, DEPTH)


@given(export=exports(max_units=15, min_people=2, max_people=24), data=st.data())
@hypothesis_settings(max_examples=15, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_a_run_on_an_hris_ordered_org_respects_reporting_lines_and_divisions(
    export: HrisExport, data: st.DataObject
) -> None:
    with loaded(export) as (units, ids):
        programme = matching_programme(reporting_line_exclusion_depth=DEPTH, max_time_zone_gap_hours=24)
        people = sorted(ids)
        mentor_emails = data.draw(st.lists(st.sampled_from(people), unique=True, min_size=1, max_size=len(people) // 2))
        skill = negotiation()
        by_email = {u.email: u for u in User.objects.filter(pk__in=ids.values())}
        for email in people:
            if email in mentor_emails:
                pool_mentor(programme, person=by_email[email], offers={skill: 5})
            else:
                pool_mentee(programme, person=by_email[email], needs={skill: (2, 4)})
        run = match_run_create(actor=coordinator_of(programme), programme=programme)
        unit_of = {p.email: p.unit for p in export.people}
        for proposal in MatchProposal.objects.filter(run=run).select_related("mentee__person", "mentor__person"):
            mentee, mentor = proposal.mentee.person.email, proposal.mentor.person.email
            assert not _within(export, mentee, mentor), "a pair crosses the reporting line"
            apart = export.top_of(unit_of[mentee] or "") != export.top_of(unit_of[mentor] or "")
            assert (proposal.breakdown.get("diversity", 0) > 0) == apart, "diversity is not about the divisions"
        assert units  # the org was imported


def test_the_matcher_page_and_suggestions_answer_on_a_big_org_listed_children_first(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    export = big_export(units=300, people=600, seed=3, shape="bushy", order="reversed")
    with loaded(export) as (_units, ids):
        programme = matching_programme(reporting_line_exclusion_depth=DEPTH, max_time_zone_gap_hours=24)
        MatchingSettings.objects.filter(programme=programme).update(self_service=True)
        skill = negotiation()
        people = list(User.objects.filter(pk__in=list(ids.values())[:80]).order_by("pk"))
        for person in people[:30]:
            pool_mentor(programme, person=person, offers={skill: 5}, capacity=2)
        mentees = [pool_mentee(programme, person=person, needs={skill: (1, 4)}) for person in people[30:]]
        suggestions = mentor_suggestions(mentee=mentees[0])
        assert suggestions
        mentee_email = mentees[0].person.email
        assert not any(_within(export, mentee_email, s.mentor.person.email) for s in suggestions)

        coordinator = coordinator_of(programme)
        coordinator.set_password(PASSWORD)
        coordinator.save()
        client.force_login(coordinator)
        with django_capture_on_commit_callbacks(execute=True):  # the run's job is published, and run, on commit
            started = client.post(reverse("programmes:match_run_create", args=[programme.pk]))
        assert started.status_code == 302
        run = programme.match_runs.get()
        response = client.get(reverse("programmes:match_run", args=[programme.pk, run.pk]))
        assert response.status_code == 200
        assert run.proposals.exists()
        first = run.proposals.select_related("mentee__person").first()
        assert first is not None
        assert first.mentee.person.full_name in response.content.decode()

        client.force_login(mentees[0].person)
        page = client.get(reverse("programmes:mentor_suggestions", args=[programme.pk, mentees[0].pk]))
        assert page.status_code == 200
        assert suggestions[0].mentor.person.full_name in page.content.decode()
