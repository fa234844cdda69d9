from django.urls import path

from anjian.campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("", views.CampaignListView.as_view(), name="campaign_list"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("<int:pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("<int:pk>/close/", views.campaign_close, name="campaign_close"),
    path("<int:pk>/participants/add/", views.participant_add, name="participant_add"),
    path("<int:pk>/participants/remove/", views.participant_remove, name="participant_remove"),
    path("<int:pk>/inspections/link/", views.inspection_link, name="inspection_link"),
    path("<int:pk>/inspections/unlink/", views.inspection_unlink, name="inspection_unlink"),
    path("<int:pk>/inspections/start/", views.inspection_start, name="inspection_start"),
    path("<int:pk>/tally.xlsx", views.campaign_tally_xlsx, name="campaign_tally_xlsx"),
]
