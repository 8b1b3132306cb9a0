"""Create the demo's administrator account once, with a random password kept in var/."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the local demo administrator (admin) and print its password."

    def handle(self, *args: Any, **opts: Any) -> None:
        if settings.PRODUCTION:
            # A known superuser with a password in a file is a demo convenience only.
            self.stdout.write("WANGGE_ENV=production: no demo administrator is created; make "
                              "one with `manage.py createsuperuser`.")
            return
        path = settings.VAR_DIR / "demo-admin-password"
        user_model = get_user_model()
        user = user_model.objects.filter(username="admin").first()
        if user is None:
            password = secrets.token_urlsafe(12)
            user_model.objects.create_superuser("admin", "", password)
            path.write_text(password + "\n")
            path.chmod(0o600)
        if path.exists():
            self.stdout.write(f"管理员 Admin login: admin / {path.read_text().strip()}  "
                              f"(stored in {path})")
