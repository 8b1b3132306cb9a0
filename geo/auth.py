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
        cached = getattr(user_obj, "_role_perm_cache", None)
        if cached is None:
            from geo.models import Account

            account = Account.objects.filter(user_id=user_obj.pk).only("role").first()
            cached = set(ROLE_PERMISSIONS[Role(account.role)]) if account else set()
            user_obj._role_perm_cache = cached
        return set(cached)

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return any(p.startswith(app_label + ".") for p in self.get_all_permissions(user_obj))
