"""Routes of OGC API – Features and Tiles under /ogcapi/."""

from django.urls import path

from . import openapi, tiles_api, views

app_name = "ogcapi"
urlpatterns = [
    path("", views.landing, name="landing"),
    path("conformance", views.conformance, name="conformance"),
    path("api", openapi.document, name="openapi"),
    path("api.html", openapi.page, name="openapi-html"),
    path("collections", views.collections, name="collections"),
    path("collections/<str:cid>", views.collection, name="collection"),
    path("collections/<str:cid>/items", views.items, name="items"),
    path("collections/<str:cid>/items/<str:fid>", views.item, name="item"),
    path("collections/<str:cid>/schema", views.schema, name="schema"),
    path("collections/<str:cid>/queryables", views.queryables, name="queryables"),
    path("collections/<str:cid>/tiles", tiles_api.tilesets, name="tilesets"),
    path("collections/<str:cid>/tiles/<str:tms>", tiles_api.tileset, name="tileset"),
    path("collections/<str:cid>/tiles/<str:tms>/<int:z>/<int:row>/<int:col>", tiles_api.tile,
         name="tile"),
    path("tileMatrixSets", tiles_api.tile_matrix_sets, name="tile-matrix-sets"),
    path("tileMatrixSets/<str:tms>", tiles_api.tile_matrix_set, name="tile-matrix-set"),
]
