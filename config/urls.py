from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from config.api import api

urlpatterns = [
    path("", include("anjian.core.urls")),
    path("accounts/", include("anjian.accounts.urls")),
    path("regions/", include("anjian.regions.urls")),
    path("committees/", include("anjian.teams.urls")),
    path("units/", include("anjian.units.urls")),
    path("audit/", include("anjian.audit.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:  # pragma: no cover - uploaded files are served by the proxy in production
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
