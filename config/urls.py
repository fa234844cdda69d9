from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path, re_path
from django.utils.translation import gettext as _
from django.views.i18n import set_language

from anjian.core.views import public
from config.api import api


def api_not_found(request, *args, **kwargs):
    """Unknown API addresses answer in JSON too, never with an HTML page."""
    body = {"error": {"code": "not_found", "message": _("There is no such API address.")}}
    return JsonResponse(body, status=404, json_dumps_params={"ensure_ascii": False})


api_not_found.public = True  # type: ignore[attr-defined]

urlpatterns = [
    # The API first: scripts and apps call it most, and no page address starts with "api/".
    path("api/v1/", api.urls),
    re_path(r"^api/.*$", api_not_found, name="api_not_found"),
    path("", include("anjian.core.urls")),
    path("accounts/", include("anjian.accounts.urls")),
    path("regions/", include("anjian.regions.urls")),
    path("committees/", include("anjian.teams.urls")),
    path("units/", include("anjian.units.urls")),
    path("q/", include("anjian.units.public_urls")),
    path("hazards/", include("anjian.hazards.urls")),
    path("inspections/", include("anjian.inspections.urls")),
    path("documents/", include("anjian.enforcement.urls")),
    path("cases/", include("anjian.enforcement.case_urls")),
    path("enforcement-settings/", include("anjian.enforcement.settings_urls")),
    path("plans/", include("anjian.plans.urls")),
    path("campaigns/", include("anjian.campaigns.urls")),
    path("statistics/", include("anjian.stats.urls")),
    path("dashboard/", include("anjian.dashboards.urls")),
    path("reports/", include("anjian.reports.urls")),
    path("exchange/", include("anjian.exchange.urls")),
    path("tip-off/", include("anjian.hazards.public_urls")),
    path("audit/", include("anjian.audit.urls")),
    path("notifications/", include("anjian.notifications.urls")),
    path("backups/", include("anjian.backups.urls")),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]

# Uploaded files (MEDIA) are never served under a public URL, not even with DEBUG: each is served by
# a scoped view (e.g. units:document_file) that answers 404 outside the user's scope.
