from django.urls import path

from anjian.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.RegionListView.as_view(), name="region_list"),
    path("<int:pk>/", views.RegionDetailView.as_view(), name="region_detail"),
]
