from django.urls import path

from anjian.units import document_views, enterprise_views, expert_views, import_views, views

app_name = "units"
urlpatterns = [
    path("", views.UnitListView.as_view(), name="unit_list"),
    path("<int:pk>/", views.UnitDetailView.as_view(), name="unit_detail"),
    *views.urlpatterns,
    *expert_views.urlpatterns,
    *document_views.urlpatterns,
    *import_views.urlpatterns,
    *enterprise_views.urlpatterns,
]
