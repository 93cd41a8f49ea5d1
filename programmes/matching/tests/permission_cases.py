"""Permission cases for recruitment, applications, matching and relationships (issue 4).

Who gets what (see programmes/permissions_matching.py):
- the recruitment page of a recruiting programme: every signed-in employee (the outsider too);
- an application: its applicant and the programme's coordinators (and site admins); HR analysts 403
  (aggregates only); other participants and outsiders 404; the approval page: the applicant's manager
  (here the mentor persona manages the mentee);
- runs, proposals, settings: coordinators; HR analysts and participants 403; outsiders 404;
- the supply-and-demand report: coordinators and HR analysts;
- a relationship: its members and coordinators; HR 403; anyone else 404.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import reverse

from mentoring.tests.matrix import FORBIDDEN, NOT_FOUND, OK, REDIRECT, Case, everyone
from people.tests.factories import CompetencyFactory, UserFactory
from programmes.models import (
    Enrolment,
    Invitation,
    MatchingSettings,
    MatchProposal,
    MatchRun,
    MentorPreference,
    PairRule,
    Programme,
    Recruitment,
    Relationship,
    RelationshipMember,
)
from programmes.tests.factories import (
    EnrolmentCompetencyFactory,
    MatchingSettingsFactory,
    MatchProposalFactory,
    MatchRunFactory,
    PairRuleFactory,
    PoolEnrolmentFactory,
    RecruitmentFactory,
    RelationshipFactory,
    RelationshipMemberFactory,
)

CASES: list[Case] = []

# Coordinator pages: coordinators (and site admins) only.
COORDINATORS = everyone(FORBIDDEN, outsider=NOT_FOUND, coordinator=OK, admin=OK)
COORDINATORS_POST = everyone(FORBIDDEN, outsider=NOT_FOUND, coordinator=REDIRECT, admin=REDIRECT)
# The mentee persona's own application: theirs; coordinators read; the mentor (another participant) 404.
OWN_APPLICATION = everyone(NOT_FOUND, mentee=OK, coordinator=OK, admin=OK, hr_analyst=FORBIDDEN)
OWN_ONLY = everyone(NOT_FOUND, mentee=OK, coordinator=FORBIDDEN, admin=FORBIDDEN, hr_analyst=FORBIDDEN)
OWN_ONLY_POST = {**OWN_ONLY, "mentee": REDIRECT}


def _world(p: Any) -> None:
    """A programme in implementation, recruiting, with the personas' enrolments in the pool and a second mentor."""
    Programme.objects.filter(pk=p.programme.pk).update(
        phase=Programme.Phase.IMPLEMENTATION, reporting_line_exclusion_depth=2, mentor_capacity=2
    )
    p.programme.refresh_from_db()
    RecruitmentFactory(programme=p.programme)
    MatchingSettingsFactory(programme=p.programme, self_service=True)
    p.competency = CompetencyFactory(code="NEG", name="Negotiation")
    p.mentee_enrolment = Enrolment.objects.get(programme=p.programme, person=p.mentee)
    p.mentor_enrolment = Enrolment.objects.get(programme=p.programme, person=p.mentor)
    pool_fields = {
        "state": Enrolment.State.AVAILABLE,
        "availability": ["mon_morning", "wed_afternoon"],
        "languages": ["id", "en"],
        "time_zone": "Asia/Jakarta",
    }
    Enrolment.objects.filter(pk__in=[p.mentee_enrolment.pk, p.mentor_enrolment.pk]).update(**pool_fields)
    Enrolment.objects.filter(pk=p.mentor_enrolment.pk).update(capacity=2)
    p.mentee_enrolment.refresh_from_db()
    p.mentor_enrolment.refresh_from_db()
    EnrolmentCompetencyFactory(enrolment=p.mentee_enrolment, competency=p.competency, current_level=2, level=4)
    EnrolmentCompetencyFactory(enrolment=p.mentor_enrolment, competency=p.competency, current_level=None, level=5)
    # A mentor outside the mentee's reporting line (the mentor persona manages the mentee).
    p.other_mentor = PoolEnrolmentFactory(
        programme=p.programme, role=Enrolment.Role.MENTOR, capacity=2, person=UserFactory(full_name="Joko Widodo")
    )
    EnrolmentCompetencyFactory(enrolment=p.other_mentor, competency=p.competency, current_level=None, level=5)


def _with_run(p: Any) -> None:
    _world(p)
    p.run = MatchRunFactory(programme=p.programme, mentees=1, mentors=2, matched=1)
    p.proposal = MatchProposalFactory(
        run=p.run,
        mentee=p.mentee_enrolment,
        mentor=p.other_mentor,
        alternatives=[{"mentor": p.mentor_enrolment.pk, "name": str(p.mentor), "score": 0.4}],
    )


def _with_relationship(p: Any) -> None:
    _world(p)
    p.relationship = RelationshipFactory(programme=p.programme)
    RelationshipMemberFactory(relationship=p.relationship, enrolment=p.mentor_enrolment)
    RelationshipMemberFactory(relationship=p.relationship, enrolment=p.mentee_enrolment)


def _body(response: HttpResponse) -> str:
    return response.content.decode()


def _contains(*texts: str) -> Any:
    """A check that the page shows each of `texts`."""

    def check(response: HttpResponse, p: Any, persona: str) -> None:
        body = _body(response)
        for text in texts:
            assert text in body, f"{text!r} missing for {persona}"

    return check


def _grid_of_21(response: HttpResponse, p: Any, persona: str) -> None:
    assert _body(response).count('name="availability"') == 21  # 7 days × 3 blocks


def _still_screening(response: HttpResponse, p: Any, persona: str) -> None:
    # Refreshing the pool never skips screening.
    assert Enrolment.objects.get(pk=p.mentee_enrolment.pk).state == Enrolment.State.SCREENING


# --- Recruitment ----------------------------------------------------------------------------------------------


def _recruitment_shows_commitment(response: HttpResponse, p: Any, persona: str) -> None:
    body = _body(response)
    assert "Two hours a month" in body
    assert reverse("programmes:enrolment_apply", args=[p.programme.pk, "mentee"]) in body


def _closed(p: Any) -> None:
    _world(p)
    Recruitment.objects.filter(programme=p.programme).update(is_open=False)


def _closed_says_so(response: HttpResponse, p: Any, persona: str) -> None:
    assert "not taking applications" in _body(response)
    assert reverse("programmes:enrolment_apply", args=[p.programme.pk, "mentee"]) not in _body(response)


def _application_data(p: Any) -> dict[str, Any]:
    return {
        "goals": "Lead negotiations with key accounts",
        "availability": ["mon_morning", "tue_evening"],
        "languages": "id, en",
        "location": "Jakarta",
        "time_zone": "Asia/Jakarta",
        "comp-TOTAL_FORMS": "1",
        "comp-INITIAL_FORMS": "0",
        "comp-MIN_NUM_FORMS": "0",
        "comp-MAX_NUM_FORMS": "10",
        "comp-0-competency": str(p.competency.pk),
        "comp-0-current_level": "2",
        "comp-0-level": "4",
    }


def _applied(response: HttpResponse, p: Any, persona: str) -> None:
    user = p.all()[persona]
    if persona == "mentee":  # already a mentee here: told so, nothing written
        assert "already applied" in _body(response)
        assert Enrolment.objects.filter(programme=p.programme, person=user, role="mentee").count() == 1
        return
    enrolment = Enrolment.objects.get(programme=p.programme, person=user, role="mentee")
    assert enrolment.state == Enrolment.State.SCREENING
    assert enrolment.competencies.get().level == 4


CASES += [
    Case(
        name="programmes:recruitment",
        url=lambda p: reverse("programmes:recruitment", args=[p.programme.pk]),
        expect=everyone(OK),
        setup=_world,
        check=_recruitment_shows_commitment,
    ),
    Case(
        name="programmes:recruitment",
        url=lambda p: reverse("programmes:recruitment", args=[p.programme.pk]),
        expect=everyone(OK, outsider=NOT_FOUND),
        setup=_closed,
        check=_closed_says_so,
    ),
    Case(
        name="programmes:enrolment_apply",
        url=lambda p: reverse("programmes:enrolment_apply", args=[p.programme.pk, "mentee"]),
        expect=everyone(OK),
        setup=_world,
        check=_grid_of_21,
    ),
    Case(
        name="programmes:enrolment_apply",
        url=lambda p: reverse("programmes:enrolment_apply", args=[p.programme.pk, "mentee"]),
        method="post",
        data=_application_data,
        expect=everyone(REDIRECT, mentee=OK),
        setup=_world,
        check=_applied,
    ),
]


def _recruitment_saved(response: HttpResponse, p: Any, persona: str) -> None:
    assert Recruitment.objects.get(programme=p.programme).commitment == "One hour a week."


CASES += [
    Case(
        name="programmes:recruitment_edit",
        url=lambda p: reverse("programmes:recruitment_edit", args=[p.programme.pk]),
        expect=everyone(FORBIDDEN, outsider=NOT_FOUND, coordinator=OK, admin=OK, hr_analyst=OK),
        setup=_world,
        check=_contains("Two hours a month"),
    ),
    Case(
        name="programmes:recruitment_edit",
        url=lambda p: reverse("programmes:recruitment_edit", args=[p.programme.pk]),
        method="post",
        data=lambda p: {"is_open": "on", "commitment": "One hour a week.", "eligibility": "Sales"},
        expect=COORDINATORS_POST,
        setup=_world,
        check=_recruitment_saved,
    ),
]

# --- Applications -----------------------------------------------------------------------------------------------


def _lists_applicants(response: HttpResponse, p: Any, persona: str) -> None:
    body = _body(response)
    assert p.mentee.full_name in body
    assert "Joko Widodo" in body
    assert p.outsider.full_name not in body  # enrolled in the other programme only


def _shows_application(response: HttpResponse, p: Any, persona: str) -> None:
    body = _body(response)
    assert "Negotiation" in body
    assert "2 → 4" in body
    assert ("screening-form" in body) is False  # available, nothing to screen


def _edited(response: HttpResponse, p: Any, persona: str) -> None:
    assert Enrolment.objects.get(pk=p.mentee_enrolment.pk).goals == "Lead negotiations with key accounts"


def _ranked(response: HttpResponse, p: Any, persona: str) -> None:
    assert list(MentorPreference.objects.filter(mentee=p.mentee_enrolment).values_list("mentor_id", flat=True)) == [
        p.other_mentor.pk
    ]


def _withdrawn(response: HttpResponse, p: Any, persona: str) -> None:
    assert Enrolment.objects.get(pk=p.mentee_enrolment.pk).state == Enrolment.State.WITHDRAWN


def _screening(p: Any) -> None:
    _world(p)
    Enrolment.objects.filter(pk=p.mentee_enrolment.pk).update(state=Enrolment.State.SCREENING)


def _screened(response: HttpResponse, p: Any, persona: str) -> None:
    # Accepted, and every gate passes: straight into the pool.
    assert Enrolment.objects.get(pk=p.mentee_enrolment.pk).state == Enrolment.State.AVAILABLE


def _awaiting_manager(p: Any) -> None:
    _world(p)
    Enrolment.objects.filter(pk=p.mentee_enrolment.pk).update(
        state=Enrolment.State.APPLIED, manager_approval=Enrolment.ManagerApproval.PENDING
    )


def _approved(response: HttpResponse, p: Any, persona: str) -> None:
    enrolment = Enrolment.objects.get(pk=p.mentee_enrolment.pk)
    assert enrolment.state == Enrolment.State.SCREENING
    assert enrolment.approver_id == p.mentor.pk


def _application(name: str) -> Any:
    return lambda p: reverse(f"programmes:{name}", args=[p.programme.pk, p.mentee_enrolment.pk])


CASES += [
    Case(
        name="programmes:enrolment_list",
        url=lambda p: reverse("programmes:enrolment_list", args=[p.programme.pk]),
        expect=COORDINATORS,
        setup=_world,
        check=_lists_applicants,
    ),
    Case(
        name="programmes:enrolment_detail",
        url=_application("enrolment_detail"),
        expect=OWN_APPLICATION,
        setup=_world,
        check=_shows_application,
    ),
    Case(
        name="programmes:enrolment_edit",
        url=_application("enrolment_edit"),
        expect=OWN_ONLY,
        setup=_world,
        check=_contains("Negotiation", "availability-grid"),
    ),
    Case(
        name="programmes:enrolment_edit",
        url=_application("enrolment_edit"),
        method="post",
        data=_application_data,
        expect=OWN_ONLY_POST,
        setup=_world,
        check=_edited,
    ),
    Case(
        name="programmes:enrolment_preferences",
        url=_application("enrolment_preferences"),
        expect=OWN_ONLY,
        setup=_world,
        check=_contains("Joko Widodo"),
    ),
    Case(
        name="programmes:enrolment_preferences",
        url=_application("enrolment_preferences"),
        method="post",
        data=lambda p: {"rank_1": str(p.other_mentor.pk)},
        expect=OWN_ONLY_POST,
        setup=_world,
        check=_ranked,
    ),
    Case(
        name="programmes:enrolment_withdraw",
        url=_application("enrolment_withdraw"),
        method="post",
        data=lambda p: {"reason": "Moved to another role."},
        expect=everyone(NOT_FOUND, mentee=REDIRECT, coordinator=REDIRECT, admin=REDIRECT, hr_analyst=FORBIDDEN),
        setup=_world,
        check=_withdrawn,
    ),
    Case(
        name="programmes:enrolment_screen",
        url=_application("enrolment_screen"),
        method="post",
        data=lambda p: {"decision": "accept"},
        expect=everyone(NOT_FOUND, mentee=FORBIDDEN, coordinator=REDIRECT, admin=REDIRECT, hr_analyst=FORBIDDEN),
        setup=_screening,
        check=_screened,
    ),
    Case(
        name="programmes:enrolment_approval",
        url=_application("enrolment_approval"),
        expect=everyone(FORBIDDEN, outsider=NOT_FOUND, mentor=OK),
        setup=_awaiting_manager,
        check=_contains("approval-form", "Dewi Lestari"),
    ),
    Case(
        name="programmes:enrolment_approval",
        url=_application("enrolment_approval"),
        method="post",
        data=lambda p: {"decision": "approve"},
        expect=everyone(FORBIDDEN, outsider=NOT_FOUND, mentor=REDIRECT),
        setup=_awaiting_manager,
        check=_approved,
    ),
]

# --- Self-service ---------------------------------------------------------------------------------------------------


def _suggests_other_mentor(response: HttpResponse, p: Any, persona: str) -> None:
    body = _body(response)
    assert "Joko Widodo" in body
    # The mentor persona manages the mentee: the reporting-line rule keeps them out of the suggestions.
    assert p.mentor.full_name not in body


def _requested(response: HttpResponse, p: Any, persona: str) -> None:
    relationship = Relationship.objects.get(programme=p.programme, origin=Relationship.Origin.REQUEST)
    assert relationship.state == Relationship.State.PROPOSED
    assert set(relationship.members.values_list("enrolment_id", flat=True)) == {
        p.mentee_enrolment.pk,
        p.other_mentor.pk,
    }


CASES += [
    Case(
        name="programmes:mentor_suggestions",
        url=_application("mentor_suggestions"),
        expect=OWN_ONLY,
        setup=_world,
        check=_suggests_other_mentor,
    ),
    Case(
        name="programmes:mentor_request",
        url=lambda p: reverse(
            "programmes:mentor_request", args=[p.programme.pk, p.mentee_enrolment.pk, p.other_mentor.pk]
        ),
        method="post",
        expect=OWN_ONLY_POST,
        setup=_world,
        check=_requested,
    ),
]

# --- Matching -----------------------------------------------------------------------------------------------------


def _run_made(response: HttpResponse, p: Any, persona: str) -> None:
    """The click queued a background job (tests run no on-commit publish); the worker's run makes the pair."""
    from people.models import BackgroundJob
    from programmes.tasks import run_match_job

    job = BackgroundJob.objects.get(kind=BackgroundJob.Kind.MATCH_RUN, state=BackgroundJob.State.QUEUED)
    assert job.target == p.programme
    assert job.requested_by == p.all()[persona]
    run_match_job(job.pk)
    run = MatchRun.objects.get(programme=p.programme)
    proposal = run.proposals.get()
    assert (proposal.mentee_id, proposal.mentor_id) == (p.mentee_enrolment.pk, p.other_mentor.pk)
    assert "Negotiation" in proposal.explanation


def _settings_saved(response: HttpResponse, p: Any, persona: str) -> None:
    settings = MatchingSettings.objects.get(programme=p.programme)
    assert settings.weights["competency"] == 0.5
    assert settings.min_shared_hours == 3


def _settings_data(p: Any) -> dict[str, Any]:
    data = {f"weight_{name}": "0.1" for name in ("language", "goals", "availability", "preference", "timezone")}
    data |= {"weight_competency": "0.5", "weight_diversity": "0.1", "weight_attributes": "0.1"}
    data |= {"min_shared_hours": "3", "require_shared_language": "on", "objective": "maximise_matched"}
    return data


def _run_page(response: HttpResponse, p: Any, persona: str) -> None:
    body = _body(response)
    assert p.mentee.full_name in body
    assert "Joko Widodo" in body
    assert "both speak Bahasa Indonesia" in body


def _published(response: HttpResponse, p: Any, persona: str) -> None:
    assert MatchRun.objects.get(pk=p.run.pk).state == MatchRun.State.PUBLISHED
    relationship = MatchProposal.objects.get(pk=p.proposal.pk).relationship
    assert relationship is not None
    assert relationship.state == Relationship.State.PROPOSED


def _locked(response: HttpResponse, p: Any, persona: str) -> None:
    assert PairRule.objects.get(mentee=p.mentee_enrolment, mentor=p.other_mentor).kind == PairRule.Kind.LOCK
    assert MatchProposal.objects.get(pk=p.proposal.pk).locked


def _forbidden(response: HttpResponse, p: Any, persona: str) -> None:
    assert PairRule.objects.get(mentee=p.mentee_enrolment, mentor=p.other_mentor).kind == PairRule.Kind.FORBID
    assert not MatchProposal.objects.filter(pk=p.proposal.pk).exists()


def _with_rule(p: Any) -> None:
    _world(p)
    p.rule = PairRuleFactory(programme=p.programme, mentee=p.mentee_enrolment, mentor=p.other_mentor)


def _rule_gone(response: HttpResponse, p: Any, persona: str) -> None:
    assert not PairRule.objects.filter(pk=p.rule.pk).exists()


def _with_second_mentee(p: Any) -> None:
    """A run whose proposal can move to the other mentor (the mentor persona manages the mentee)."""
    _with_run(p)
    newcomer = PoolEnrolmentFactory(programme=p.programme, person=UserFactory(full_name="Putri Ayu"))
    EnrolmentCompetencyFactory(enrolment=newcomer, competency=p.competency, current_level=1, level=3)
    p.proposal.mentee, p.proposal.mentor = newcomer, p.other_mentor
    p.proposal.save()
    p.target = p.mentor_enrolment


def _reassigned(response: HttpResponse, p: Any, persona: str) -> None:
    proposal = MatchProposal.objects.get(pk=p.proposal.pk)
    assert proposal.mentor_id == p.mentor_enrolment.pk
    assert proposal.edited
    assert "Negotiation" in proposal.explanation


def _proposal_url(name: str) -> Any:
    return lambda p: reverse(f"programmes:{name}", args=[p.programme.pk, p.proposal.pk])


CASES += [
    Case(
        name="programmes:matching",
        url=lambda p: reverse("programmes:matching", args=[p.programme.pk]),
        expect=COORDINATORS,
        setup=_world,
        check=_contains("run-matcher"),
    ),
    Case(
        name="programmes:matching_pool_refresh",
        url=lambda p: reverse("programmes:matching_pool_refresh", args=[p.programme.pk]),
        method="post",
        expect=COORDINATORS_POST,
        setup=_screening,
        check=_still_screening,
    ),
    Case(
        name="programmes:matching_settings",
        url=lambda p: reverse("programmes:matching_settings", args=[p.programme.pk]),
        expect=COORDINATORS,
        setup=_world,
        check=_contains("weight_competency"),
    ),
    Case(
        name="programmes:matching_settings",
        url=lambda p: reverse("programmes:matching_settings", args=[p.programme.pk]),
        method="post",
        data=_settings_data,
        expect=COORDINATORS_POST,
        setup=_world,
        check=_settings_saved,
    ),
    Case(
        name="programmes:match_run_create",
        url=lambda p: reverse("programmes:match_run_create", args=[p.programme.pk]),
        method="post",
        expect=COORDINATORS_POST,
        setup=_world,
        check=_run_made,
    ),
    Case(
        name="programmes:mentor_search",
        url=lambda p: reverse("programmes:mentor_search", args=[p.programme.pk]) + "?q=joko",
        expect=COORDINATORS,
        setup=_world,
        check=_contains("Joko Widodo"),
    ),
    Case(
        name="programmes:match_run",
        url=lambda p: reverse("programmes:match_run", args=[p.programme.pk, p.run.pk]),
        expect=COORDINATORS,
        setup=_with_run,
        check=_run_page,
    ),
    Case(
        name="programmes:match_run_publish",
        url=lambda p: reverse("programmes:match_run_publish", args=[p.programme.pk, p.run.pk]),
        method="post",
        expect=COORDINATORS_POST,
        setup=_with_run,
        check=_published,
    ),
    Case(
        name="programmes:proposal_lock",
        url=_proposal_url("proposal_lock"),
        method="post",
        data=lambda p: {"locked": "1"},
        expect=COORDINATORS_POST,
        setup=_with_run,
        check=_locked,
    ),
    Case(
        name="programmes:proposal_forbid",
        url=_proposal_url("proposal_forbid"),
        method="post",
        expect=COORDINATORS_POST,
        setup=_with_run,
        check=_forbidden,
    ),
    Case(
        name="programmes:proposal_reassign",
        url=_proposal_url("proposal_reassign"),
        method="post",
        data=lambda p: {"mentor": str(p.target.pk)},
        expect=COORDINATORS_POST,
        setup=_with_second_mentee,
        check=_reassigned,
    ),
    Case(
        name="programmes:pair_rule_delete",
        url=lambda p: reverse("programmes:pair_rule_delete", args=[p.programme.pk, p.rule.pk]),
        method="post",
        expect=COORDINATORS_POST,
        setup=_with_rule,
        check=_rule_gone,
    ),
]


def _report(response: HttpResponse, p: Any, persona: str) -> None:
    body = _body(response)
    assert "Negotiation" in body
    # Aggregates only: no person's name on the report.
    assert p.mentee.full_name not in body
    assert "Joko Widodo" not in body


CASES += [
    Case(
        name="programmes:supply_demand",
        url=lambda p: reverse("programmes:supply_demand", args=[p.programme.pk]),
        expect=everyone(FORBIDDEN, outsider=NOT_FOUND, coordinator=OK, admin=OK, hr_analyst=OK),
        setup=_world,
        check=_report,
    ),
]

# --- Relationships ----------------------------------------------------------------------------------------------


def _relationship_page(response: HttpResponse, p: Any, persona: str) -> None:
    body = _body(response)
    assert p.mentee.full_name in body
    assert "both speak Bahasa Indonesia" in body
    assert ("respond-form" in body) == (persona in ("mentee", "mentor"))


def _answered(response: HttpResponse, p: Any, persona: str) -> None:
    mine = RelationshipMember.objects.get(relationship=p.relationship, enrolment__person=p.all()[persona])
    assert mine.response == RelationshipMember.Response.ACCEPTED


MEMBERS = everyone(NOT_FOUND, mentee=OK, mentor=OK, coordinator=OK, admin=OK, hr_analyst=FORBIDDEN)

CASES += [
    Case(
        name="programmes:relationship_detail",
        url=lambda p: reverse("programmes:relationship_detail", args=[p.programme.pk, p.relationship.pk]),
        expect=MEMBERS,
        setup=_with_relationship,
        check=_relationship_page,
    ),
    Case(
        name="programmes:relationship_respond",
        url=lambda p: reverse("programmes:relationship_respond", args=[p.programme.pk, p.relationship.pk]),
        method="post",
        data=lambda p: {"answer": "accept"},
        expect=everyone(
            NOT_FOUND, mentee=REDIRECT, mentor=REDIRECT, coordinator=FORBIDDEN, admin=FORBIDDEN, hr_analyst=FORBIDDEN
        ),
        setup=_with_relationship,
        check=_answered,
    ),
]


def _skip_anonymous(check: Any) -> Any:
    """Anonymous visitors are redirected to the login page; there is no effect to check."""

    def wrapped(response: HttpResponse, p: Any, persona: str) -> None:
        if persona != "anonymous":
            check(response, p, persona)

    return wrapped


for _case in CASES:
    if _case.check is not None:
        _case.check = _skip_anonymous(_case.check)


# --- Invitations ----------------------------------------------------------------------------------------------


def _recruiting(p: Any) -> None:
    Programme.objects.filter(pk=p.programme.pk).update(phase=Programme.Phase.IMPLEMENTATION)
    p.programme.refresh_from_db()
    RecruitmentFactory(programme=p.programme, is_open=True)


def _invited_mentee(p: Any) -> None:
    _recruiting(p)
    p.invitation = Invitation.objects.create(programme=p.programme, person=p.outsider, role="mentee")


def _invitations_page(response: HttpResponse, p: Any, persona: str) -> None:
    assert persona == "anonymous" or "Invite people" in response.content.decode()


def _invited_only_by_coordinators(response: HttpResponse, p: Any, persona: str) -> None:
    invited = Invitation.objects.filter(programme=p.programme, person=p.outsider).exists()
    assert invited is (persona in ("coordinator", "admin"))


def _opened_only_by_the_invited(response: HttpResponse, p: Any, persona: str) -> None:
    p.invitation.refresh_from_db()
    assert (p.invitation.opened_at is not None) is (persona == "outsider")


CASES += [
    Case(
        name="programmes:invitations",
        url=lambda p: reverse("programmes:invitations", args=[p.programme.pk]),
        expect=COORDINATORS,
        check=_invitations_page,
    ),
    Case(
        name="programmes:invitations",
        url=lambda p: reverse("programmes:invitations", args=[p.programme.pk]),
        method="post",
        data=lambda p: {"role": "mentee", "emails": p.outsider.email},
        setup=_recruiting,
        expect=COORDINATORS_POST,
        check=_invited_only_by_coordinators,
    ),
    Case(
        name="programmes:invitation_open",
        url=lambda p: reverse("programmes:invitation_open", args=[p.programme.pk, p.invitation.token]),
        setup=_invited_mentee,
        expect=everyone(REDIRECT),
        check=_opened_only_by_the_invited,
    ),
]


# --- A match run in the background: its progress fragment (people:job_progress), for the coordinators --------


def _with_job(p: Any) -> None:
    """The coordinator's match run, queued (tests run no on-commit publish, so it stays queued)."""
    from people.models import BackgroundJob
    from programmes.matching.services.jobs import match_run_start

    _world(p)
    p.job = BackgroundJob.objects.filter(kind="match_run").first() or match_run_start(
        actor=p.coordinator, programme=p.programme
    )


def _job_fragment(response: HttpResponse, p: Any, persona: str) -> None:
    if persona == "anonymous":
        return  # to the login page
    body = _body(response)
    assert 'data-testid="job-progress"' in body
    assert 'hx-trigger="every 1s"' in body


CASES += [
    Case(
        name="people:job_progress",
        url=lambda p: reverse("people:job_progress", args=[p.job.pk]),
        expect=COORDINATORS,
        setup=_with_job,
        check=_job_fragment,
    ),
]
