"""Routes of the pages and the offline basemap."""

from django.urls import path

from . import views

app_name = "webmap"
urlpatterns = [
    path("", views.home, name="home"),
    path("basemap/context.geojson", views.basemap_context, name="basemap-context"),
    path("healthz", views.healthz, name="healthz"),
]
