"""URL routes of wangge."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "网格 wangge 管理后台"
admin.site.site_title = "wangge"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("tiles/", include("tiles.urls")),
    path("", include("webmap.urls")),
]
