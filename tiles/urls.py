"""Routes of the vector tiles under /tiles/."""

from django.urls import path

from . import views

app_name = "tiles"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:layer>.json", views.tilejson, name="tilejson"),
    path("<str:layer>/metadata.json", views.metadata, name="metadata"),
    path("base/<int:z>/<int:x>/<int:y>.pbf", views.base, name="base"),
    path("set/<str:layers>/<int:z>/<int:x>/<int:y>.pbf", views.tile_set, name="set"),
    path("<str:layer>/<int:z>/<int:x>/<int:y>.pbf", views.tile, name="tile"),
]
