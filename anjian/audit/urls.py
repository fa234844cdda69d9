from django.urls import path

from anjian.audit import views

app_name = "audit"
urlpatterns = [
    path("", views.AuditEntryListView.as_view(), name="entry_list"),
    path("<int:pk>/", views.AuditEntryDetailView.as_view(), name="entry_detail"),
    path("verify/", views.verify, name="verify"),
]
