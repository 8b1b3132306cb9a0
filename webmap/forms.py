"""Login forms that say when an account is locked after repeated failed logins."""

from __future__ import annotations

from typing import Any

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from geo.models import LoginLock

LOCKED = _("登录失败次数过多，此账号已暂时锁定。请稍后再试，或请管理员解除锁定。")


class LockAwareAuthenticationForm(AuthenticationForm):
    """The login form; a locked account is told so instead of "wrong password".

    Unknown user names lock the same way, so this reveals nothing about which names exist.
    """

    locked = False

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        self.locked = bool(username) and LoginLock.is_locked(str(username))
        try:
            return super().clean()  # still counts the attempt
        except ValidationError as exc:
            if self.locked:
                raise ValidationError(LOCKED, code="locked") from exc
            raise


class LockAwareAdminAuthenticationForm(LockAwareAuthenticationForm, AdminAuthenticationForm):
    """The admin's login form with the same lock message."""
