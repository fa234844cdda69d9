"""The legal bases a checklist item cites, and the row of the table of provisions each one names.

A basis is written as a law's short title and an article: ``《安全生产法》第三十六条``. Each law is a
constant here with both its short title (what an order prints after "依据：") and the name its rows
carry in the table of provisions (``enforcement.LegalProvision.law``), so a basis maps to its row
exactly: the short title is a prefix, the rest is the article (``provision_key``). The shipped
checklists (``checklist_defaults``) build their bases with ``Law.at`` and a test checks that every
one of them names a row of the table after the migrations (the duty articles are seeded by
``enforcement/migrations/0008_seed_duty_provisions.py``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Law:
    key: str
    short: str  # as an order prints it: 《安全生产法》
    table_name: str  # as the table of provisions names it

    def at(self, article: str) -> str:
        """The basis text citing ``article`` of this law."""
        if not article.startswith("第"):
            raise ValueError(f"an article is written 第…条: {article!r}")
        return f"{self.short}{article}"


SAFETY_LAW = Law("safety-law", "《安全生产法》", "中华人民共和国安全生产法（2021）")
FIRE_LAW = Law("fire-law", "《消防法》", "中华人民共和国消防法（2021）")
SPECIAL_EQUIPMENT_LAW = Law(
    "special-equipment-law", "《特种设备安全法》", "中华人民共和国特种设备安全法"
)
FLOOD_LAW = Law("flood-law", "《防洪法》", "中华人民共和国防洪法")
HAZCHEM_REGULATIONS = Law(
    "hazchem-regulations", "《危险化学品安全管理条例》", "危险化学品安全管理条例（国务院令第591号）"
)
CONSTRUCTION_REGULATIONS = Law(
    "construction-regulations", "《建设工程安全生产管理条例》", "建设工程安全生产管理条例"
)
DAM_REGULATIONS = Law("dam-regulations", "《水库大坝安全管理条例》", "水库大坝安全管理条例")
RENTAL_MEASURES = Law("rental-measures", "《商品房屋租赁管理办法》", "商品房屋租赁管理办法")
ORDER_10 = Law(
    "order-10",
    "《工贸企业重大事故隐患判定标准》",
    "工贸企业重大事故隐患判定标准（应急管理部令第10号）",
)

LAWS: tuple[Law, ...] = (
    SAFETY_LAW,
    FIRE_LAW,
    SPECIAL_EQUIPMENT_LAW,
    FLOOD_LAW,
    HAZCHEM_REGULATIONS,
    CONSTRUCTION_REGULATIONS,
    DAM_REGULATIONS,
    RENTAL_MEASURES,
    ORDER_10,
)


def provision_key(basis: str) -> tuple[str, str] | None:
    """``(law, article)`` of the table's row that ``basis`` cites, or None when the text is not a
    basis written with one of the laws here (a town's own wording)."""
    text = (basis or "").strip()
    for law in LAWS:
        if text.startswith(law.short):
            article = text[len(law.short) :].strip()
            return (law.table_name, article) if article.startswith("第") else None
    return None


__all__ = [
    "CONSTRUCTION_REGULATIONS",
    "DAM_REGULATIONS",
    "FIRE_LAW",
    "FLOOD_LAW",
    "HAZCHEM_REGULATIONS",
    "LAWS",
    "ORDER_10",
    "RENTAL_MEASURES",
    "SAFETY_LAW",
    "SPECIAL_EQUIPMENT_LAW",
    "Law",
    "provision_key",
]
