"""Enforcement cases (立案查处) and the table of legal provisions, mounted at /cases/."""

from anjian.enforcement.case_views import urlpatterns

app_name = "cases"

__all__ = ["app_name", "urlpatterns"]
