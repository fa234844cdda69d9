"""Formatting of the dashboard's figures: a count, a percentage, "done of planned", or "not
recorded yet" where no module records the figure."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from anjian.dashboards.results import FRACTION, MISSING, PERCENT, Figure
from anjian.stats.figures import TOTAL

register = template.Library()


@register.simple_tag
def figure_value(figure: Figure, area: str = TOTAL) -> str:
    value = figure.values.get(area)
    if figure.kind == MISSING:
        return _("not recorded yet")
    if value is None:
        return "—"
    if figure.kind == PERCENT:
        return f"{value:.1f}%"
    if figure.kind == FRACTION:
        return f"{value} / {(figure.of or {}).get(area, 0)}"
    return str(value)
