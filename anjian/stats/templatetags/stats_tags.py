"""Showing a figure's value: counts as they are, money with two decimals, rates as percentages."""

from __future__ import annotations

from typing import Any

from django import template

from anjian.stats.figures import MONEY, PERCENT

register = template.Library()


@register.simple_tag
def stat_value(row: dict[str, Any], area: str) -> str:
    value = row.get("values", {}).get(area)
    if value is None:
        return "—"
    if row.get("kind") == PERCENT:
        return f"{float(value):.1f}%"
    if row.get("kind") == MONEY:
        return f"{float(value):,.2f}"
    return str(value)
