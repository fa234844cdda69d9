from django.urls import path

from anjian.core import home

app_name = "core"
urlpatterns = [
    path("", home.home, name="home"),
]
