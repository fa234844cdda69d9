from django.urls import path

from anjian.teams import views

app_name = "teams"
urlpatterns = [
    path("", views.CommitteeListView.as_view(), name="committee_list"),
    path("<int:pk>/", views.CommitteeDetailView.as_view(), name="committee_detail"),
]
