"""App configuration of the geo domain."""

from django.apps import AppConfig


class GeoConfig(AppConfig):
    """The geo app: hierarchy, grids, facilities, members and the walking network."""

    name = "geo"
    verbose_name = "空间数据 Spatial data"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import auth  # noqa: F401  (login failure and success signals)
