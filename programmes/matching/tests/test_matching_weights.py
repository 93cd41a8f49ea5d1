"""Matching weights as sliders: a sentence per weight, the sample pair's score previewed on the server (and
live in the browser), and saving still goes through the settings service."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from programmes.matching.selectors.weights import EXAMPLE
from programmes.models import MatchingSettings
from programmes.tests.matching_helpers import coordinator_of, matching_programme

pytestmark = pytest.mark.django_db


def _post(**overrides: str) -> dict[str, str]:
    data = {f"weight_{name}": "0.1" for name in ("language", "goals", "availability", "preference", "timezone")}
    data |= {"weight_competency": "0.5", "weight_diversity": "0.1", "weight_attributes": "0.1"}
    data |= {"min_shared_hours": "0", "objective": "maximise_matched", "require_shared_language": "on"}
    return data | overrides


def test_weights_are_sliders_with_a_sentence_and_a_previewed_score(client: Client) -> None:
    programme = matching_programme()
    client.force_login(coordinator_of(programme))
    page = client.get(reverse("programmes:matching_settings", args=[programme.pk]))
    html = page.content.decode()
    assert html.count('type="range"') == 8
    assert "How much it counts that the pair share a language." in html
    assert 'id="weight-sample"' in html
    assert "js/weights.js" in html
    # The example pair under the default weights: Σ fit × weight, shown without script too.
    form = page.context["form"]
    expected = round(sum(EXAMPLE[name] * weight for name, weight in form.weight_values().items()), 3)
    assert page.context["score"] == expected
    assert f'data-score aria-live="polite">{expected}<' in html


def test_saving_the_sliders_stores_the_weights(client: Client) -> None:
    programme = matching_programme()
    client.force_login(coordinator_of(programme))
    url = reverse("programmes:matching_settings", args=[programme.pk])
    response = client.post(url, _post(weight_competency="0.75"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert MatchingSettings.objects.get(programme=programme).weights["competency"] == 0.75


def test_a_bad_weight_re_shows_the_page_without_a_server_error(client: Client) -> None:
    programme = matching_programme()
    client.force_login(coordinator_of(programme))
    url = reverse("programmes:matching_settings", args=[programme.pk])
    response = client.post(url, _post(weight_competency="lots"))
    assert response.status_code == 200
    assert response.context["form"].errors


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_moving_a_slider_changes_the_previewed_score_live(sign_in: Any) -> None:
    from people.tests.factories import UserFactory
    from programmes.tests.factories import ProgrammeRoleFactory

    programme = matching_programme()
    coordinator = UserFactory(email="weights@example.co.id")
    coordinator.set_password("correct-horse-battery")
    coordinator.save()
    ProgrammeRoleFactory(programme=programme, user=coordinator)
    page = sign_in(coordinator, "correct-horse-battery")
    page.goto(reverse("programmes:matching_settings", args=[programme.pk]))
    before = page.get_by_test_id("weight-preview").locator("[data-score]").inner_text()
    slider = page.locator("input[data-weight=competency]")
    slider.fill("1")  # Playwright sets a range input's value and fires input
    assert page.locator('[data-weight-output="competency"]').inner_text() == "1"
    after = page.get_by_test_id("weight-preview").locator("[data-score]").inner_text()
    assert float(after) > float(before)
    assert page.errors == []
