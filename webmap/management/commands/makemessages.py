"""Django's makemessages, also reading the report's Jinja template and the algorithms' texts.

``Text("…")`` is how the Django-free algorithms mark a message (``geo.analysis.text``);
``report.html.j2`` marks its strings as ``{{ _("…") }}``, which Django's template reader
understands too.
"""

from typing import Any

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=Text"]

    def handle(self, *args: Any, **options: Any) -> None:
        if options.get("domain", "django") == "django" and not options.get("extensions"):
            options["extensions"] = ["html", "txt", "py", "j2"]
        super().handle(*args, **options)
