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

from geo.models import Account, LoginLock
from geo.roles import ROLE_LABELS, Role


class Command(BaseCommand):
    help = ("账号角色 Give a user a role and a scope (creating the user with --create; the "
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
            self.stdout.write(f"{opts['username']}: " + ("unlocked" if had else "was not locked"))
            if not opts["role"]:
                return
        if not opts["role"]:
            raise CommandError("--role is required (or --unlock alone)")
        users = get_user_model()
        user = users.objects.filter(username=opts["username"]).first()
        if user is None and not opts["create"]:
            raise CommandError(f"no user {opts['username']!r}; add --create to make one")
        if user is None:
            password = os.environ.get("WANGGE_NEW_PASSWORD") or (
                getpass.getpass("密码 Password: ") if sys.stdin.isatty() else "")
            if not password:
                raise CommandError("set WANGGE_NEW_PASSWORD or run on a terminal to give the "
                                   "new user a password")
            candidate = users(username=opts["username"])
            try:
                password_validation.validate_password(password, candidate)
            except ValidationError as exc:
                raise CommandError("密码不合格 password refused: " + " ".join(exc.messages)
                                   ) from exc
        # A refused role or scope must not leave a half-made user behind.
        try:
            with transaction.atomic():
                if user is None:
                    user = users.objects.create_user(opts["username"], password=password)
                account = Account.assign(user, Role(opts["role"]), opts["scope"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"账号 Account: {account}"))
