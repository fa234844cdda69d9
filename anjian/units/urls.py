from django.urls import path

from anjian.units import views

app_name = "units"
urlpatterns = [
    path("", views.UnitListView.as_view(), name="unit_list"),
    path("<int:pk>/", views.UnitDetailView.as_view(), name="unit_detail"),
]
