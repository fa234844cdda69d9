from django.urls import path

from anjian.core import calendar_views, home, job_views

app_name = "core"
urlpatterns = [
    path("", home.home, name="home"),
    path("calendar/", calendar_views.calendar_overview, name="calendar"),
    path("calendar/<int:year>/", calendar_views.calendar_year, name="calendar_year"),
    path(
        "calendar/<int:year>/remove/",
        calendar_views.calendar_year_remove,
        name="calendar_year_remove",
    ),
    path("jobs/", job_views.JobListView.as_view(), name="job_list"),
    path("jobs/<int:pk>/", job_views.JobDetailView.as_view(), name="job_detail"),
    path("jobs/<int:pk>/result/", job_views.job_result, name="job_result"),
]
