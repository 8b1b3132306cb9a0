from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project itself: settings, URLs, the private services and their commands."""

    name = "config"
    verbose_name = "运行环境 deployment"
