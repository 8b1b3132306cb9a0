"""Read an OSM XML extract offline into GeoDataFrames (Django-free).

osmnx parses the file; nothing is fetched from the network. ``.osm`` and
``.osm.bz2`` are read directly; PBF is converted to XML with pyosmium first.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import osmium
import pandas as pd
from django.utils.translation import gettext as _
from shapely.geometry import LineString

# Ways a pedestrian may use, by OSM highway=* value (motorways and their links excluded).
WALKABLE = {
    "trunk", "trunk_link", "primary", "primary_link", "secondary", "secondary_link",
    "tertiary", "tertiary_link", "unclassified", "residential", "living_street", "service",
    "pedestrian", "footway", "path", "steps", "track", "cycleway",
}
# Mapping onto the model's road hierarchy.
HIGHWAY_CLASS = {
    "trunk": "trunk", "trunk_link": "trunk", "primary": "primary", "primary_link": "primary",
    "secondary": "secondary", "secondary_link": "secondary", "tertiary": "tertiary",
    "tertiary_link": "tertiary", "unclassified": "residential", "residential": "residential",
    "living_street": "living_street", "service": "service", "pedestrian": "pedestrian",
    "footway": "footway", "path": "path", "track": "path", "cycleway": "path", "steps": "steps",
}
FEATURE_TAGS: dict[str, bool | str | list[str]] = {
    "building": True,
    "landuse": ["residential", "commercial", "retail", "industrial", "education", "grass",
                "recreation_ground", "village_green", "park", "reservoir", "basin", "railway"],
    "natural": ["water"],
    "waterway": ["riverbank", "dock"],
    "leisure": ["park", "garden"],
    "amenity": ["school", "university", "college", "hospital", "clinic", "townhall", "police",
                "courthouse", "community_centre", "social_facility", "kindergarten",
                "bus_station"],
    "office": ["government", "company", "ngo", "association"],
    "railway": ["station", "halt"],
    "public_transport": ["station"],
}


def convert_osm(src: Path, dst: Path) -> None:
    """Copy an OSM file to another format (by suffix: .osm XML, .osm.pbf) with pyosmium."""
    if dst.exists():
        dst.unlink()
    with osmium.SimpleWriter(str(dst)) as writer:
        for obj in osmium.FileProcessor(str(src)):
            writer.add(obj)


class OsmReadError(ValueError):
    """The file cannot be read as an OSM extract; the message says why."""


def clip_to_extract(src: Path, dst: Path) -> int:
    """Write ``src`` to ``dst`` without references to nodes the file does not hold.

    An extract cut from a larger file keeps ways that run past its edge, naming nodes it
    does not contain; osmnx refuses such a file ("Some edges missing nodes"). Each such way
    keeps its longest run of nodes inside the extract (a closed way, an area cut open, is
    dropped). Returns how many ways were clipped; 0 means ``dst`` was not written.
    """
    present = {n.id for n in osmium.FileProcessor(str(src), osmium.osm.NODE)}
    broken = [w.id for w in osmium.FileProcessor(str(src), osmium.osm.WAY)
              if isinstance(w, osmium.osm.Way) and any(r.ref not in present for r in w.nodes)]
    if not broken:
        return 0
    cut = set(broken)
    if dst.exists():
        dst.unlink()
    with osmium.SimpleWriter(str(dst)) as writer:
        for obj in osmium.FileProcessor(str(src)):
            if not isinstance(obj, osmium.osm.Way) or obj.id not in cut:
                writer.add(obj)
                continue
            refs = [r.ref for r in obj.nodes]
            if refs[0] == refs[-1]:
                continue
            best: list[int] = []
            run: list[int] = []
            for ref in [*refs, None]:
                if ref is not None and ref in present:
                    run.append(ref)
                    continue
                if len(run) > len(best):
                    best = run
                run = []
            if len(best) >= 2:
                writer.add(obj.replace(nodes=best))
    return len(broken)


@dataclass
class OsmExtract:
    """Walkable edges and mapped features of one extract, in EPSG:4326."""

    source: str
    nodes: gpd.GeoDataFrame  # index: OSM node id; geometry: Point
    edges: gpd.GeoDataFrame  # columns: u, v, osm_way_id, highway, name, length_m, geometry
    features: gpd.GeoDataFrame  # buildings, residential areas, amenities and offices
    clipped_ways: int = 0  # ways cut at the extract's edge (clip_to_extract)


def _first(value: object) -> object:
    """osmnx keeps merged ways' tags as lists built from sets: pick one deterministically."""
    if isinstance(value, list):
        return min(value, key=lambda v: (str(type(v)), v)) if value else None
    return value


def read_osm(path: Path) -> OsmExtract:
    """Read walkable ways (largest connected part) and features from an OSM file.

    osmnx reads XML only; a ``.pbf`` is converted to XML first with pyosmium.
    """
    name = path.name.lower()
    if not path.exists():
        raise OsmReadError(_("%(path)s：文件不存在") % {"path": path})
    if name.endswith(".pbf"):
        with tempfile.TemporaryDirectory(prefix="wangge-pbf-") as tmp:
            xml = Path(tmp) / (path.name[: -len(".pbf")].removesuffix(".osm") + ".osm")
            try:
                convert_osm(path, xml)
            except RuntimeError as exc:
                raise OsmReadError(_("%(name)s 不是可读取的 OSM PBF 文件：%(error)s") % {
                    "name": path.name, "error": exc}) from exc
            try:
                extract = read_osm(xml)
            except OsmReadError as exc:  # name the user's file, not our temporary copy
                raise OsmReadError(str(exc).replace(xml.name, path.name)) from exc
        extract.source = path.name
        return extract
    if not (name.endswith(".osm") or name.endswith(".osm.bz2") or name.endswith(".xml")):
        raise OsmReadError(_("%(name)s：应为 OSM XML 文件（.osm 或 .osm.bz2）") % {
            "name": path.name})
    with tempfile.TemporaryDirectory(prefix="wangge-clip-") as tmp:
        clipped_path = Path(tmp) / "clipped.osm"
        try:
            clipped = clip_to_extract(path, clipped_path)
        except RuntimeError as exc:
            raise OsmReadError(_("%(name)s 不是可读取的 OSM XML 数据：%(error)s") % {
                "name": path.name, "error": exc}) from exc
        extract = _read_xml(clipped_path if clipped else path, path.name)
    extract.clipped_ways = clipped
    return extract


def _read_xml(path: Path, label: str) -> OsmExtract:
    """osmnx's reading of an OSM XML file whose every way has its nodes."""
    import networkx as nx  # osmnx and networkx on use: seconds of start-up otherwise
    import osmnx as ox

    try:
        graph = ox.graph_from_xml(path, simplify=True, retain_all=True)
    except Exception as exc:  # osmnx raises several types for a bad file
        raise OsmReadError(_("%(name)s 不是可读取的 OSM XML 数据：%(error)s") % {
            "name": label, "error": exc}) from exc
    keep = [(u, v, k) for u, v, k, hw in graph.edges(keys=True, data="highway")
            if _first(hw) in WALKABLE]
    walk = nx.MultiDiGraph(graph.edge_subgraph(keep))
    if walk.number_of_edges() == 0:
        raise OsmReadError(_("%(name)s 中没有可步行的道路") % {"name": label})
    und = walk.to_undirected()
    largest = max(nx.connected_components(und), key=len)
    und = und.subgraph(largest)
    nodes = gpd.GeoDataFrame(
        {"osm_id": list(und.nodes)},
        geometry=gpd.points_from_xy([und.nodes[n]["x"] for n in und.nodes],
                                    [und.nodes[n]["y"] for n in und.nodes]),
        crs="EPSG:4326",
    ).set_index("osm_id", drop=False)
    rows = []
    seen: set[tuple[int, int, object]] = set()
    for u, v, data in und.edges(data=True):
        if u == v:
            continue  # closed loops carry no shortest path
        geom = data.get("geometry") or LineString(
            [(und.nodes[u]["x"], und.nodes[u]["y"]), (und.nodes[v]["x"], und.nodes[v]["y"])]
        )
        key = (min(u, v), max(u, v), round(geom.length, 9))
        if key in seen:
            continue  # the two directions of a two-way street
        seen.add(key)
        hw = str(_first(data.get("highway")))
        rows.append({
            "u": u, "v": v, "osm_way_id": _first(data.get("osmid")),
            "highway": HIGHWAY_CLASS.get(hw, "other"),
            "name": str(_first(data.get("name")) or "")[:150],
            "geometry": geom,
        })
    edges = gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")
    edges["length_m"] = edges.to_crs(edges.estimate_utm_crs()).length
    edges = edges[edges["length_m"] > 0]
    try:
        features = ox.features_from_xml(path, tags=FEATURE_TAGS)
    except Exception:  # osmnx raises when no feature matches
        features = gpd.GeoDataFrame(columns=["geometry"], geometry="geometry", crs="EPSG:4326")
    features = features.reset_index()
    for col in ("name", "building", "landuse", "amenity", "office", "building:levels",
                "id", "element", "natural", "waterway", "leisure", "railway",
                "public_transport", "station"):
        if col not in features:
            features[col] = pd.NA
    return OsmExtract(label, nodes, edges, features)
