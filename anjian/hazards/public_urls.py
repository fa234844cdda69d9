"""The public tip-off form (举报) and its follow-up by receipt code: no log-in."""

from anjian.hazards import tipoff_views

app_name = "tip_off"
urlpatterns = list(getattr(tipoff_views, "public_urlpatterns", []))
