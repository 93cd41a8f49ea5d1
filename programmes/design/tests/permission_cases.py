"""Permission cases for the programme design pages (collected by mentoring/tests/test_permission_matrix.py).

Coordinators of the programme (and site admins) write; HR analysts read (GET 200, POST 403);
participants read the programme page but get 403 on the design pages; everyone else gets 404.
Every POST case's check asserts the effect for the writers and no effect for anyone else;
test_design.py also runs those checks after the refused (403/404) requests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpResponse
from django.urls import reverse

from mentoring.tests.matrix import FORBIDDEN, NOT_FOUND, OK, REDIRECT, Case, everyone
from people.models import OrgUnit, User
from people.tests.factories import CompetencyFactory, UserFactory
from programmes.models import (
    BusinessGoal,
    NeedsSurvey,
    Programme,
    ProgrammeRole,
    ReadinessAssessment,
    SurveyAnswer,
    SurveyInvitation,
    format_defaults,
)

WRITERS = ("coordinator", "admin")
READERS = ("coordinator", "hr_analyst", "admin")
CREATORS = ("coordinator", "hr_analyst", "admin")
GOAL = "Shorten the sales cycle"
SURVEY = "Sales skills 2026"

READ = everyone(NOT_FOUND, mentee=FORBIDDEN, mentor=FORBIDDEN, coordinator=OK, hr_analyst=OK, admin=OK)
WRITE = everyone(
    NOT_FOUND, mentee=FORBIDDEN, mentor=FORBIDDEN, hr_analyst=FORBIDDEN, coordinator=REDIRECT, admin=REDIRECT
)

Check = Callable[[HttpResponse, Any, str], None]


def _url(name: str, *extra: Callable[[Any], int]) -> Callable[[Any], str]:
    return lambda p: reverse(f"programmes:{name}", args=[p.programme.pk, *(f(p) for f in extra)])


def _programme(p: Any) -> Programme:
    return Programme.objects.get(pk=p.programme.pk)


# --- set-ups ----------------------------------------------------------------------------------------------


def _goal(p: Any) -> BusinessGoal:
    goal, _ = BusinessGoal.objects.get_or_create(programme=p.programme, statement=GOAL)
    return goal


def _competency(p: Any) -> int:
    return CompetencyFactory(code="NEGOT", name="Negotiation").pk


def _survey(p: Any, state: str = NeedsSurvey.State.DRAFT) -> NeedsSurvey:
    survey = NeedsSurvey.objects.filter(programme=p.programme, title=SURVEY).first()
    if survey is None:
        survey = NeedsSurvey.objects.create(programme=p.programme, title=SURVEY, state=state)
        survey.competencies.add(_competency(p))
        survey.org_units.add(OrgUnit.objects.get(code="SALES"))
    return survey


def _open_survey_with_mentee_invited(p: Any) -> None:
    survey = _survey(p, NeedsSurvey.State.OPEN)
    SurveyInvitation.objects.get_or_create(survey=survey, person=p.mentee)


def _invitation(p: Any) -> int:
    return SurveyInvitation.objects.get(survey__title=SURVEY, person=p.mentee).pk


def _person(email: str) -> User:
    return User.objects.filter(email=email).first() or UserFactory(email=email)


def _second_coordinator(p: Any) -> ProgrammeRole:
    person = _person("second@example.co.id")
    role, _ = ProgrammeRole.objects.get_or_create(
        programme=p.programme, user=person, role=ProgrammeRole.Role.COORDINATOR
    )
    return role


def _set_phase(phase: str, before: str = "") -> Callable[[Any], None]:
    return lambda p: Programme.objects.filter(pk=p.programme.pk).update(phase=phase, phase_before_hold=before)


# --- checks -----------------------------------------------------------------------------------------------


def _body_shows(text: str, readers: tuple[str, ...] = READERS) -> Check:
    def check(response: HttpResponse, p: Any, persona: str) -> None:
        if persona in readers:
            assert text in response.content.decode()

    return check


def _effect(test: Callable[[Any], bool], writers: tuple[str, ...] = WRITERS) -> Check:
    """The change happened exactly when the persona may make it."""

    def check(response: HttpResponse, p: Any, persona: str) -> None:
        assert test(p) == (persona in writers), f"effect for {persona}"

    return check


def _detail_check(response: HttpResponse, p: Any, persona: str) -> None:
    if persona == "anonymous":
        return
    body = response.content.decode()
    assert "phase-stepper" in body
    team_link = reverse("programmes:team", args=[p.programme.pk])
    assert (team_link in body) == (persona in READERS), "only staff see the design overview"
    assert ('data-testid="blockers"' in body) == (persona in READERS)


def _list_check(response: HttpResponse, p: Any, persona: str) -> None:
    if persona == "anonymous":
        return
    names = [programme.name for programme in response.context["programmes"]]
    assert (p.programme.name in names) == (persona != "outsider")
    assert (reverse("programmes:create") in response.content.decode()) == (persona in CREATORS)


def _policy_data(p: Any) -> dict[str, Any]:
    return {"format": "one_to_one", **format_defaults("one_to_one"), "term_months": 9}


def _readiness_data(p: Any) -> dict[str, Any]:
    return {
        "items-TOTAL_FORMS": 1,
        "items-INITIAL_FORMS": 0,
        "items-0-name": "Executive sponsorship",
        "items-0-score": 4,
        "decision": "go",
    }


def _survey_data(p: Any) -> dict[str, Any]:
    return {"title": "Matrix survey", "competencies": [_competency(p)], "grades_text": "4, 5"}


# --- cases -------------------------------------------------------------------------------------------------

CASES: list[Case] = [
    Case(name="programmes:list", url=lambda p: reverse("programmes:list"), expect=everyone(OK), check=_list_check),
    Case(
        name="programmes:detail",
        url=lambda p: p.programme.get_absolute_url(),
        expect=everyone(NOT_FOUND, mentee=OK, mentor=OK, coordinator=OK, hr_analyst=OK, admin=OK),
        check=_detail_check,
    ),
    Case(
        name="programmes:create",
        url=lambda p: reverse("programmes:create"),
        expect=everyone(FORBIDDEN, coordinator=OK, hr_analyst=OK, admin=OK),
        check=_body_shows('name="name"', CREATORS),
    ),
    Case(
        name="programmes:create",
        url=lambda p: reverse("programmes:create"),
        method="post",
        data=lambda p: {"name": "Matrix programme", "format": "one_to_one"},
        expect=everyone(FORBIDDEN, coordinator=REDIRECT, hr_analyst=REDIRECT, admin=REDIRECT),
        check=_effect(
            lambda p: ProgrammeRole.objects.filter(programme__name="Matrix programme", role="coordinator").exists(),
            CREATORS,
        ),
    ),
    # Lifecycle moves: planning → design has no guard of its own, so the effect shows the gate alone.
    Case(
        name="programmes:advance",
        url=_url("advance"),
        method="post",
        setup=_set_phase(Programme.Phase.PLANNING),
        expect=WRITE,
        check=_effect(lambda p: _programme(p).phase == Programme.Phase.DESIGN),
    ),
    Case(
        name="programmes:hold",
        url=_url("hold"),
        method="post",
        data=lambda p: {"reason": "Budget freeze"},
        expect=WRITE,
        check=_effect(lambda p: _programme(p).phase == Programme.Phase.ON_HOLD),
    ),
    Case(
        name="programmes:resume",
        url=_url("resume"),
        method="post",
        setup=_set_phase(Programme.Phase.ON_HOLD, Programme.Phase.PLANNING),
        expect=WRITE,
        check=_effect(lambda p: _programme(p).phase == Programme.Phase.PLANNING),
    ),
    Case(
        name="programmes:cancel",
        url=_url("cancel"),
        method="post",
        data=lambda p: {"reason": "Merged"},
        expect=WRITE,
        check=_effect(lambda p: _programme(p).phase == Programme.Phase.CANCELLED),
    ),
    # Team
    Case(name="programmes:team", url=_url("team"), expect=READ, check=_body_shows("Sari Wulandari")),
    Case(
        name="programmes:team_add",
        url=_url("team_add"),
        method="post",
        setup=lambda p: _person("newcomer@example.co.id"),
        data=lambda p: {"person": User.objects.get(email="newcomer@example.co.id").pk, "role": "coordinator"},
        expect=WRITE,
        check=_effect(lambda p: ProgrammeRole.objects.filter(user__email="newcomer@example.co.id").exists()),
    ),
    Case(
        name="programmes:person_search",
        url=lambda p: reverse("programmes:person_search", args=[p.programme.pk]) + "?q=newcomer",
        setup=lambda p: _person("newcomer@example.co.id"),
        expect=everyone(NOT_FOUND, mentee=FORBIDDEN, mentor=FORBIDDEN, hr_analyst=FORBIDDEN, coordinator=OK, admin=OK),
        check=_body_shows('data-value="newcomer@example.co.id"', readers=WRITERS),
    ),
    Case(
        name="programmes:team_remove",
        url=lambda p: reverse(
            "programmes:team_remove",
            args=[p.programme.pk, ProgrammeRole.objects.get(user__email="second@example.co.id").pk],
        ),
        method="post",
        setup=_second_coordinator,
        expect=WRITE,
        check=_effect(lambda p: not ProgrammeRole.objects.filter(user__email="second@example.co.id").exists()),
    ),
    # Policies
    Case(name="programmes:policies", url=_url("policies"), expect=READ, check=_body_shows("without blame")),
    Case(
        name="programmes:policies",
        url=_url("policies"),
        method="post",
        data=_policy_data,
        expect=WRITE,
        check=_effect(lambda p: _programme(p).term_months == 9),
    ),
    # Goals
    Case(name="programmes:goals", url=_url("goals"), setup=_goal, expect=READ, check=_body_shows(GOAL)),
    Case(
        name="programmes:goals",
        url=_url("goals"),
        method="post",
        data=lambda p: {"statement": "Grow win rate", "priority": 1, "owner": p.mentor.email},
        expect=WRITE,
        check=_effect(lambda p: BusinessGoal.objects.filter(statement="Grow win rate", owner=p.mentor).exists()),
    ),
    Case(
        name="programmes:goal_edit",
        url=_url("goal_edit", lambda p: _goal(p).pk),
        expect=READ,
        check=_body_shows(GOAL),
    ),
    Case(
        name="programmes:goal_edit",
        url=_url("goal_edit", lambda p: _goal(p).pk),
        method="post",
        data=lambda p: {"statement": "Edited goal", "priority": 2, "owner": p.coordinator.email},
        expect=WRITE,
        check=_effect(lambda p: BusinessGoal.objects.filter(statement="Edited goal").exists()),
    ),
    Case(
        name="programmes:goal_delete",
        url=_url("goal_delete", lambda p: _goal(p).pk),
        method="post",
        setup=_goal,
        expect=WRITE,
        check=_effect(lambda p: not BusinessGoal.objects.filter(statement=GOAL).exists()),
    ),
    # Readiness
    Case(
        name="programmes:readiness",
        url=_url("readiness"),
        expect=READ,
        check=_body_shows("Time released for mentoring"),
    ),
    Case(
        name="programmes:readiness",
        url=_url("readiness"),
        method="post",
        data=_readiness_data,
        expect=WRITE,
        check=_effect(lambda p: ReadinessAssessment.objects.filter(programme=p.programme, decision="go").exists()),
    ),
    # Needs survey
    Case(name="programmes:surveys", url=_url("surveys"), setup=_survey, expect=READ, check=_body_shows(SURVEY)),
    Case(
        name="programmes:surveys",
        url=_url("surveys"),
        method="post",
        data=_survey_data,
        expect=WRITE,
        check=_effect(lambda p: NeedsSurvey.objects.filter(title="Matrix survey", grades=[4, 5]).exists()),
    ),
    Case(
        name="programmes:survey_detail",
        url=_url("survey_detail", lambda p: _survey(p).pk),
        expect=READ,
        check=_body_shows(SURVEY),
    ),
    Case(
        name="programmes:survey_detail",
        url=_url("survey_detail", lambda p: _survey(p).pk),
        method="post",
        data=lambda p: {**_survey_data(p), "title": "Renamed survey"},
        expect=WRITE,
        check=_effect(lambda p: NeedsSurvey.objects.filter(title="Renamed survey").exists()),
    ),
    Case(
        name="programmes:survey_invite",
        url=_url("survey_invite", lambda p: _survey(p).pk),
        method="post",
        expect=WRITE,
        check=_effect(lambda p: SurveyInvitation.objects.filter(survey__title=SURVEY, person=p.mentee).exists()),
    ),
    Case(
        name="programmes:survey_close",
        url=_url("survey_close", lambda p: _survey(p, NeedsSurvey.State.OPEN).pk),
        method="post",
        expect=WRITE,
        check=_effect(lambda p: NeedsSurvey.objects.get(title=SURVEY).state == NeedsSurvey.State.CLOSED),
    ),
    Case(
        name="programmes:survey_results",
        url=_url("survey_results", lambda p: _survey(p, NeedsSurvey.State.OPEN).pk),
        expect=READ,
        check=_body_shows("Gap heatmap"),
    ),
    Case(
        name="programmes:survey_adopt",
        url=_url("survey_adopt", lambda p: _survey(p, NeedsSurvey.State.CLOSED).pk),
        method="post",
        data=lambda p: {"competencies": [_competency(p)]},
        expect=WRITE,
        check=_effect(lambda p: _programme(p).target_competencies.filter(code="NEGOT").exists()),
    ),
    # The response page belongs to the invitee alone: anyone else (site admins too) is out of scope.
    Case(
        name="programmes:survey_respond",
        url=lambda p: reverse("programmes:survey_respond", args=[_invitation(p)]),
        setup=_open_survey_with_mentee_invited,
        expect=everyone(NOT_FOUND, mentee=OK),
        check=_body_shows("Negotiation", ("mentee",)),
    ),
    Case(
        name="programmes:survey_respond",
        url=lambda p: reverse("programmes:survey_respond", args=[_invitation(p)]),
        method="post",
        setup=_open_survey_with_mentee_invited,
        data=lambda p: {f"current_{_competency(p)}": 2, f"needed_{_competency(p)}": 4},
        expect=everyone(NOT_FOUND, mentee=REDIRECT),
        check=_effect(lambda p: SurveyAnswer.objects.filter(invitation__person=p.mentee).exists(), ("mentee",)),
    ),
]
