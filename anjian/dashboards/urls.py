from anjian.dashboards.views import urlpatterns

app_name = "dashboards"

__all__ = ["app_name", "urlpatterns"]
