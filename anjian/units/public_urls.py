"""The public pages behind the QR codes (一企一码): no log-in. Mounted at /q/."""

from anjian.units.public_views import public_urlpatterns

app_name = "public"
urlpatterns = [*public_urlpatterns]
