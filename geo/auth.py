"""The role backend: a staff account's role grants the permissions of ``geo.roles``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend

from geo.roles import ROLE_PERMISSIONS, Role


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
