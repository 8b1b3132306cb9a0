"""Who may call which API: residents read the public layers; staff read inside their scope."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from geo.services.access import scope_of


class StaffInScope(BasePermission):
    """A logged-in user with a scope and the view's ``required_perm`` (default view_community)."""

    message = "请先以工作人员身份登录 log in as staff with a role and scope"

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if user is None or not user.is_authenticated:
            return False
        perm = getattr(view, "required_perm", "geo.view_community")
        return bool(user.has_perm(perm)) and scope_of(user) is not None


class ApiDocsAllowed(BasePermission):
    """The OpenAPI schema and Swagger UI, as ``WANGGE_API_DOCS`` says: public, staff or off."""

    message = "接口文档未开放"

    def has_permission(self, request: Request, view: Any) -> bool:
        if settings.API_DOCS == "public":
            return True
        user = request.user
        return settings.API_DOCS == "staff" and user is not None and \
            bool(user.is_authenticated and user.is_staff)
