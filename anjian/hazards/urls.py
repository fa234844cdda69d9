from anjian.hazards import report_views, settings_views, tipoff_views, views

app_name = "hazards"
urlpatterns = [
    *views.urlpatterns,
    *report_views.urlpatterns,
    *tipoff_views.urlpatterns,
    *settings_views.urlpatterns,
]
