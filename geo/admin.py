"""Admin pages for every model, with the offline map widget, scopes, versions and history."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .analysis.personal import masked
from .models import (
    Account,
    Building,
    CoBuildingUnit,
    Community,
    CommunityStaffing,
    Compound,
    DirectionSign,
    District,
    GridUnit,
    Job,
    Leader,
    LeaderLink,
    LoginLock,
    MemberActivity,
    Need,
    Pairing,
    PersonalDataAccess,
    Project,
    Rectification,
    RegionResult,
    RegionRun,
    ReportingMember,
    Resource,
    ServiceCenter,
    StarScore,
    Street,
    StreetStaffing,
    WalkEdge,
    WalkNode,
    Wish,
)
from .models.base import StaleVersion
from .roles import PERSONAL_DATA
from .services.access import (
    object_code,
    require_geometry_in_scope,
    require_in_scope,
    scope_filter,
    scope_of,
)
from .widgets import OfflineMapWidget

TRACKED_READONLY = ("origin", "source", "version", "created_at", "updated_at")


class VersionedForm(forms.ModelForm):
    """Carries the version the editor opened, so a save over someone else's is refused."""

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["base_version"].initial = self.instance.version


class ScopedAdmin(admin.ModelAdmin):
    """Lists only the user's scope; opening, saving or deleting outside it is a 403.

    A save is refused (409) when the row changed since the form was opened.
    """

    form = VersionedForm
    readonly_fields: ClassVar[tuple[str, ...]] = TRACKED_READONLY

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        scope = scope_of(request.user)
        return qs.none() if scope is None else qs.filter(scope_filter(self.model, scope))

    def get_object(self, request: HttpRequest, object_id: str,
                   from_field: str | None = None) -> Any:
        # Fetched unfiltered so that an object outside the scope is a 403, not "not found".
        field = self.model._meta.get_field(from_field) if from_field else self.model._meta.pk
        try:
            obj = self.model._default_manager.get(**{field.name: field.to_python(object_id)})
        except (self.model.DoesNotExist, ValueError, TypeError):
            return None
        self._check_scope(request, obj)
        return obj

    def _check_scope(self, request: HttpRequest, obj: Model) -> None:
        require_in_scope(request.user, object_code(obj))

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None
                       ) -> bool:
        # Django accepts any lookup on the model's own fields (?phone__startswith=138), which
        # answers yes/no about values the list masks; only the filters offered are accepted.
        offered: list[str] = [f if isinstance(f, str) else str(f[0]) for f in self.list_filter
                              if isinstance(f, (str, tuple))]
        if self.date_hierarchy:
            offered.append(str(self.date_hierarchy))
        if not any(lookup == f or lookup.startswith(f + "__") for f in offered):
            return False
        return super().lookup_allowed(lookup, value, request)  # type: ignore[arg-type]

    def save_model(self, request: HttpRequest, obj: Any, form: forms.ModelForm,
                   change: bool) -> None:
        self._check_scope(request, obj)  # where the edit puts it, not only where it was
        for name in ("geom", "location"):
            if name in form.changed_data and getattr(obj, name, None) is not None:
                require_geometry_in_scope(request.user, getattr(obj, name))
        if change and hasattr(obj, "save_if_current"):
            obj.save_if_current(form.cleaned_data.get("base_version"))
        else:
            super().save_model(request, obj, form, change)

    def delete_model(self, request: HttpRequest, obj: Model) -> None:
        self._check_scope(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self._check_scope(request, obj)
        super().delete_queryset(request, queryset)

    def changeform_view(self, request: HttpRequest, object_id: str | None = None,
                        form_url: str = "", extra_context: dict[str, Any] | None = None
                        ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except StaleVersion as exc:
            return HttpResponse(
                f"<h1>{escape(_('409 已被他人修改'))}</h1><p>{escape(str(exc))}</p>"
                f"<p>{escape(_('请重新打开此页，核对对方的修改后再保存。'))}</p>"
                f"<p><a href=\"{escape(request.path)}\">{escape(_('重新打开'))}</a></p>",
                status=409)


class MapAdmin(ScopedAdmin, GISModelAdmin):
    """Base admin: offline map widget, provenance read-only."""

    gis_widget = OfflineMapWidget


class ScopedHistoryAdmin(SimpleHistoryAdmin):
    """The per-object history pages, read-only and inside the user's scope.

    simple_history's record page is a change form whose POST saves the old record over the
    row without any permission, scope or version check; reverts go through the versioned
    history API (``/api/v1/history/``) instead, so that page only ever shows.
    """

    def _scoped_obj(self, request: HttpRequest, object_id: str) -> None:
        # ScopedAdmin.get_object refuses an object outside the scope with a 403.
        if self.get_object(request, object_id) is not None:
            return
        # Deleted: place it by its latest record.
        history = self.model.history.filter(
            **{self.model._meta.pk.attname: object_id}).order_by("-history_date").first()
        if history is not None:
            require_in_scope(request.user, object_code(history.instance))

    def history_view(self, request: HttpRequest, object_id: str,
                     extra_context: dict[str, Any] | None = None) -> HttpResponse:
        self._scoped_obj(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request: HttpRequest, object_id: str, version_id: str,
                          extra_context: dict[str, Any] | None = None) -> HttpResponse:
        if request.method != "GET":
            raise PermissionDenied(_("历史记录只读；请通过历史接口撤销"))
        self._scoped_obj(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def has_change_history_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedMapAdmin(MapAdmin, ScopedHistoryAdmin):
    """A map admin with the per-object history page (who, when, what changed)."""


@admin.register(District)
class DistrictAdmin(AuditedMapAdmin):
    list_display = ("code", "name", "origin")
    search_fields = ("code", "name")


@admin.register(Street)
class StreetAdmin(AuditedMapAdmin):
    list_display = ("code", "name", "district", "origin")
    list_filter = ("district",)
    search_fields = ("code", "name")


@admin.register(Community)
class CommunityAdmin(AuditedMapAdmin):
    list_display = ("code", "name", "street", "households", "population", "party_members",
                    "area_class", "code_provisional")
    list_filter = ("street", "area_class", "code_provisional", "origin")
    search_fields = ("code", "name")


@admin.register(GridUnit)
class GridUnitAdmin(AuditedMapAdmin):
    """Grid attributes; shapes, codes and the set of grids change only in /plan/.

    A community's grids must tile it; the plan editor's save checks that for the whole
    community under a lock, which a one-row admin form cannot, so here they are read-only.
    """

    list_display = ("code", "name", "community", "zone_type", "households", "leader")
    list_filter = ("zone_type", "community__street")
    search_fields = ("code", "name", "leader")
    list_select_related = ("community",)
    readonly_fields = (*TRACKED_READONLY, "community", "code", "geom", "households",
                       "households_estimated")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ServiceCenter)
class ServiceCenterAdmin(AuditedMapAdmin):
    list_display = ("name", "level", "floor_area", "licensed", "comprehensive", "community")
    list_filter = ("level", "licensed", "comprehensive")
    search_fields = ("name", "address")


@admin.register(CoBuildingUnit)
class CoBuildingUnitAdmin(AuditedMapAdmin):
    list_display = ("name", "unit_type", "party_members", "capacity", "candidate")
    list_filter = ("unit_type", "candidate")
    search_fields = ("name", "address")


@admin.register(Pairing)
class PairingAdmin(ScopedAdmin, ScopedHistoryAdmin):
    list_display = ("unit", "community", "distance_m", "method", "status", "agreement_date")
    list_filter = ("status", "method")
    raw_id_fields = ("unit", "community")


@admin.register(ReportingMember)
class ReportingMemberAdmin(MapAdmin):
    list_display = ("masked_name", "home_unit", "residence_community", "reported_community")
    list_filter = ("reported_community__street",)
    raw_id_fields = ("home_unit", "residence_community", "reported_community")

    @admin.display(description=_("姓名"))
    def masked_name(self, obj: ReportingMember) -> str:
        return masked("name", obj.name)  # lists stay masked for everyone

    @admin.display(description=_("电话"))
    def masked_phone(self, obj: ReportingMember) -> str:
        return masked("phone", obj.phone)

    @admin.display(description=_("身份证号"))
    def masked_id_number(self, obj: ReportingMember) -> str:
        return masked("id_number", obj.id_number)

    def get_search_fields(self, request: HttpRequest) -> tuple[str, ...]:
        # Searching by name would reveal names to those who may not see them.
        return ("name",) if request.user.has_perm(PERSONAL_DATA) else ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        fields = list(super().get_fields(request, obj))
        if obj is None or request.user.has_perm(PERSONAL_DATA):
            return fields
        return [f for f in fields if f not in ("name", "phone", "id_number")]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and not request.user.has_perm(PERSONAL_DATA):
            return ("masked_name", "masked_phone", "masked_id_number", *fields)
        return fields

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200 and \
                request.user.has_perm(PERSONAL_DATA):
            PersonalDataAccess.record(request.user, "admin", request.path, [int(object_id)])
        return response


@admin.register(MemberActivity)
class MemberActivityAdmin(ScopedAdmin, ScopedHistoryAdmin):
    list_display = ("pk", "member", "kind", "on", "community", "origin")
    list_filter = ("kind", "origin")
    date_hierarchy = "on"
    raw_id_fields = ("member",)
    exclude = ("community",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return (*super().get_readonly_fields(request, obj), "community")

    def save_model(self, request: HttpRequest, obj: Any, form: forms.ModelForm,
                   change: bool) -> None:
        # The activity counts where the member reports (and the scope check reads it).
        if not change or "member" in form.changed_data:
            obj.community_id = obj.member.reported_community_id
        super().save_model(request, obj, form, change)


@admin.register(CommunityStaffing)
class CommunityStaffingAdmin(ScopedAdmin, ScopedHistoryAdmin):
    list_display = ("community", "year", "posts", "social_workers", "funds_yuan")
    list_filter = ("year",)
    raw_id_fields = ("community",)


@admin.register(StreetStaffing)
class StreetStaffingAdmin(ScopedAdmin, ScopedHistoryAdmin):
    list_display = ("street", "year", "party_staff")
    list_filter = ("year",)
    raw_id_fields = ("street",)


@admin.register(Leader)
class LeaderAdmin(ScopedAdmin, ScopedHistoryAdmin):
    list_display = ("name", "position", "level", "district", "street")
    list_filter = ("level",)
    search_fields = ("name", "position")
    raw_id_fields = ("district", "street")


@admin.register(LeaderLink)
class LeaderLinkAdmin(ScopedAdmin, ScopedHistoryAdmin):
    list_display = ("leader", "community", "since", "until")
    list_filter = ("until",)
    raw_id_fields = ("leader", "community")


@admin.register(StarScore)
class StarScoreAdmin(ScopedAdmin, ScopedHistoryAdmin):
    list_display = ("community", "year", "star", "points")
    list_filter = ("year", "star")
    raw_id_fields = ("community",)


@admin.register(Rectification)
class RectificationAdmin(ScopedAdmin, ScopedHistoryAdmin):
    list_display = ("community", "year", "status", "leader", "opened_on", "closed_on")
    list_filter = ("year", "status")
    raw_id_fields = ("community", "leader", "opened_by")


@admin.register(Wish)
class WishAdmin(MapAdmin, ScopedHistoryAdmin):
    list_display = ("pk", "community", "category", "masked_person", "status", "posted_on")
    list_filter = ("status", "category")
    date_hierarchy = "posted_on"
    raw_id_fields = ("community", "member", "unit")

    @admin.display(description=_("心愿人"))
    def masked_person(self, obj: Wish) -> str:
        return masked("name", obj.person)  # lists stay masked for everyone

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        fields = list(super().get_fields(request, obj))
        if obj is None or request.user.has_perm(PERSONAL_DATA):
            return fields
        return [f for f in fields if f != "person"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and not request.user.has_perm(PERSONAL_DATA):
            return ("masked_person", *fields)
        return fields


@admin.register(Need)
class NeedAdmin(MapAdmin, ScopedHistoryAdmin):
    list_display = ("title", "community", "year", "kind", "quantity", "status")
    list_filter = ("year", "kind", "status")
    search_fields = ("title",)
    raw_id_fields = ("community",)


@admin.register(Resource)
class ResourceAdmin(ScopedAdmin, ScopedHistoryAdmin):
    list_display = ("title", "unit", "kind", "capacity", "available_from", "available_until",
                    "active")
    list_filter = ("kind", "active")
    search_fields = ("title",)
    raw_id_fields = ("unit",)


@admin.register(Project)
class ProjectAdmin(ScopedAdmin, ScopedHistoryAdmin):
    list_display = ("pk", "need", "resource", "quantity", "distance_m", "status", "method")
    list_filter = ("status", "method")
    raw_id_fields = ("need", "resource")


@admin.register(DirectionSign)
class DirectionSignAdmin(MapAdmin, ScopedHistoryAdmin):
    list_display = ("text", "center", "road", "walk_m", "households", "status")
    list_filter = ("status",)
    search_fields = ("text", "road")
    raw_id_fields = ("center",)


@admin.register(Compound)
class CompoundAdmin(MapAdmin):
    list_display = ("name", "community", "households", "households_estimated")
    search_fields = ("name",)
    raw_id_fields = ("community",)


@admin.register(Building)
class BuildingAdmin(MapAdmin):
    list_display = ("__str__", "compound", "levels", "households", "households_estimated")
    list_filter = ("residential", "households_estimated")
    raw_id_fields = ("compound", "community")


@admin.register(WalkNode)
class WalkNodeAdmin(GISModelAdmin):
    gis_widget = OfflineMapWidget
    list_display = ("id", "osm_id", "source")


@admin.register(WalkEdge)
class WalkEdgeAdmin(GISModelAdmin):
    gis_widget = OfflineMapWidget
    list_display = ("id", "name", "highway", "length_m")
    list_filter = ("highway",)
    search_fields = ("name",)
    raw_id_fields = ("start", "end")


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "scope")
    list_filter = ("role",)
    search_fields = ("user__username", "scope")
    raw_id_fields = ("user",)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def save_model(self, request: HttpRequest, obj: Account, form: forms.ModelForm,
                   change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not obj.user.is_staff:
            obj.user.is_staff = True
            obj.user.save(update_fields=["is_staff"])


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "channel", "count", "path")
    list_filter = ("channel",)
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SuperuserReadOnly(admin.ModelAdmin):
    """Operators' records: superusers look and delete; nobody edits them by hand."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)


@admin.register(LoginLock)
class LoginLockAdmin(SuperuserReadOnly):
    """Locked user names; deleting a row (or the action) unlocks it. Superusers only."""

    list_display = ("username", "failures", "last_failure", "until")
    search_fields = ("username",)
    readonly_fields = ("username", "failures", "last_failure", "until")
    actions = ("unlock",)

    @admin.action(description=_("解除锁定"))
    def unlock(self, request: HttpRequest, queryset: QuerySet[LoginLock]) -> None:
        queryset.delete()


@admin.register(Job)
class JobAdmin(SuperuserReadOnly):
    """Background jobs of every user (each user follows their own on /jobs/)."""

    list_display = ("id", "kind", "owner", "scope", "status", "done", "total", "attempts",
                    "created_at", "finished_at", "size")
    list_filter = ("status", "kind")
    search_fields = ("owner__username", "scope")
    # The file itself is not shown here: its owner downloads it, scope checked, on /jobs/.
    exclude = ("result",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Job]:
        return super().get_queryset(request).defer("result").select_related("owner")


class RegionResultInline(admin.TabularInline):
    model = RegionResult
    fields = ("code", "seconds", "peak_rss_mb", "worker", "finished_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RegionRun)
class RegionRunAdmin(SuperuserReadOnly):
    """``run_region`` runs with each city's (or district's) time, memory and worker."""

    list_display = ("id", "task", "scope", "level", "started_at", "finished_at")
    list_filter = ("task", "level")
    inlines = (RegionResultInline,)
