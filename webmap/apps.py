"""App configuration of the web map."""

from django.apps import AppConfig


class WebmapConfig(AppConfig):
    """Pages and front-end assets."""

    name = "webmap"
    verbose_name = "网页地图 Web map"
