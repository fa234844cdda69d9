from anjian.enforcement.views import urlpatterns

app_name = "enforcement"

__all__ = ["app_name", "urlpatterns"]
