"""The town's enforcement settings pages, mounted at /enforcement-settings/."""

from anjian.enforcement.settings_views import urlpatterns

app_name = "enforcement_settings"

__all__ = ["app_name", "urlpatterns"]
