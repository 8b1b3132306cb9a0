"""Who may call which API: residents read the public layers; staff read inside their scope."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy
from drf_spectacular.authentication import SessionScheme
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from geo.services.access import scope_of


class SessionLogin(SessionAuthentication):
    """Session logins; an anonymous call to a staff endpoint is a 401, as the tiles answer."""

    def authenticate_header(self, request: Any) -> str:
        return 'Session realm="wangge"'


class SessionLoginScheme(SessionScheme):
    """The OpenAPI document's name for it: a session cookie, as for Django's own logins."""

    target_class = "webmap.api.permissions.SessionLogin"


class StaffInScope(BasePermission):
    """A logged-in user with a scope and the view's ``required_perm`` (default view_community)."""

    message = gettext_lazy("请以有角色和工作范围的工作人员身份登录")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if user is None or not user.is_authenticated:
            return False
        perm = getattr(view, "required_perm", "geo.view_community")
        return bool(user.has_perm(perm)) and scope_of(user) is not None


class ApiDocsAllowed(BasePermission):
    """The OpenAPI schema and Swagger UI, as ``WANGGE_API_DOCS`` says: public, staff or off."""

    message = gettext_lazy("接口文档未开放")

    def has_permission(self, request: Request, view: Any) -> bool:
        if settings.API_DOCS == "public":
            return True
        user = request.user
        return settings.API_DOCS == "staff" and user is not None and \
            bool(user.is_authenticated and user.is_staff)
