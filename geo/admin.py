"""Admin pages for every model, with the offline map widget."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.gis.admin import GISModelAdmin

from .models import (
    Building,
    CoBuildingUnit,
    Community,
    Compound,
    District,
    GridUnit,
    Pairing,
    ReportingMember,
    ServiceCenter,
    Street,
    WalkEdge,
    WalkNode,
)
from .widgets import OfflineMapWidget


class MapAdmin(GISModelAdmin):
    """Base admin: offline map widget, provenance read-only."""

    gis_widget = OfflineMapWidget
    readonly_fields: tuple[str, ...] = ("origin", "source", "version", "created_at", "updated_at")


@admin.register(District)
class DistrictAdmin(MapAdmin):
    list_display = ("code", "name", "origin")
    search_fields = ("code", "name")


@admin.register(Street)
class StreetAdmin(MapAdmin):
    list_display = ("code", "name", "district", "origin")
    list_filter = ("district",)
    search_fields = ("code", "name")


@admin.register(Community)
class CommunityAdmin(MapAdmin):
    list_display = ("code", "name", "street", "households", "population", "party_members",
                    "area_class", "code_provisional")
    list_filter = ("street", "area_class", "code_provisional", "origin")
    search_fields = ("code", "name")


@admin.register(GridUnit)
class GridUnitAdmin(MapAdmin):
    list_display = ("code", "name", "community", "zone_type", "households", "leader")
    list_filter = ("zone_type", "community__street")
    search_fields = ("code", "name", "leader")
    list_select_related = ("community",)


@admin.register(ServiceCenter)
class ServiceCenterAdmin(MapAdmin):
    list_display = ("name", "level", "floor_area", "licensed", "comprehensive", "community")
    list_filter = ("level", "licensed", "comprehensive")
    search_fields = ("name", "address")


@admin.register(CoBuildingUnit)
class CoBuildingUnitAdmin(MapAdmin):
    list_display = ("name", "unit_type", "party_members", "capacity", "candidate")
    list_filter = ("unit_type", "candidate")
    search_fields = ("name", "address")


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = ("unit", "community", "distance_m", "method", "status", "agreement_date")
    list_filter = ("status", "method")
    raw_id_fields = ("unit", "community")
    readonly_fields = ("origin", "source", "version", "created_at", "updated_at")


@admin.register(ReportingMember)
class ReportingMemberAdmin(MapAdmin):
    list_display = ("name", "home_unit", "residence_community", "reported_community")
    list_filter = ("reported_community__street",)
    search_fields = ("name",)
    raw_id_fields = ("home_unit", "residence_community", "reported_community")


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
