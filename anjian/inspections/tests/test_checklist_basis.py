"""The legal basis of every shipped checklist item fits the item: an order cites it."""

from __future__ import annotations

from anjian.inspections.checklist_defaults import SHIPPED_CHECKLISTS


def shipped_items():
    for template in SHIPPED_CHECKLISTS:
        for section in template["sections"]:
            title, items = (
                section if isinstance(section, tuple) else (section["title"], section["items"])
            )
            for item in items:
                yield template["code"], title, item


def test_every_shipped_item_names_a_regulation_or_standard():
    for code, title, item in shipped_items():
        assert item["legal_basis"].startswith("《"), (code, title, item["text"])


def test_the_training_article_is_cited_only_by_training_items():
    """《安全生产法》第二十七条 is about the principal's and safety managers' knowledge: the demo's
    order once cited it for a missing distribution-box door."""
    for code, _title, item in shipped_items():
        if "《安全生产法》第二十七条" in item["legal_basis"]:
            assert item["hazard_category"] == "training", (code, item["text"])


def test_electrical_items_cite_an_electrical_or_explosion_protection_rule():
    for code, _title, item in shipped_items():
        if item["hazard_category"] == "electrical":
            assert "安全生产法" not in item["legal_basis"], (code, item["text"])
