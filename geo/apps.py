"""App configuration of the geo domain."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    """The geo app: hierarchy, grids, facilities, members and the walking network."""

    name = "geo"
    verbose_name = _("空间数据")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from . import auth  # noqa: F401  (login failure and success signals)
        from .models import Community, Compound, ServiceCenter
        from .services.search import names_changed
        from .signals import data_changed

        # Search spells names it has not seen once it hears that places were written.
        data_changed.connect(names_changed, dispatch_uid="search-names")
        for model in (Community, Compound, ServiceCenter):
            for signal in (post_save, post_delete):
                signal.connect(names_changed, sender=model,
                               dispatch_uid=f"search-names-{signal is post_save}-{model.__name__}")
