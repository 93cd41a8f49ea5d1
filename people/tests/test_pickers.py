"""Org-unit pickers stay small whatever the size of the organisation: the report's filter renders one
search input (not an option per unit), suggestions come from the server, and picking by code or by the id
older links carry both work."""

from __future__ import annotations

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from conftest import Personas
from people.pickers import SEARCH_LIMIT, OrgUnitMultiPickerField, OrgUnitPickerField
from people.tests.factories import OrgUnitFactory

pytestmark = pytest.mark.django_db


class PickForm(forms.Form):
    org_unit = OrgUnitPickerField(required=False)


def test_the_picker_renders_no_option_per_unit() -> None:
    for i in range(300):
        OrgUnitFactory(code=f"U{i:04d}", name=f"Unit {i}")
    html = str(PickForm()["org_unit"])
    assert "<option" not in html
    assert 'hx-get="/accounts/org-units/search/"' in html
    assert 'role="combobox"' in html
    assert 'role="listbox"' in html


def test_a_unit_is_picked_by_code_or_by_id_and_an_unknown_one_is_refused() -> None:
    unit = OrgUnitFactory(code="SAL-KA", name="Key Accounts")
    assert PickForm({"org_unit": "SAL-KA"}).is_valid()
    form = PickForm({"org_unit": str(unit.pk)})
    assert form.is_valid()
    assert form.cleaned_data["org_unit"] == unit
    assert not PickForm({"org_unit": "NOPE"}).is_valid()
    assert 'value="SAL-KA"' in str(PickForm(initial={"org_unit": unit})["org_unit"])


def test_suggestions_are_bounded_and_match_code_or_name(client: Client, personas: Personas) -> None:
    for i in range(SEARCH_LIMIT + 10):
        OrgUnitFactory(code=f"FIN{i:02d}", name=f"Finance team {i}")
    OrgUnitFactory(code="HRD", name="People and Culture")
    client.force_login(personas.hr_analyst)
    url = reverse("people:org_unit_search")
    body = client.get(url, {"q": "finance"}).content.decode()
    assert body.count('role="option"') == SEARCH_LIMIT
    htmx_asks = {"field": "org_unit", "org_unit": "culture"}  # htmx sends the input by its name
    assert 'data-value="HRD"' in client.get(url, htmx_asks).content.decode()
    assert client.get(url, {"q": ""}).content.decode().strip() == ""


def test_the_report_filter_renders_a_search_input_not_every_unit(client: Client, personas: Personas) -> None:
    for i in range(50):
        OrgUnitFactory(code=f"R{i:03d}", name=f"Region {i}")
    client.force_login(personas.hr_analyst)
    for url in (reverse("evaluation:reports"), reverse("evaluation:report", args=[personas.programme.pk])):
        body = client.get(url).content.decode()
        assert 'name="org_unit"' in body
        assert 'role="combobox"' in body
        assert "Region 7" not in body
    filtered = client.get(reverse("evaluation:reports"), {"org_unit": "R007"}).content.decode()
    assert 'value="R007"' in filtered  # the chosen unit stays in the input


class UnitsForm(forms.Form):
    org_units = OrgUnitMultiPickerField(required=False)


def test_several_units_are_picked_by_code_and_an_unknown_code_is_named() -> None:
    sales, finance = OrgUnitFactory(code="SAL", name="Sales"), OrgUnitFactory(code="FIN", name="Finance")
    form = UnitsForm(MultiValueDict({"org_units": ["SAL", "", str(finance.pk)]}))
    assert form.is_valid(), form.errors
    assert set(form.cleaned_data["org_units"]) == {sales, finance}
    refused = UnitsForm(MultiValueDict({"org_units": ["SAL", "NOPE"]}))
    assert not refused.is_valid()
    assert "NOPE" in str(refused.errors["org_units"])
    empty = UnitsForm(MultiValueDict({}))
    assert empty.is_valid()
    assert list(empty.cleaned_data["org_units"]) == []


def test_the_multi_picker_renders_one_input_per_chosen_unit_and_one_empty() -> None:
    units = [OrgUnitFactory(code=f"M{i}", name=f"Unit {i}") for i in range(3)]
    for i in range(200):
        OrgUnitFactory(code=f"X{i:03d}", name=f"Other {i}")
    html = str(UnitsForm(initial={"org_units": units[:2]})["org_units"])
    assert html.count('name="org_units"') == 3
    assert 'value="M0"' in html
    assert 'value="M1"' in html
    assert "Other" not in html
    assert 'id="id_org_units_0"' in html
    assert 'aria-label="Another org unit"' in html
