"""The report's interactive map with folium, its scripts and styles inlined for offline use.

folium links Leaflet, jQuery and Bootstrap from CDNs by default. The map here needs only
Leaflet, which ``make setup`` installs from npm into ``webmap/static/vendor/leaflet``;
:func:`map_parts` replaces those links with the files' contents (images as data URIs)
and refuses to return any part that still names another host.
"""

from __future__ import annotations

import base64
import html
import json
import re
from pathlib import Path
from typing import Any

import folium
import shapely
from branca.element import Element, Figure, MacroElement
from django.utils.translation import gettext as _
from jinja2 import Template

from .document import ReportDocument
from .figures import NO_DATA, legend_labels, ratio_colour

LEAFLET_DIR = Path(__file__).resolve().parent.parent / "static" / "vendor" / "leaflet"
LOCAL = "wangge-local:"
PRECISION = 1e-6  # degrees (about 0.1 m): enough for a map, a third of the bytes
STATUS_STYLE = {"signed": ("#1b5e20", None), "confirmed": ("#283593", None),
                "proposed": ("#8e24aa", "6 4")}


class OfflineAssetError(RuntimeError):
    """The map would load something from the network, or a local asset is missing."""


def tip(text: str) -> str:
    """Text for a folium tooltip or popup, which lands in HTML inside a JS template literal.

    ``<`` would become markup and `` ` `` or ``${`` would end or run code in the literal,
    so a community named ``<img onerror=…>`` or ``${…}`` shows as that text instead.
    """
    return (html.escape(str(text), quote=True).replace("`", "&#96;").replace("$", "&#36;")
            .replace("\\", "&#92;"))


def _geojson(frame: Any) -> dict[str, Any]:
    out = frame.copy()
    out.geometry = shapely.set_precision(out.geometry.to_numpy(), PRECISION)
    data: dict[str, Any] = json.loads(out.to_json(na="null"))
    # GeoJsonTooltip puts property values into innerHTML as they are.
    for feature in data["features"]:
        props = feature["properties"]
        for key, value in props.items():
            if isinstance(value, str):
                props[key] = tip(value)
    return data


def folium_map(doc: ReportDocument) -> folium.Map:
    """Choropleth, reach areas, centers, uncovered compounds and pairing lines."""
    t = doc.meta["profile"]["facility_ratio_m2_per_100_households"]
    minx, miny, maxx, maxy = doc.layers.scope.total_bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], tiles=None,
                   prefer_canvas=True, control_scale=True, zoom_start=14,
                   zoom_snap=0.25)
    m.default_js = [("leaflet", LOCAL + "leaflet.js")]
    m.default_css = [("leaflet_css", LOCAL + "leaflet.css")]
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    roads = doc.layers.roads
    if len(roads):
        folium.GeoJson(_geojson(roads), name=_("道路"), interactive=False,
                       style_function=lambda f: {"color": "#9e9e9e", "weight": 1,
                                                 "opacity": 0.8}).add_to(m)
    comms = doc.layers.communities.copy()
    comms["fill"] = [ratio_colour(v, t) for v in comms["m2_per_100_households"]]
    comms["ratio"] = [None if v is None or v != v else round(float(v), 1)
                      for v in comms["m2_per_100_households"]]
    comms = comms.drop(columns=["m2_per_100_households"])
    folium.GeoJson(
        _geojson(comms), name=_("每百户面积 m²"),
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#424242",
                                  "weight": 1, "fillOpacity": 0.65},
        highlight_function=lambda f: {"weight": 3},
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "code", "households", "ratio", "status_label", "shortfall_m2"],
            aliases=[_("社区"), _("代码"), _("户数"), _("每百户面积 m²"), _("达标情况"),
                     _("缺口 m²")]),
    ).add_to(m)
    reach = doc.layers.reach_areas
    for r in doc.reaches:
        part = reach[reach["reach_m"] == r]
        if not len(part):
            continue
        area = part.geometry.iloc[0].simplify(2e-5)
        group = folium.FeatureGroup(name=_("%(m)s 米步行范围") % {"m": int(r)},
                                    show=r == doc.reaches[len(doc.reaches) // 2])
        folium.GeoJson(shapely.geometry.mapping(shapely.set_precision(area, PRECISION)),
                       style_function=lambda f: {"color": "#004d40", "weight": 1.5,
                                                 "fillColor": "#26a69a", "fillOpacity": 0.12},
                       interactive=False).add_to(group)
        group.add_to(m)
    centers = folium.FeatureGroup(name=_("服务中心"))
    for c in doc.layers.centers.itertuples(index=False):
        folium.CircleMarker(
            [c.geometry.y, c.geometry.x], radius=6, weight=1, color="#0d47a1",
            fill=True, fill_color="#1565c0" if c.licensed else "#90a4ae", fill_opacity=0.9,
            tooltip=tip((_("%(name)s（%(area).0f m²）") if c.licensed else
                         _("%(name)s（%(area).0f m²，未挂牌）")) % {
                             "name": c.name, "area": c.floor_area}),
        ).add_to(centers)
    centers.add_to(m)
    unc = folium.FeatureGroup(name=_("未覆盖小区"))
    for u in doc.layers.uncovered.itertuples(index=False):
        far = _("不可达") if u.distance_m is None else f"{u.distance_m:.0f} m"
        folium.CircleMarker(
            [u.geometry.y, u.geometry.x], radius=8, color="#d50000", weight=2, fill=True,
            fill_opacity=0.5, tooltip=tip(_("%(name)s：%(households)s 户，最近中心 %(far)s") % {
                "name": u.name, "households": u.households, "far": far}),
            class_name="uncovered-compound",
        ).add_to(unc)
    unc.add_to(m)
    lines = folium.FeatureGroup(name=_("结对连线"))
    for p in doc.layers.pairings.itertuples(index=False):
        colour, dash = STATUS_STYLE.get(p.status, ("#616161", None))
        dist = "—" if p.distance_m is None else f"{p.distance_m:.0f} m"
        folium.PolyLine([(y, x) for x, y in p.geometry.coords], color=colour, weight=2.5,
                        dash_array=dash,
                        tooltip=tip(_("%(unit)s → %(community)s（%(distance)s）") % {
                            "unit": p.unit, "community": p.community, "distance": dist})
                        ).add_to(lines)
    lines.add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    rows = "".join(f'<div><i style="background:{c}"></i>{lab}</div>'
                   for c, lab in legend_labels(t))
    legend = (f'<div class="wg-legend"><b>{html.escape(_("每百户面积 m²"))}</b>{rows}'
              f'<div><i style="background:{NO_DATA}"></i>{html.escape(_("无户数"))}</div></div>')
    root: Figure = m.get_root()  # type: ignore[assignment]
    root.html.add_child(Element(legend))
    m.add_child(_credits(m, doc.meta.get("credit") or ""))
    return m


def _credits(m: folium.Map, credit: str) -> MacroElement:
    """The data's credits, not the library's (Leaflet's default prefix carries a flag).

    A child of the map renders its script after the map exists.
    """
    element = MacroElement()
    element._template = Template(
        "{% macro script(this, kwargs) %}" + m.get_name() + ".attributionControl.setPrefix(false);"
        + m.get_name() + ".attributionControl.addAttribution(" + json.dumps(credit)
        + ");{% endmacro %}")
    return element


def _data_uri(path: Path, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(path.read_bytes()).decode()


def _local(name: str) -> str:
    path = LEAFLET_DIR / name
    if not path.is_file():
        raise OfflineAssetError(f"{path} is missing: run `make setup` (npm installs Leaflet)")
    text = path.read_text(encoding="utf-8")
    if name.endswith(".css"):
        def image(mt: re.Match[str]) -> str:
            return "url(" + _data_uri(LEAFLET_DIR / "images" / mt.group(1), "image/png") + ")"

        text = re.sub(r"url\((?:\"|')?images/([\w.-]+)(?:\"|')?\)", image, text)
    return text


def _inline(html: str) -> str:
    def script(mt: re.Match[str]) -> str:
        return "<script>" + _local(mt.group(1)).replace("</script", "<\\/script") + "</script>"

    def style(mt: re.Match[str]) -> str:
        return "<style>" + _local(mt.group(1)) + "</style>"

    # Checked before inlining: Leaflet's own code names leafletjs.com in a link, harmlessly.
    remote = re.findall(r'(?:src|href)\s*=\s*["\']((?:https?:)?//[^"\']+)', html)
    if remote:
        raise OfflineAssetError(f"the report map would load {remote[0]} from the network")
    html = re.sub(rf'<script src="{LOCAL}([\w.-]+)"></script>', script, html)
    return re.sub(rf'<link rel="stylesheet" href="{LOCAL}([\w.-]+)"\s*/?>', style, html)


def map_parts(m: folium.Map) -> tuple[str, str, str]:
    """(head, body, script) of the map with every asset inline; no external references."""
    root: Figure = m.get_root()  # type: ignore[assignment]
    root.render()
    head = _inline(root.header.render())
    body = _inline(root.html.render())
    script = root.script.render()
    return head, body, script
