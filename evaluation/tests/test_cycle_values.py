"""A cycle's metric values (by file and by hand), questionnaires' editing, costs, the outcome cards and the
cross-programme report's scope."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from conftest import Personas
from evaluation.models import CostItem, EvaluationCycle, Instrument, InstrumentResponse, Observation, OutcomeResult
from evaluation.services.common import EvaluationError
from evaluation.services.costs import cost_item_add
from evaluation.services.instruments import instruments_ensure_defaults
from evaluation.services.observations import cycle_observation_import
from evaluation.services.results import outcome_results_compute
from evaluation.tests.factories import GoalFactory, MetricFactory
from evaluation.tests.outcome_helpers import make_cycle, outcomes, record
from people.tests.factories import UserFactory
from programmes.models import ProgrammeRole

pytestmark = pytest.mark.django_db
HEADER = "email,metric,value,period_end\n"


@pytest.fixture
def open_cycle(personas: Personas) -> EvaluationCycle:
    metric = MetricFactory(goal=GoalFactory(programme=personas.programme), name="Sales cycle length")
    record(metric, personas.mentee, "participant", 44.0, None)
    return make_cycle(personas.programme, kind="end", state="open")


def _upload(client: Client, cycle: EvaluationCycle, text: str) -> str:
    url = reverse("evaluation:cycle_observation_import", args=[cycle.programme_id, cycle.pk])
    file = SimpleUploadedFile("values.csv", text.encode(), content_type="text/csv")
    return client.post(url, {"file": file}, follow=True).content.decode()


def test_a_bad_values_file_lists_each_problem_by_row_and_writes_nothing(
    client: Client, personas: Personas, open_cycle: EvaluationCycle
) -> None:
    client.force_login(personas.coordinator)
    body = _upload(
        client,
        open_cycle,
        HEADER
        + f"{personas.mentee.email},Sales cycle length,38,2026-03-31\n"
        + "nobody@example.co.id,Sales cycle length,38,2026-03-31\n"
        + f"{personas.mentor.email},Sales cycle length,fast,2026-03-31\n"
        + f"{personas.outsider.email},Win rate,1,2099-01-01\n",
    )
    assert "Row 3:" in body
    assert "No one in the people directory has the e-mail nobody@example.co.id" in body
    assert "Row 4:" in body
    assert "not a number" in body
    assert "Row 5:" in body
    assert "in the future" in body
    assert not Observation.objects.filter(cycle=open_cycle).exists()


def test_importing_the_same_values_twice_changes_nothing_and_a_change_updates(
    personas: Personas, open_cycle: EvaluationCycle
) -> None:
    data = (HEADER + f"{personas.mentee.email},Sales cycle length,38,2026-03-31\n").encode()
    first = cycle_observation_import(actor=personas.coordinator, cycle=open_cycle, data=data)
    again = cycle_observation_import(actor=personas.coordinator, cycle=open_cycle, data=data)
    changed = cycle_observation_import(
        actor=personas.coordinator, cycle=open_cycle, data=data.replace(b",38,", b",36,")
    )
    assert (first.created, again.unchanged, changed.updated) == (1, 1, 1)
    observation = Observation.objects.get(cycle=open_cycle)
    assert observation.value == 36
    assert observation.period_kind == "cycle"
    assert Observation.objects.filter(person=personas.mentee, period_kind="baseline").get().value == 44


@pytest.mark.parametrize(("kind", "state"), [("end", "planned"), ("end", "reported"), ("baseline", "open")])
def test_values_are_refused_before_a_cycle_opens_once_it_is_reported_and_for_the_baseline(
    personas: Personas, kind: str, state: str
) -> None:
    MetricFactory(goal=GoalFactory(programme=personas.programme), name="Sales cycle length")
    cycle = make_cycle(personas.programme, kind=kind, state=state)
    data = (HEADER + f"{personas.mentee.email},Sales cycle length,38,2026-03-31\n").encode()
    with pytest.raises(EvaluationError):
        cycle_observation_import(actor=personas.coordinator, cycle=cycle, data=data)
    assert not Observation.objects.filter(cycle=cycle).exists()


def test_a_value_entered_by_hand_marks_the_current_result_stale(client: Client, personas: Personas) -> None:
    o = outcomes(programme=personas.programme, mentored=6, comparison=6)
    outcome_results_compute(programme=o.programme)
    client.force_login(personas.coordinator)
    prefix = f"m{o.metric.pk}"
    url = reverse("evaluation:cycle_observation_add", args=[o.programme.pk, o.cycle.pk, o.metric.pk])
    data = {f"{prefix}-email": o.mentored[0].email, f"{prefix}-value": "12", f"{prefix}-period_end": "2026-03-31"}
    assert client.post(url, data).status_code == 302
    assert OutcomeResult.objects.get().stale
    page = client.get(reverse("evaluation:report", args=[o.programme.pk])).content.decode()
    assert "new data: being recomputed" in page


def test_hr_analysts_read_the_cycles_summary_but_never_download_single_values(
    client: Client, personas: Personas, open_cycle: EvaluationCycle
) -> None:
    client.force_login(personas.hr_analyst)
    args = [personas.programme.pk, open_cycle.pk]
    page = client.get(reverse("evaluation:cycle_observations", args=args))
    assert page.status_code == 200
    assert "values/import/" not in page.content.decode()
    assert client.get(reverse("evaluation:cycle_observation_template", args=args)).status_code == 403


def test_a_questionnaire_changes_until_someone_answers_it(client: Client, personas: Personas) -> None:
    reaction = instruments_ensure_defaults(programme=personas.programme)["reaction"]
    client.force_login(personas.coordinator)
    url = reverse("evaluation:instrument_edit", args=[personas.programme.pk, reaction.pk])
    items = list(reaction.items.order_by("position"))
    data = {
        "name": "How is it going?",
        "intro": "Five quick questions.",
        "ask_mentee": "on",
        "items-TOTAL_FORMS": str(len(items) + 2),
        "items-INITIAL_FORMS": str(len(items)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for n, item in enumerate(items):
        data |= {
            f"items-{n}-id": str(item.pk),
            f"items-{n}-position": str(item.position),
            f"items-{n}-text": item.text,
            f"items-{n}-scale": item.scale,
        }
        if item.reverse_scored:
            data[f"items-{n}-reverse_scored"] = "on"
    data[f"items-{len(items)}-text"] = "My mentor listens."
    data[f"items-{len(items)}-scale"] = "satisfaction"
    data[f"items-{len(items)}-position"] = "9"
    data[f"items-{len(items) + 1}-position"] = "0"  # the untouched extra form, as the browser sends it
    assert client.post(url, data).status_code == 302
    reaction.refresh_from_db()
    assert reaction.name == "How is it going?"
    assert reaction.ask_mentor is False
    assert reaction.items.filter(text="My mentor listens.").exists()
    cycle = make_cycle(personas.programme, kind="pulse", state="open")
    InstrumentResponse.objects.create(
        cycle=cycle, instrument=reaction, respondent=personas.mentee, subject=personas.mentee, role="mentee",
        answered_at=cycle.created_at,
    )  # fmt: skip
    response = client.post(url, data | {"name": "Changed again"})
    assert response.status_code == 400
    assert "can no longer change" in response.content.decode()
    assert Instrument.objects.get(pk=reaction.pk).name == "How is it going?"


def test_a_new_cost_makes_the_results_stale_and_the_roi_follows(personas: Personas) -> None:
    o = outcomes(programme=personas.programme, mentored=10, comparison=10)
    o.metric.value_per_unit = Decimal("100")
    o.metric.save()
    cost_item_add(
        actor=personas.coordinator, programme=o.programme, category="other", description="Venue", amount=Decimal("5000")
    )
    outcome_results_compute(programme=o.programme)
    first = OutcomeResult.objects.get(superseded_at__isnull=True).figures["roi"]["costs"]
    cost_item_add(
        actor=personas.coordinator, programme=o.programme, category="other", description="Food", amount=Decimal("1000")
    )
    assert OutcomeResult.objects.get(superseded_at__isnull=True).stale
    outcome_results_compute(programme=o.programme)
    assert (first, OutcomeResult.objects.get(superseded_at__isnull=True).figures["roi"]["costs"]) == (5000, 6000)
    with pytest.raises(Exception, match=r"cannot start with"):
        cost_item_add(
            actor=personas.coordinator, programme=o.programme, category="other", description="=HYPERLINK(1)",
            amount=Decimal("1"),
        )  # fmt: skip
    assert CostItem.objects.count() == 2


def test_the_programme_page_loads_the_outcome_cards_with_a_link_for_browsers_without_javascript(
    client: Client, personas: Personas
) -> None:
    o = outcomes(programme=personas.programme, mentored=20, comparison=20)
    outcome_results_compute(programme=o.programme)
    client.force_login(personas.coordinator)
    page = client.get(reverse("programmes:detail", args=[o.programme.pk])).content.decode()
    cards_url = reverse("evaluation:outcome_cards", args=[o.programme.pk])
    assert f'hx-get="{cards_url}"' in page
    assert f'<a href="{cards_url}">' in page
    fragment = client.get(cards_url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment
    assert "Mentored participants cut their" in fragment
    full = client.get(cards_url).content.decode()
    assert "<html" in full
    assert 'data-testid="outcome-cards"' in full


def test_the_cross_programme_report_shows_each_reader_their_own_programmes(client: Client, personas: Personas) -> None:
    mine = outcomes(programme=personas.programme, mentored=6, comparison=6)
    theirs = outcomes(programme=personas.other_programme, mentored=6, comparison=6, seed=3)
    outcome_results_compute(programme=mine.programme)
    outcome_results_compute(programme=theirs.programme)
    scoped = UserFactory()
    ProgrammeRole.objects.create(programme=personas.other_programme, user=scoped, role="hr_analyst")
    for user, sees, hidden in (
        (personas.coordinator, mine, theirs),
        (scoped, theirs, mine),
    ):
        client.force_login(user)
        body = client.get(reverse("evaluation:reports")).content.decode()
        assert f'data-programme="{sees.programme.pk}"' in body
        assert f'data-programme="{hidden.programme.pk}"' not in body
    client.force_login(personas.hr_analyst)
    body = client.get(reverse("evaluation:reports")).content.decode()
    assert f'data-programme="{mine.programme.pk}"' in body
    assert f'data-programme="{theirs.programme.pk}"' in body
