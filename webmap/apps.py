"""App configuration of the web map."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebmapConfig(AppConfig):
    """Pages and front-end assets."""

    name = "webmap"
    verbose_name = _("网页地图")
