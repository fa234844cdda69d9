from anjian.inspections import template_views, views

app_name = "inspections"
urlpatterns = [*views.urlpatterns, *template_views.urlpatterns]
