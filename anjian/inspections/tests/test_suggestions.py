"""Which checklists the start form offers as suited to a unit: by the unit's categories, by its
kind, the general one for any enterprise (``templates.template_suits``)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anjian.inspections import templates as services
from anjian.inspections.checklist_defaults import SHIPPED_CHECKLISTS
from anjian.inspections.models import ChecklistTemplate
from anjian.units.models import Category

pytestmark = pytest.mark.django_db


def suited_codes(world, unit) -> list[str]:
    return [t.code for t in services.templates_for_unit(world.inspector_a, unit)]


def test_the_rule_takes_categories_then_kind_and_nothing_else():
    dust = ChecklistTemplate(code="d", unit_kinds=[], category_codes=["combustible-dust"])
    general = ChecklistTemplate(code="g", unit_kinds=["enterprise"], category_codes=["small-micro"])
    suits = services.template_suits
    assert suits(dust, kind="enterprise", category_codes={"combustible-dust"}) == 0
    assert suits(dust, kind="enterprise", category_codes=set()) is None
    assert suits(dust, kind="enterprise", category_codes={"small-micro"}) is None
    assert suits(general, kind="enterprise", category_codes=set()) == 1
    assert suits(general, kind="street_shop", category_codes={"small-micro"}) == 0
    assert suits(general, kind="street_shop", category_codes=set()) is None


def test_a_machinery_firm_is_offered_the_general_checklist_not_ammonia_or_molten_metal(world):
    unit = world.unit_a  # an enterprise with no special category: a machinery firm
    unit.categories.clear()
    codes = suited_codes(world, unit)
    assert codes == ["general"]
    for special in ("ammonia-refrigeration", "molten-metal", "combustible-dust", "haz-chem-use"):
        assert special not in codes


def test_an_enterprise_gets_the_checklists_of_its_categories_first_then_the_general_one(world):
    unit = world.unit_a
    unit.categories.set(Category.objects.filter(code__in=["ammonia-refrigeration"]))
    assert suited_codes(world, unit) == ["ammonia-refrigeration", "general"]


def test_a_unit_of_another_kind_gets_its_kinds_checklist_and_not_the_general_one(world):
    world.unit_a2.categories.clear()
    assert suited_codes(world, world.unit_a2) == ["street-shop"]


def test_the_general_checklist_stands_in_when_nothing_suits(world):
    unit = world.unit_a2
    unit.categories.clear()
    unit.kind = "gas_point"
    assert suited_codes(world, unit) == ["general"]


def test_specialised_shipped_checklists_name_categories_and_no_kind():
    for spec in SHIPPED_CHECKLISTS:
        if spec["code"] == "general":
            assert spec["unit_kinds"] == ["enterprise"]
        elif "enterprise" in spec["unit_kinds"]:
            pytest.fail(f"{spec['code']} would be offered to every enterprise")


def test_the_start_form_marks_only_the_suited_checklists(world, client, login):
    world.unit_a.categories.clear()
    login("inspector_a")
    response = client.get(reverse("inspections:inspection_start", args=[world.unit_a.pk]))
    suited = [v.template.code for v in response.context["checklists"] if v.suited]
    assert suited == ["general"]
    assert (
        response.content.decode().count("Suits this unit")
        + response.content.decode().count("适用于该单位")
        == 1
    )
