"""The public pages behind the QR codes (一企一码): no log-in."""

app_name = "public"
urlpatterns: list = []
