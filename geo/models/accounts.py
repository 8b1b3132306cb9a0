"""Staff accounts: one role and one scope per user; and the log of unmasked personal data."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from geo.models.scope import ScopeError, check_scope
from geo.roles import ROLE_LABELS, Role, scope_problem

log = logging.getLogger("wangge.personal_data")


class Account(models.Model):
    """A staff user's role and the part of the city (a hierarchy code) they work in."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, related_name="account",
                                verbose_name=_("用户"))
    role = models.CharField(_("角色"), max_length=10,
                            choices=[(r.value, ROLE_LABELS[r]) for r in Role])
    scope = models.CharField(_("范围"), max_length=12, blank=True, default="",
                             help_text=_("区县 6 位、街道 9 位、社区 12 位代码；空为全市"))

    class Meta:
        verbose_name = _("账号角色")
        verbose_name_plural = pgettext_lazy("plural", "账号角色")
        constraints = [models.CheckConstraint(
            condition=models.Q(scope__regex=r"^([0-9]{6}|[0-9]{9}|[0-9]{12})?$"),
            name="account_scope_code")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.scope or _('全市')}"

    def clean(self) -> None:
        problem = scope_problem(Role(self.role), self.scope)
        if problem:
            raise ValidationError({"scope": ValidationError(problem, code="scope_level")})
        try:
            check_scope(self.scope)
        except ScopeError as exc:
            raise ValidationError({"scope": ValidationError(str(exc), code="unknown_scope")}
                                  ) from exc

    @classmethod
    def assign(cls, user: Any, role: Role, scope: str) -> Account:
        """Give ``user`` a role and scope (validated); staff may then log in to the admin."""
        with transaction.atomic():
            account = cls.objects.select_for_update().filter(user=user).first() or cls(user=user)
            account.role, account.scope = role.value, scope
            account.full_clean(exclude=["user"])
            account.save()
            if not getattr(user, "is_staff", False):
                user.is_staff = True
                user.save(update_fields=["is_staff"])
        return account


def account_of(user: Any) -> Account | None:
    """The user's account (None: none), read once per user object (a request's user)."""
    if not hasattr(user, "_account_cache"):
        user._account_cache = Account.objects.filter(user_id=user.pk).first()
    account: Account | None = user._account_cache
    return account


class PersonalDataAccess(models.Model):
    """One unmasked view of members' personal data: who, when, where, which members."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True,
                             verbose_name=_("用户"))
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    channel = models.CharField(_("途径"), max_length=20)
    path = models.CharField(_("地址"), max_length=300, blank=True, default="")
    member_ids = models.JSONField(_("党员"), default=list)
    count = models.PositiveIntegerField(_("人数"), default=0)

    class Meta:
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = pgettext_lazy("plural", "个人信息查看记录")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} {self.channel} {self.count} @ {self.at:%Y-%m-%d %H:%M}"

    @classmethod
    def record(cls, user: object, channel: str, path: str, member_ids: list[int]) -> None:
        """Log that ``user`` saw these members unmasked."""
        log.info("personal data: user=%s channel=%s path=%s members=%d",
                 getattr(user, "username", None), channel, path, len(member_ids))
        cls.objects.create(user=user if getattr(user, "is_authenticated", False) else None,
                           channel=channel, path=path[:300], member_ids=member_ids[:10_000],
                           count=len(member_ids))


class LoginLock(models.Model):
    """Failed logins of one user name; past the limit the name is locked until ``until``.

    Kept by user name, not user, so that guessing a name that does not exist looks the same
    as guessing one that does. Deleting the row unlocks the account (admin action or
    ``manage.py account USER --unlock``).
    """

    username = models.CharField(_("用户名"), max_length=150, unique=True)
    failures = models.PositiveIntegerField(_("连续失败次数"), default=0)
    last_failure = models.DateTimeField(_("最近失败"), null=True, blank=True)
    until = models.DateTimeField(_("锁定至"), null=True, blank=True)

    class Meta:
        verbose_name = _("登录锁定")
        verbose_name_plural = pgettext_lazy("plural", "登录锁定")

    def __str__(self) -> str:
        return f"{self.username} ({self.failures})"

    @classmethod
    def is_locked(cls, username: str) -> bool:
        """Whether logins with this name are refused now."""
        from django.utils import timezone

        return cls.objects.filter(username=username, until__gt=timezone.now()).exists()

    @classmethod
    def record_failure(cls, username: str) -> None:
        """Count a failed login; lock the name once the limit is reached."""
        from datetime import timedelta

        from django.db.models import F
        from django.utils import timezone

        now = timezone.now()
        with transaction.atomic():
            lock, _ = cls.objects.select_for_update().get_or_create(username=username[:150])
            lock.failures = F("failures") + 1
            lock.last_failure = now
            lock.save(update_fields=["failures", "last_failure"])
            lock.refresh_from_db(fields=["failures"])
            if lock.failures >= settings.LOGIN_MAX_FAILURES and (
                    lock.until is None or lock.until <= now):
                seconds = settings.LOGIN_LOCK_SECONDS
                # 0 means until an administrator unlocks it: a century is "until then".
                lock.until = now + timedelta(seconds=seconds or 100 * 365 * 86400)
                lock.save(update_fields=["until"])
                log.warning("login locked: username=%s failures=%d", username, lock.failures)

    @classmethod
    def unlock(cls, username: str) -> bool:
        """Forget the failures of this name; True when it had any."""
        deleted, _ = cls.objects.filter(username=username).delete()
        return bool(deleted)
