"""URL routes of wangge."""

from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from webmap import open311
from webmap.forms import LockAwareAdminAuthenticationForm, LockAwareAuthenticationForm
from webmap.ogcapi import views as ogc_views

admin.site.site_header = "网格 wangge 管理后台"
admin.site.site_title = "wangge"
admin.site.login_form = LockAwareAdminAuthenticationForm

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", LoginView.as_view(authentication_form=LockAwareAuthenticationForm),
         name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/v1/", include("webmap.api.urls")),
    path("tiles/", include("tiles.urls")),
    path("ogcapi/", include("webmap.ogcapi.urls")),
    path("open311/v2/services.json", open311.services, name="open311-services"),
    path("open311/v2/requests.json", open311.requests, name="open311-requests"),
    path("open311/v2/requests/<str:code>.json", open311.request_detail,
         name="open311-request"),
    # GIS clients join paths to the root as typed (QGIS asks for /ogcapi, not /ogcapi/).
    path("ogcapi", ogc_views.landing),
    path("", include("webmap.urls")),
]
