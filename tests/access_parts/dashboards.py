"""The dashboard (``anjian.dashboards``) in the access walk: the page and its chart export are
``@scoped("dashboards.view")`` without objects (the walk checks 200 for the roles holding the action
and 403 for the others); the API's figures, one chart and its export are refused to the roles
without the action. What each role sees is its own scope: ``anjian/dashboards/tests``."""

from __future__ import annotations

from typing import Any

ACTION_OPERATIONS: dict[str, tuple[str, Any]] = {
    "dashboard_figures": ("dashboards.view", None),
    "dashboard_chart": ("dashboards.view", None),
    "dashboard_chart_export": ("dashboards.view", None),
}
