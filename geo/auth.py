"""Authentication: role permissions, and logins refused while an account is locked."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend, ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpRequest

from geo.roles import ROLE_PERMISSIONS, Role


class LockoutModelBackend(ModelBackend):
    """Django's password check, refused outright while the user name is locked.

    Raising PermissionDenied stops Django from asking any other backend, so a locked
    account cannot log in even with the right password until the lock ends or is lifted.
    """

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> Any:
        from geo.models.accounts import LoginLock

        name = username if username is not None else kwargs.get("username")
        if name and LoginLock.is_locked(str(name)):
            raise PermissionDenied("account locked")
        return super().authenticate(request, username, password, **kwargs)


@receiver(user_login_failed)
def _count_failure(sender: Any, credentials: dict[str, Any], request: Any = None,
                   **kwargs: Any) -> None:
    from geo.models.accounts import LoginLock

    name = credentials.get("username")
    if name:
        LoginLock.record_failure(str(name))


@receiver(user_logged_in)
def _forget_failures(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from geo.models.accounts import LoginLock

    LoginLock.unlock(user.get_username())


class RoleBackend(BaseBackend):
    """Permissions from ``Account.role``; Django's ModelBackend still adds any granted by hand."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        from geo.models.accounts import account_of

        account = account_of(user_obj)
        return set(ROLE_PERMISSIONS[Role(account.role)]) if account else set()

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return any(p.startswith(app_label + ".") for p in self.get_all_permissions(user_obj))
