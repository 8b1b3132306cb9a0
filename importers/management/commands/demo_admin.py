"""Create the demo's administrator account once, with a random password kept in var/."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Create the local demo administrator (admin) and print its password."

    def handle(self, *args: Any, **opts: Any) -> None:
        if settings.PRODUCTION:
            # A known superuser with a password in a file is a demo convenience only.
            self.stdout.write(_("WANGGE_ENV=production：不创建演示管理员；请用 "
                                "`manage.py createsuperuser` 创建管理员。"))
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
            self.stdout.write(_("管理员登录：admin / %(password)s（保存在 %(path)s）") % {
                "password": path.read_text().strip(), "path": path})
