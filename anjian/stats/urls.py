from anjian.stats.views import urlpatterns

app_name = "stats"

__all__ = ["app_name", "urlpatterns"]
