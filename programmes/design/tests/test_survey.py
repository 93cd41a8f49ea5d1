"""The needs-assessment survey: population, invitations, responses, the gap heatmap and adoption."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import Personas
from people.emails import email_render
from people.models import Competency, OrgUnit, User
from people.tests.factories import CompetencyFactory, OrgUnitFactory, UserFactory
from programmes.core.errors import DomainError, InvalidTransition
from programmes.core.selectors.programmes import survey_gap_heatmap, survey_population
from programmes.design.services.survey import (
    needs_survey_close,
    needs_survey_invite,
    survey_competencies_adopt,
    survey_response_submit,
)
from programmes.models import AuditEvent, NeedsSurvey, Notification, Programme, SurveyAnswer, SurveyInvitation
from programmes.tests.design_helpers import new_programme

pytestmark = pytest.mark.django_db


def _survey(programme: Programme, competencies: list[Competency], **rule: object) -> NeedsSurvey:
    units = rule.pop("units", [])
    survey = NeedsSurvey.objects.create(programme=programme, title="Sales skills", **rule)
    survey.competencies.set(competencies)
    survey.org_units.set(units)  # type: ignore[arg-type]
    return survey


def _answer(survey: NeedsSurvey, person: User, levels: dict[Competency, tuple[int, int]]) -> None:
    invitation = SurveyInvitation.objects.get(survey=survey, person=person)
    survey_response_submit(actor=person, invitation=invitation, answers={c.pk: pair for c, pair in levels.items()})


# --- population -------------------------------------------------------------------------------------------


def test_population_takes_sub_units_narrows_by_grade_and_adds_emails() -> None:
    sales = OrgUnitFactory(code="SALES")
    east = OrgUnitFactory(code="SALES-E", parent=sales)
    east_team = OrgUnitFactory(code="SALES-E1", parent=east)
    other = OrgUnitFactory(code="FIN")
    in_sub_sub = UserFactory(org_unit=east_team, grade=5)
    in_sales = UserFactory(org_unit=sales, grade=5)
    wrong_grade = UserFactory(org_unit=east, grade=9)
    elsewhere = UserFactory(org_unit=other, grade=5, email="named@example.co.id")
    UserFactory(org_unit=sales, grade=5, is_active=False)
    UserFactory(org_unit=sales, grade=5, left_date=datetime.date(2020, 1, 1))
    survey = _survey(new_programme(), [CompetencyFactory()], units=[sales], grades=[4, 5], emails="Named@example.co.id")
    assert set(survey_population(survey=survey)) == {in_sub_sub, in_sales, elsewhere}
    assert wrong_grade not in survey_population(survey=survey)


def test_grades_alone_select_across_the_organisation() -> None:
    a, b = UserFactory(grade=3), UserFactory(grade=3)
    UserFactory(grade=4)
    survey = _survey(new_programme(), [CompetencyFactory()], grades=[3])
    assert set(survey_population(survey=survey)) == {a, b}


def test_survey_form_refuses_unknown_emails_and_an_empty_population(client: Client) -> None:
    coordinator = UserFactory()
    programme = new_programme(coordinator)
    competency = CompetencyFactory()
    client.force_login(coordinator)
    url = reverse("programmes:surveys", args=[programme.pk])
    response = client.post(url, {"title": "S", "competencies": [competency.pk], "emails": "ghost@example.co.id"})
    assert "ghost@example.co.id" in str(response.context["form"].errors["emails"])
    response = client.post(url, {"title": "S", "competencies": [competency.pk]})
    assert "Choose who to ask" in str(response.context["form"].non_field_errors())
    response = client.post(url, {"title": "S", "competencies": [competency.pk], "grades_text": "four"})
    assert "whole numbers" in str(response.context["form"].errors["grades_text"])
    assert not NeedsSurvey.objects.exists()


# --- invitations ------------------------------------------------------------------------------------------


def test_invite_opens_the_survey_and_notifies_each_invitee_once() -> None:
    unit = OrgUnitFactory(code="OPS")
    people = [UserFactory(org_unit=unit) for _ in range(3)]
    coordinator = UserFactory()
    survey = _survey(new_programme(coordinator), [CompetencyFactory()], units=[unit])
    assert needs_survey_invite(actor=coordinator, survey=survey) == 3
    survey.refresh_from_db()
    assert survey.state == NeedsSurvey.State.OPEN
    notes = Notification.objects.filter(kind="survey_invite")
    assert sorted(n.recipient_id for n in notes) == sorted(p.pk for p in people)
    invitation = SurveyInvitation.objects.get(survey=survey, person=people[0])
    note = notes.get(recipient=people[0])
    assert note.url == reverse("programmes:survey_respond", args=[invitation.pk])
    assert note.dedupe_key == f"survey-invite:{survey.pk}:{people[0].pk}"
    # Again: nobody new, nothing sent twice; a newcomer to the unit is asked.
    assert needs_survey_invite(actor=coordinator, survey=survey) == 0
    newcomer = UserFactory(org_unit=unit)
    assert needs_survey_invite(actor=coordinator, survey=survey) == 1
    assert Notification.objects.filter(kind="survey_invite").count() == 4
    assert Notification.objects.filter(kind="survey_invite", recipient=newcomer).exists()
    ct = ContentType.objects.get_for_model(NeedsSurvey)
    assert list(AuditEvent.objects.filter(content_type=ct).values_list("to_state", flat=True)) == ["open"]


def test_invite_with_nobody_in_the_population_says_so() -> None:
    survey = _survey(new_programme(), [CompetencyFactory()], grades=[42])
    with pytest.raises(DomainError, match="No active person"):
        needs_survey_invite(actor=UserFactory(), survey=survey)
    survey.refresh_from_db()
    assert survey.state == NeedsSurvey.State.DRAFT


def test_a_closed_survey_invites_nobody() -> None:
    survey = _survey(new_programme(), [CompetencyFactory()], grades=[5], state=NeedsSurvey.State.CLOSED)
    UserFactory(grade=5)
    with pytest.raises(InvalidTransition):
        needs_survey_invite(actor=UserFactory(), survey=survey)
    assert not SurveyInvitation.objects.exists()


def test_the_invitation_renders_in_app_and_as_an_email(client: Client) -> None:
    person = UserFactory(grade=5, full_name="Wayan Sudirta")
    survey = _survey(new_programme(), [CompetencyFactory()], grades=[5], closes_on=datetime.date(2026, 12, 31))
    needs_survey_invite(actor=UserFactory(), survey=survey)
    note = Notification.objects.get(recipient=person)
    email = email_render(
        "survey_invite",
        {"c": note.context, "notification": note, "link": "https://example.test" + note.url, "recipient": person},
        language="en",
    )
    assert "Sales skills" in email.subject
    assert "Hello Wayan" in email.text
    assert "https://example.test" + note.url in email.html
    client.force_login(person)
    body = client.get(reverse("programmes:notifications")).content.decode()
    assert "Please answer the needs survey" in body


# --- responses --------------------------------------------------------------------------------------------


def test_invitee_answers_and_can_change_answers_while_open(client: Client) -> None:
    person = UserFactory(grade=5)
    a, b = CompetencyFactory(name="Coaching"), CompetencyFactory(name="Negotiation")
    survey = _survey(new_programme(), [a, b], grades=[5])
    needs_survey_invite(actor=UserFactory(), survey=survey)
    invitation = SurveyInvitation.objects.get(person=person)
    client.force_login(person)
    url = reverse("programmes:survey_respond", args=[invitation.pk])
    assert "Negotiation" in client.get(url).content.decode()
    client.post(url, {f"current_{a.pk}": 2, f"needed_{a.pk}": 4, f"current_{b.pk}": 3, f"needed_{b.pk}": 3})
    client.post(url, {f"current_{a.pk}": 1, f"needed_{a.pk}": 5, f"current_{b.pk}": 3, f"needed_{b.pk}": 3})
    answers = dict(SurveyAnswer.objects.filter(invitation=invitation).values_list("competency_id", "needed_level"))
    assert answers == {a.pk: 5, b.pk: 3}
    invitation.refresh_from_db()
    assert invitation.state == SurveyInvitation.State.RESPONDED
    ct = ContentType.objects.get_for_model(SurveyInvitation)
    assert AuditEvent.objects.filter(content_type=ct, object_id=invitation.pk).count() == 1


def test_an_incomplete_response_is_refused_and_saves_nothing(client: Client) -> None:
    person = UserFactory(grade=5)
    a, b = CompetencyFactory(), CompetencyFactory()
    survey = _survey(new_programme(), [a, b], grades=[5])
    needs_survey_invite(actor=UserFactory(), survey=survey)
    invitation = SurveyInvitation.objects.get(person=person)
    client.force_login(person)
    response = client.post(
        reverse("programmes:survey_respond", args=[invitation.pk]), {f"current_{a.pk}": 2, f"needed_{a.pk}": 9}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {f"needed_{a.pk}", f"current_{b.pk}", f"needed_{b.pk}"}
    assert not SurveyAnswer.objects.exists()


def test_nobody_answers_someone_elses_invitation(client: Client, personas: Personas) -> None:
    person = UserFactory(grade=5)
    survey = _survey(personas.programme, [CompetencyFactory()], grades=[5])
    needs_survey_invite(actor=personas.coordinator, survey=survey)
    invitation = SurveyInvitation.objects.get(person=person)
    client.force_login(personas.coordinator)
    assert client.get(reverse("programmes:survey_respond", args=[invitation.pk])).status_code == 404
    with pytest.raises(DomainError):
        survey_response_submit(actor=personas.coordinator, invitation=invitation, answers={})


def test_the_response_page_closes_with_the_survey(client: Client) -> None:
    person = UserFactory(grade=5)
    competency = CompetencyFactory()
    survey = _survey(new_programme(), [competency], grades=[5])
    needs_survey_invite(actor=UserFactory(), survey=survey)
    needs_survey_close(actor=UserFactory(), survey=survey)
    invitation = SurveyInvitation.objects.get(person=person)
    client.force_login(person)
    url = reverse("programmes:survey_respond", args=[invitation.pk])
    assert 'data-testid="survey-closed"' in client.get(url).content.decode()
    response = client.post(url, {f"current_{competency.pk}": 1, f"needed_{competency.pk}": 5}, follow=True)
    assert "has closed" in response.content.decode()
    assert not SurveyAnswer.objects.exists()


def test_a_passed_closing_date_stops_answers_even_before_the_coordinator_closes() -> None:
    person = UserFactory(grade=5)
    competency = CompetencyFactory()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    survey = _survey(new_programme(), [competency], grades=[5], closes_on=yesterday)
    needs_survey_invite(actor=UserFactory(), survey=survey)
    with pytest.raises(DomainError, match="closed"):
        _answer(survey, person, {competency: (1, 5)})


# --- heatmap, ranking, adoption ----------------------------------------------------------------------------


def _answered_survey(per_unit: dict[str, int], competencies: list[Competency], gap: dict[str, int]) -> NeedsSurvey:
    """`per_unit[code]` people in each unit answer every competency with current 2 and needed 2 + gap[code]."""
    units = {code: OrgUnitFactory(code=code, name=code.title()) for code in per_unit}
    people = {code: [UserFactory(org_unit=units[code]) for _ in range(n)] for code, n in per_unit.items()}
    survey = _survey(new_programme(), competencies, units=list(units.values()))
    needs_survey_invite(actor=UserFactory(), survey=survey)
    for code, members in people.items():
        for person in members:
            _answer(survey, person, dict.fromkeys(competencies, (2, 2 + gap[code])))
    return survey


def test_heatmap_shows_mean_gap_and_n_per_unit_and_suppresses_small_cells() -> None:
    coaching = CompetencyFactory(name="Coaching")
    survey = _answered_survey({"EAST": 6, "WEST": 4, "NORTH": 5}, [coaching], {"EAST": 2, "WEST": 1, "NORTH": 0})
    heatmap = survey_gap_heatmap(survey=survey)
    rows = {row.unit_name: row.cells[0] for row in heatmap.rows}
    assert (rows["East"].n, rows["East"].mean_gap, rows["East"].css_class) == (6, 2.0, "heat-4")
    assert rows["West"].suppressed
    assert rows["West"].css_class == "heat-suppressed"
    # North (5) is hidden too: otherwise total − East − North would be West's total gap (issue 12).
    assert rows["North"].suppressed
    assert rows["North"].withheld
    [ranked] = heatmap.ranking
    assert (ranked.n, ranked.total_gap, ranked.suppressed) == (15, 16, False)


def test_the_ranking_total_no_longer_gives_away_a_hidden_cell_by_subtraction() -> None:
    """The attack: total gap − the shown cells' gaps = the hidden unit's gap. Now the hidden cells together
    always hold at least 5 people, so the subtraction yields only a sum over 5 or more."""
    coaching, listening = CompetencyFactory(name="Coaching"), CompetencyFactory(name="Listening")
    survey = _answered_survey(
        {"EAST": 6, "WEST": 2, "NORTH": 9, "SOUTH": 1},
        [coaching, listening],
        {"EAST": 2, "WEST": 3, "NORTH": 1, "SOUTH": 0},
    )
    heatmap = survey_gap_heatmap(survey=survey)
    for column, ranked in enumerate(sorted(heatmap.ranking, key=lambda r: r.competency.name)):
        cells = [row.cells[column] for row in heatmap.rows]
        shown = [c for c in cells if c.n and not c.suppressed]
        hidden_n = ranked.n - sum(c.n for c in shown)
        assert hidden_n == 0 or hidden_n >= 5
        assert not any(c.n and not c.suppressed and c.n < 5 for c in cells)


def test_heatmap_page_never_shows_a_suppressed_value(client: Client) -> None:
    coaching = CompetencyFactory(name="Coaching")
    survey = _answered_survey({"EAST": 5, "WEST": 4, "NORTH": 6}, [coaching], {"EAST": 1, "WEST": 3, "NORTH": 2})
    coordinator = survey.programme.staff_roles.get().user
    client.force_login(coordinator)
    body = client.get(reverse("programmes:survey_results", args=[survey.programme.pk, survey.pk])).content.decode()
    assert "(n=6)" in body
    assert "fewer than 5" in body
    assert "(n=4)" not in body
    assert "(n=5)" not in body  # East is the complementary cell: shown, it would give West away
    assert ">3.0<" not in body  # West's mean gap
    assert "style=" not in body.split("<main", 1)[-1]  # colours come from classes (CSP forbids inline styles)


def test_ranking_orders_competencies_by_total_gap() -> None:
    big, small = CompetencyFactory(name="Big gap"), CompetencyFactory(name="Small gap")
    unit = OrgUnitFactory(code="ALL")
    people = [UserFactory(org_unit=unit) for _ in range(5)]
    survey = _survey(new_programme(), [small, big], units=[unit])
    needs_survey_invite(actor=UserFactory(), survey=survey)
    for person in people:
        _answer(survey, person, {big: (1, 5), small: (3, 4)})
    ranking = survey_gap_heatmap(survey=survey).ranking
    assert [(r.competency.name, r.total_gap, r.mean_gap) for r in ranking] == [
        ("Big gap", 20, 4.0),
        ("Small gap", 5, 1.0),
    ]


@pytest.mark.parametrize("respondents", [5, 40])
def test_heatmap_queries_do_not_grow_with_responses(
    client: Client, django_assert_max_num_queries: object, respondents: int
) -> None:
    competencies = [CompetencyFactory() for _ in range(3)]
    survey = _answered_survey(
        {"EAST": respondents, "WEST": respondents, "NORTH": 2}, competencies, {"EAST": 1, "WEST": 2, "NORTH": 0}
    )
    coordinator = survey.programme.staff_roles.get().user
    client.force_login(coordinator)
    url = reverse("programmes:survey_results", args=[survey.programme.pk, survey.pk])
    client.get(url)
    with django_assert_max_num_queries(14):  # type: ignore[operator]
        response = client.get(url)
    assert response.context["heatmap"].respondents == 2 * respondents + 2


def test_coordinator_adopts_ranked_competencies_as_targets(client: Client) -> None:
    a, b = CompetencyFactory(name="Coaching"), CompetencyFactory(name="Negotiation")
    survey = _answered_survey({"EAST": 5}, [a, b], {"EAST": 2})
    coordinator = survey.programme.staff_roles.get().user
    client.force_login(coordinator)
    client.post(reverse("programmes:survey_adopt", args=[survey.programme.pk, survey.pk]), {"competencies": [b.pk]})
    assert list(survey.programme.target_competencies.all()) == [b]


def test_only_the_surveys_competencies_can_be_adopted_from_it() -> None:
    a = CompetencyFactory()
    survey = _survey(new_programme(), [a], grades=[5])
    with pytest.raises(DomainError):
        survey_competencies_adopt(actor=UserFactory(), survey=survey, competency_ids=[CompetencyFactory().pk])
    with pytest.raises(DomainError):
        survey_competencies_adopt(actor=UserFactory(), survey=survey, competency_ids=[])
    assert not survey.programme.target_competencies.exists()


def test_the_draft_survey_can_be_edited_but_not_after_invitations(client: Client) -> None:
    coordinator = UserFactory()
    programme = new_programme(coordinator)
    competency = CompetencyFactory()
    UserFactory(grade=5)
    survey = _survey(programme, [competency], grades=[5])
    client.force_login(coordinator)
    url = reverse("programmes:survey_detail", args=[programme.pk, survey.pk])
    data = {"title": "Renamed", "competencies": [competency.pk], "grades_text": "5"}
    client.post(url, data)
    survey.refresh_from_db()
    assert survey.title == "Renamed"
    needs_survey_invite(actor=coordinator, survey=survey)
    response = client.post(url, {**data, "title": "Too late"}, follow=True)
    assert "can no longer change" in response.content.decode()
    survey.refresh_from_db()
    assert survey.title == "Renamed"


def test_survey_population_counts_on_the_detail_page(client: Client) -> None:
    coordinator = UserFactory()
    programme = new_programme(coordinator)
    unit = OrgUnit.objects.create(code="HR", name="HR")
    for _ in range(3):
        UserFactory(org_unit=unit)
    survey = _survey(programme, [CompetencyFactory()], units=[unit])
    client.force_login(coordinator)
    response = client.get(reverse("programmes:survey_detail", args=[programme.pk, survey.pk]))
    assert response.context["population"] == 3


def test_a_division_survey_reports_by_department_with_teams_rolled_up() -> None:
    division = OrgUnitFactory(code="SAL", name="Sales")
    department = OrgUnitFactory(code="SAL-KA", name="Key Accounts", parent=division)
    team = OrgUnitFactory(code="SAL-KA-1", name="Key Accounts Jakarta 1", parent=department)
    in_team, in_division = UserFactory(org_unit=team), UserFactory(org_unit=division)
    survey = _survey(new_programme(), [CompetencyFactory()], units=[division])
    needs_survey_invite(actor=UserFactory(), survey=survey)
    units = dict(SurveyInvitation.objects.values_list("person_id", "org_unit_id"))
    assert units == {in_team.pk: department.pk, in_division.pk: division.pk}
