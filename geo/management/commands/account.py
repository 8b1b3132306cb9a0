"""``manage.py account USER --role ROLE --scope CODE``: give a staff user a role and a scope."""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from geo.models import Account, LoginLock
from geo.roles import ROLE_LABELS, Role


class Command(BaseCommand):
    help = ("Give a user a role and a scope (creating the user with --create; the "
            "password comes from WANGGE_NEW_PASSWORD or a prompt).")
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", choices=[r.value for r in Role],
                            help="; ".join(f"{r.value}: {ROLE_LABELS[r]}" for r in Role))
        parser.add_argument("--scope", default="",
                            help="6/9/12-digit district, street or community code; "
                                 "empty for the whole city")
        parser.add_argument("--create", action="store_true", help="create the user if missing")
        parser.add_argument("--unlock", action="store_true",
                            help="lift the lock that repeated failed logins put on the user")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["unlock"]:
            had = LoginLock.unlock(opts["username"])
            self.stdout.write((_("%(user)s：已解除锁定") if had else _("%(user)s：未被锁定"))
                              % {"user": opts["username"]})
            if not opts["role"]:
                return
        if not opts["role"]:
            raise CommandError(_("请给出 --role（或只用 --unlock）"))
        users = get_user_model()
        user = users.objects.filter(username=opts["username"]).first()
        if user is None and not opts["create"]:
            raise CommandError(_("没有用户 %(user)r；加 --create 新建")
                               % {"user": opts["username"]})
        if user is None:
            password = os.environ.get("WANGGE_NEW_PASSWORD") or (
                getpass.getpass(_("密码：")) if sys.stdin.isatty() else "")
            if not password:
                raise CommandError(
                    _("请设置 WANGGE_NEW_PASSWORD，或在终端中运行以输入新用户的密码"))
            candidate = users(username=opts["username"])
            try:
                password_validation.validate_password(password, candidate)
            except ValidationError as exc:
                raise CommandError(_("密码不合格：") + " ".join(exc.messages)) from exc
        # A refused role or scope must not leave a half-made user behind.
        try:
            with transaction.atomic():
                if user is None:
                    user = users.objects.create_user(opts["username"], password=password)
                account = Account.assign(user, Role(opts["role"]), opts["scope"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(_("账号：%(account)s") % {"account": account}))
