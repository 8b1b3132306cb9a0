from django.apps import AppConfig


class TilesConfig(AppConfig):
    name = "tiles"
    verbose_name = "矢量瓦片 vector tiles"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the invalidation handlers)
