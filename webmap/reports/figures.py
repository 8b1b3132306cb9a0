"""Static maps and charts of a report as PNG bytes (matplotlib, offline, Chinese labels)."""

from __future__ import annotations

import io
import math
import shutil
import subprocess
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from matplotlib import font_manager
from matplotlib.artist import Artist
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from .document import PAIRING_STATUS_LABELS, ReportDocument

COLOURS = ["#b71c1c", "#ef6c00", "#fdd835", "#9ccc65", "#2e7d32"]
NO_DATA = "#bdbdbd"
ROAD_WIDTH = {"trunk": 1.4, "primary": 1.2, "secondary": 0.9, "tertiary": 0.7}
CJK_FONT_FILES = ("NotoSansCJK-Regular.ttc", "NotoSansCJKsc-Regular.otf",
                  "wqy-zenhei.ttc", "wqy-microhei.ttc")
DPI = 150


def ratio_breaks(threshold: float) -> list[float]:
    """Lower bounds of the 5 choropleth classes: 0, ⅓t, ⅔t, t, 1.5t (the staff page's)."""
    return [0.0, threshold / 3, 2 * threshold / 3, threshold, 1.5 * threshold]


def ratio_colour(value: float | None, threshold: float) -> str:
    if value is None or not np.isfinite(value):
        return NO_DATA
    klass = sum(1 for b in ratio_breaks(threshold) if value >= b) - 1
    return COLOURS[max(0, klass)]


def legend_labels(threshold: float) -> list[tuple[str, str]]:
    b = ratio_breaks(threshold)
    labels = [f"{b[i]:.0f}–{b[i + 1]:.0f}" for i in range(4)] + [f"≥ {b[4]:.0f}"]
    return list(zip(COLOURS, labels, strict=True))


@cache
def cjk_font() -> str | None:
    """Register a CJK font with matplotlib and return its family name (None if absent)."""
    paths = [Path(p) for p in font_manager.findSystemFonts()]
    found = next((p for name in CJK_FONT_FILES for p in paths if p.name == name), None)
    if found is None and shutil.which("fc-match"):
        out = subprocess.run(["fc-match", "-f", "%{file}", ":lang=zh-cn"], check=False,
                             capture_output=True, text=True).stdout.strip()
        found = Path(out) if out else None
    if found is None:
        return None
    font_manager.fontManager.addfont(str(found))
    family = font_manager.FontProperties(fname=str(found)).get_name()
    plt.rcParams["font.sans-serif"] = [family, "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    return family


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def _map_axes(doc: ReportDocument, title: str) -> tuple[Figure, plt.Axes]:
    cjk_font()
    minx, miny, maxx, maxy = doc.layers.scope.total_bounds
    lat0 = (miny + maxy) / 2
    aspect = 1 / math.cos(math.radians(lat0))
    width = 9.0
    height = min(12.0, max(4.0, width * (maxy - miny) * aspect / max(maxx - minx, 1e-9)))
    fig, ax = plt.subplots(figsize=(width, height))
    pad_x, pad_y = (maxx - minx) * 0.03, (maxy - miny) * 0.03
    ax.set_xlim(minx - pad_x, maxx + pad_x)
    ax.set_ylim(miny - pad_y, maxy + pad_y)
    ax.set_aspect(aspect)
    ax.set_title(title, fontsize=13)
    ax.set_xticks([])
    ax.set_yticks([])
    roads = doc.layers.roads
    if len(roads):
        segs = [np.asarray(g.coords) for g in roads.geometry]
        widths = [ROAD_WIDTH.get(h, 0.4) for h in roads["highway"]]
        # Above the fills, pale: streets read as the city's fabric without hiding colours.
        ax.add_collection(LineCollection(segs, colors="#ffffff", linewidths=widths,
                                         alpha=0.8, zorder=2.5))
    _scale_bar(ax, minx, miny, maxx, lat0)
    return fig, ax


def _scale_bar(ax: plt.Axes, minx: float, miny: float, maxx: float, lat0: float) -> None:
    metres_per_deg = 111_320 * math.cos(math.radians(lat0))
    span = (maxx - minx) * metres_per_deg
    length = 10 ** math.floor(math.log10(max(span / 4, 1)))
    for m in (5, 2):
        if length * m <= span / 4:
            length *= m
            break
    x0 = minx + (maxx - minx) * 0.03
    ax.plot([x0, x0 + length / metres_per_deg], [miny, miny], color="black", lw=2, zorder=9)
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.text(x0, miny, " " + label, va="bottom", fontsize=8, zorder=9)


def coverage_map(doc: ReportDocument) -> bytes:
    """The ratio choropleth with reach areas, centers and uncovered compounds."""
    t = doc.meta["profile"]["facility_ratio_m2_per_100_households"]
    scope = doc.meta["scope"]["name"]
    fig, ax = _map_axes(doc, _("%(scope)s 每百户面积与步行覆盖") % {"scope": scope})
    comms = doc.layers.communities
    colours = [ratio_colour(v, t) for v in comms["m2_per_100_households"]]
    comms.plot(ax=ax, color=colours, edgecolor="#424242", linewidth=0.6, alpha=0.7, zorder=2)
    reach = doc.layers.reach_areas
    if len(reach):
        mid = doc.reaches[len(doc.reaches) // 2]
        reach[reach["reach_m"] == mid].plot(ax=ax, facecolor="none", edgecolor="#004d40",
                                            linewidth=1.2, zorder=3)
    centers = doc.layers.centers
    if len(centers):
        lic = centers[centers["licensed"]]
        lic.plot(ax=ax, color="#1565c0", markersize=18, marker="^", zorder=5)
    unc = doc.layers.uncovered
    if len(unc):
        unc.plot(ax=ax, color="#d50000", markersize=40, marker="X", zorder=6)
    for geom, name in zip(comms.geometry, comms["name"], strict=True):
        p = geom.representative_point()
        ax.text(p.x, p.y, name, fontsize=6, ha="center", va="center", zorder=7,
                color="#212121")
    handles: list[Artist] = [Patch(facecolor=c, edgecolor="#424242",
                                   label=_("%(bin)s m²/百户") % {"bin": lab})
                             for c, lab in legend_labels(t)]
    handles.append(Patch(facecolor=NO_DATA, label=_("无户数")))
    handles.append(plt.Line2D([], [], color="#00897b",
                              label=_("%(m)s 米步行范围边界") % {
                                  "m": int(doc.reaches[len(doc.reaches) // 2])}))
    handles.append(plt.Line2D([], [], color="#1565c0", marker="^", ls="", label=_("可挂牌中心")))
    handles.append(plt.Line2D([], [], color="#d50000", marker="X", ls="",
                              label=_("%(m)s 米外小区") % {"m": int(max(doc.reaches))}))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    ax.set_xlabel("")
    ax.set_ylabel("")
    return _png(fig)


def pairing_map(doc: ReportDocument) -> bytes:
    """Pairing lines from co-building units to communities, by status."""
    fig, ax = _map_axes(doc, _("%(scope)s 结对共建") % {"scope": doc.meta["scope"]["name"]})
    comms = doc.layers.communities
    comms.plot(ax=ax, facecolor="#fafafa", edgecolor="#616161", linewidth=0.6, zorder=2)
    styles = {"signed": ("#1b5e20", "-"), "confirmed": ("#283593", "-"),
              "proposed": ("#8e24aa", "--")}
    lines = doc.layers.pairings
    handles: list[Artist] = []
    for status, (colour, ls) in styles.items():
        part = lines[lines["status"] == status]
        if len(part):
            part.plot(ax=ax, color=colour, linestyle=ls, linewidth=1.4, zorder=4)
            starts = np.array([g.coords[0] for g in part.geometry])
            ax.scatter(starts[:, 0], starts[:, 1], s=14, color=colour, zorder=5)
            label = _("%(status)s（%(n)s）") % {"status": PAIRING_STATUS_LABELS[status],
                                                "n": len(part)}
            handles.append(plt.Line2D([], [], color=colour, ls=ls, label=label))
    for geom, name in zip(comms.geometry, comms["name"], strict=True):
        p = geom.representative_point()
        ax.text(p.x, p.y, name, fontsize=6, ha="center", va="center", zorder=7)
    if not handles:
        handles.append(Patch(facecolor="none", label=_("无结对")))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    ax.set_xlabel("")
    ax.set_ylabel("")
    return _png(fig)


def ratio_chart(doc: ReportDocument) -> bytes:
    """Communities by m² per 100 households, against the threshold."""
    cjk_font()
    t = doc.meta["profile"]["facility_ratio_m2_per_100_households"]
    values = doc.communities["m2_per_100_households"].astype(float).dropna().to_numpy()
    fig, ax = plt.subplots(figsize=(7, 3.6))
    top = max(2 * t, float(values.max()) if len(values) else t) * 1.05
    edges = np.linspace(0, top, 21)
    counts, _edges = np.histogram(values, bins=edges)
    ax.bar(edges[:-1], counts, width=np.diff(edges), align="edge", edgecolor="white",
           color=[ratio_colour(left + 1e-9, t) for left in edges[:-1]])
    ax.axvline(t, color="black", ls="--", lw=1.2)
    ax.text(t, max(int(counts.max()), 1) * 0.95, " " + _("标准 %(t)s m²/百户") % {"t": f"{t:g}"},
            fontsize=9)
    ax.set_xlabel(_("每百户服务设施面积 (m²)"))
    ax.set_ylabel(_("社区数"))
    ax.set_title(str(TITLES["ratio_chart"]))
    return _png(fig)


def grid_chart(doc: ReportDocument) -> bytes:
    """Grids by households, against the profile's range."""
    cjk_font()
    low, high = doc.meta["profile"]["grid_households"]
    values = doc.samples.grid_households
    fig, ax = plt.subplots(figsize=(7, 3.6))
    top = max(high * 1.2, float(values.max()) if len(values) else high)
    ax.hist(values, bins=list(np.linspace(0, top, 25)), color="#5c6bc0", edgecolor="white")
    for v in (low, high):
        ax.axvline(v, color="#b71c1c", ls="--", lw=1.2)
    ax.axvspan(low, high, color="#c8e6c9", alpha=0.35, zorder=0)
    ax.set_xlabel(_("网格户数（范围 %(low)s–%(high)s）") % {"low": low, "high": high})
    ax.set_ylabel(_("网格数"))
    ax.set_title(str(TITLES["grid_chart"]))
    return _png(fig)


def distance_chart(doc: ReportDocument) -> bytes:
    """Households by walking distance to the nearest licensed center, with the reaches."""
    cjk_font()
    d = doc.samples.building_distance_m
    hh = doc.samples.building_households
    finite = np.isfinite(d)
    top = max(max(doc.reaches) * 1.5, float(d[finite].max()) if finite.any() else 0)
    fig, ax = plt.subplots(figsize=(7, 3.6))
    ax.hist(np.clip(d[finite], 0, top), bins=list(np.linspace(0, top, 31)), weights=hh[finite],
            color="#26a69a",
            edgecolor="white")
    ax.set_xlabel(_("到最近可挂牌中心的步行距离 (m)"))
    ax.set_ylabel(_("户数"))
    ax.set_title(str(TITLES["distance_chart"]))
    total = hh.sum()
    if total > 0:
        twin = ax.twinx()
        order = np.argsort(np.where(finite, d, np.inf))
        cum = np.cumsum(hh[order]) / total
        twin.plot(np.where(finite, d, top)[order], cum, color="#37474f", lw=1.2)
        twin.set_ylim(0, 1.02)
        twin.set_ylabel(_("累计户数占比"))
    for r in doc.reaches:
        ax.axvline(r, color="#b71c1c", ls="--", lw=1)
        ax.text(r, ax.get_ylim()[1] * 0.92, f" {int(r)} m", fontsize=8, color="#b71c1c")
    return _png(fig)


FIGURES = {"coverage_map": coverage_map, "pairing_map": pairing_map,
           "ratio_chart": ratio_chart, "grid_chart": grid_chart,
           "distance_chart": distance_chart}
TITLES = {"coverage_map": gettext_lazy("每百户面积、步行覆盖与未覆盖小区"),
          "pairing_map": gettext_lazy("结对共建连线"),
          "ratio_chart": gettext_lazy("每百户面积分布"),
          "grid_chart": gettext_lazy("网格户数分布"),
          "distance_chart": gettext_lazy("步行距离分布")}


def draw_all(doc: ReportDocument) -> None:
    """Fill ``doc.images`` with every map and chart."""
    for name, draw in FIGURES.items():
        doc.images[name] = draw(doc)
