from django.urls import path

from anjian.backups import views

app_name = "backups"
urlpatterns = [
    path("", views.BackupListView.as_view(), name="backup_list"),
    path("run/", views.backup_run, name="backup_run"),
]
