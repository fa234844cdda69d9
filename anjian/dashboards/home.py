"""The home page's link to the dashboard (``anjian.core.home`` calls ``dashboard_card``): no query,
the figures themselves are on the dashboard."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from anjian.core.navigation import url_or_none
from anjian.core.scoping import get_scope


def dashboard_card(user, card: type) -> Any | None:
    if not get_scope(user).can("dashboards.view"):
        return None
    return card(
        title=_("Situation at a glance"),
        names=[str(_("Figures, trends by month, breakdowns and the map of units"))],
        url=url_or_none("dashboards:dashboard"),
        testid="dashboard",
    )
