"""The legal basis of every shipped checklist item fits the item and names a provision of the
table: an order prints it after "依据：" (issue 16)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from anjian.enforcement.case_choices import ProvisionKind
from anjian.enforcement.case_services import provision_for_basis
from anjian.enforcement.models import LegalProvision
from anjian.inspections.checklist_defaults import SHIPPED_CHECKLISTS, item
from anjian.inspections.legal_bases import SAFETY_LAW, provision_key
from anjian.inspections.models import ChecklistItem

REBASE = importlib.import_module("anjian.inspections.migrations.0005_rebase_shipped_items")
BOX = "配电箱（柜）完好、关闭并有标识，无私拉乱接电线，按规定设置漏电保护"


def shipped_items():
    for template in SHIPPED_CHECKLISTS:
        for title, items in template["sections"]:
            for entry in items:
                yield template["code"], title, entry


def test_every_shipped_item_names_a_law_and_an_article():
    for code, title, entry in shipped_items():
        assert provision_key(entry["legal_basis"]), (code, title, entry["text"])


@pytest.mark.django_db
def test_every_shipped_item_cites_a_provision_of_the_table():
    for code, _title, entry in shipped_items():
        row = provision_for_basis(entry["legal_basis"])
        assert row is not None, (code, entry["text"], entry["legal_basis"])
        assert row.kind == ProvisionKind.DUTY and row.is_active and row.town_id is None


@pytest.mark.django_db
def test_the_loaded_shipped_templates_cite_the_shipped_bases():
    shipped = {entry["text"]: entry["legal_basis"] for _c, _t, entry in shipped_items()}
    loaded = ChecklistItem.objects.filter(
        section__version__template__region__isnull=True, text__in=shipped
    )
    assert loaded.count() == sum(1 for _ in shipped_items())
    for row in loaded:
        assert row.legal_basis == shipped[row.text], row.text


def test_the_distribution_box_cites_the_safety_equipment_article():
    """The demo's order once cited 《安全生产法》第二十七条 (the principal's and safety
    managers' knowledge) for a missing distribution-box door: the door is safety equipment that
    is kept in order (第三十六条)."""
    box = next(entry for _c, _t, entry in shipped_items() if entry["text"] == BOX)
    assert box["legal_basis"] == "《安全生产法》第三十六条"


def test_the_knowledge_article_is_cited_only_by_training_items():
    for code, _title, entry in shipped_items():
        if entry["legal_basis"] == SAFETY_LAW.at("第二十七条"):
            assert entry["hazard_category"] == "training", (code, entry["text"])


def test_an_item_without_an_article_is_refused():
    with pytest.raises(ValueError):
        item("配电箱完好", "《低压配电设计规范》", "electrical")


@pytest.mark.django_db
def test_the_migration_rebases_shipped_items_still_worded_as_shipped_only():
    rows = ChecklistItem.objects.filter(section__version__template__region__isnull=True, text=BOX)
    old = next(old for text, old, _new in REBASE.REBASED if text == BOX)
    rows.update(legal_basis=old)
    reworded = ChecklistItem.objects.filter(
        section__version__template__region__isnull=True,
        text="生产、经营、储存场所不与员工宿舍设在同一座建筑物内，且保持安全距离",
    )
    reworded.update(legal_basis="本镇自定依据")
    REBASE.rebase(apps, None)
    assert set(rows.values_list("legal_basis", flat=True)) == {"《安全生产法》第三十六条"}
    assert set(reworded.values_list("legal_basis", flat=True)) == {"本镇自定依据"}
    REBASE.restore(apps, None)
    assert set(rows.values_list("legal_basis", flat=True)) == {old}
    assert LegalProvision.objects.filter(kind=ProvisionKind.DUTY).exists()
