"""Export a layer to GeoJSON, GeoPackage, Shapefile (zip), KML, CSV or XLSX."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from geo.management.actor import actor_from, add_actor
from geo.models import PersonalDataAccess
from geo.models.scope import ScopeError, check_scope
from geo.roles import PERSONAL_DATA
from geo.services.errors import describe
from importers.export import layer_rows
from importers.fields import KINDS, kind_noun
from importers.sources import FileRejected
from importers.store import MODELS
from importers.writers import write_layer

# Field holding the hierarchy code that --scope filters on.
SCOPE_FIELD = {
    "districts": "code", "streets": "code", "communities": "code", "grids": "code",
    "centers": "community__code", "buildings": "community__code",
    "compounds": "community__code", "members": "reported_community__code",
}


class Command(BaseCommand):
    help = ("Export a layer with every attribute and Chinese headers: .geojson .gpkg "
            ".zip (Shapefile, UTF-8) .shp .kml .csv .xlsx")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("path", type=Path)
        parser.add_argument("--crs", default="wgs84",
                            help="wgs84 (default) | cgcs2000 | gcj02 | bd09 | EPSG:n")
        parser.add_argument("--scope", help="district/street/community code to export within")
        parser.add_argument("--with-personal-data", action="store_true",
                            help="members: write names, phones and ID numbers unmasked "
                                 "(needs --as USER allowed to see them; the export is logged)")
        add_actor(parser)

    def handle(self, *args: Any, **opts: Any) -> None:
        kind: str = opts["kind"]
        qs = MODELS[kind]._default_manager.all()
        if opts["scope"]:
            try:
                check_scope(opts["scope"])
            except ScopeError as exc:
                raise CommandError(describe(exc)) from exc
            if kind not in SCOPE_FIELD:
                raise CommandError(_("%(kind)s不属于行政层级；请去掉 --scope") % {
                    "kind": kind_noun(kind)})
            qs = qs.filter(**{f"{SCOPE_FIELD[kind]}__startswith": opts["scope"]})
        personal = opts["with_personal_data"] and kind == "members"
        if personal and not opts["as_user"]:
            raise CommandError(_("--with-personal-data 需要 --as 用户名：未脱敏的导出会记在"
                                 "提出导出的用户名下"))
        user = actor_from(opts, (PERSONAL_DATA,) if personal else (), opts["scope"] or "")
        rows, geoms = layer_rows(kind, qs, personal_data=personal)
        if not rows:
            raise CommandError((_("%(scope)s 内没有可导出的%(kind)s") if opts["scope"] else
                                _("没有可导出的%(kind)s")) % {
                "scope": opts["scope"], "kind": kind_noun(kind)})
        try:
            note = write_layer(kind, rows, geoms, opts["path"], opts["crs"])
        except FileRejected as exc:
            raise CommandError(f"[{exc.code}] {exc.message}") from exc
        if personal:
            PersonalDataAccess.record(user, "export", str(opts["path"]),
                                      list(qs.values_list("pk", flat=True)))
        masked = " (names, phones and ID numbers masked)" if kind == "members" and \
            not personal else ""
        self.stdout.write(self.style.SUCCESS(
            f"导出完成 Exported {len(rows):,} {kind} to {opts['path']}: {note}{masked}"))
