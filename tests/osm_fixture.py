"""Write a small synthetic OSM XML extract: a street lattice, compounds, buildings, amenities."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import quoteattr

LON0, LAT0 = 104.20, 30.70
STEP_LON, STEP_LAT = 0.0042, 0.0036  # about 400 m x 400 m blocks


def write_osm(path: Path, n: int = 7) -> Path:
    """An ``n`` x ``n`` lattice of roads with a residential compound and buildings per block."""
    nodes: list[str] = []
    ways: list[str] = []
    nid, wid = 1, 1

    def node(lon: float, lat: float, tags: dict[str, str] | None = None) -> int:
        nonlocal nid
        body = "".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in (tags or {}).items())
        nodes.append(f'<node id="{nid}" version="1" lat="{lat:.7f}" lon="{lon:.7f}">{body}</node>')
        nid += 1
        return nid - 1

    def way(refs: list[int], tags: dict[str, str]) -> None:
        nonlocal wid
        nds = "".join(f'<nd ref="{r}"/>' for r in refs)
        body = "".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items())
        ways.append(f'<way id="{wid}" version="1">{nds}{body}</way>')
        wid += 1

    grid = [[node(LON0 + i * STEP_LON, LAT0 + j * STEP_LAT) for j in range(n)] for i in range(n)]
    for i in range(n):
        cls = "primary" if i in (0, n - 1, n // 2) else "residential"
        way([grid[i][j] for j in range(n)], {"highway": cls, "name": f"测试{i}路"})
        way([grid[j][i] for j in range(n)], {"highway": cls, "name": f"测试{i}街"})
    for i in range(n - 1):
        for j in range(n - 1):
            x0, y0 = LON0 + i * STEP_LON, LAT0 + j * STEP_LAT
            m = 0.0003
            ring = [node(x0 + m, y0 + m), node(x0 + STEP_LON - m, y0 + m),
                    node(x0 + STEP_LON - m, y0 + STEP_LAT - m), node(x0 + m, y0 + STEP_LAT - m)]
            way([*ring, ring[0]], {"landuse": "residential", "name": f"测试{i}-{j}小区"})
            for k in range(2):
                bx, by = x0 + 0.0008 + k * 0.0015, y0 + 0.0008
                b = [node(bx, by), node(bx + 0.0006, by), node(bx + 0.0006, by + 0.0002),
                     node(bx, by + 0.0002)]
                way([*b, b[0]], {"building": "residential", "building:levels": "18"})
    lake = [node(LON0 - 0.004, LAT0), node(LON0 - 0.001, LAT0), node(LON0 - 0.001, LAT0 + 0.002),
            node(LON0 - 0.004, LAT0 + 0.002)]
    way([*lake, lake[0]], {"natural": "water", "name": "测试湖"})
    park = [node(LON0 - 0.004, LAT0 + 0.003), node(LON0 - 0.001, LAT0 + 0.003),
            node(LON0 - 0.001, LAT0 + 0.005)]
    way([*park, park[0]], {"leisure": "park", "name": "测试公园"})
    station = [node(LON0 - 0.004, LAT0 + 0.006), node(LON0 - 0.001, LAT0 + 0.006),
               node(LON0 - 0.001, LAT0 + 0.008), node(LON0 - 0.004, LAT0 + 0.008)]
    way([*station, station[0]], {"railway": "station", "name": "测试火车站"})
    metro = [node(LON0 - 0.004, LAT0 + 0.009), node(LON0 - 0.003, LAT0 + 0.009),
             node(LON0 - 0.003, LAT0 + 0.0095)]
    way([*metro, metro[0]], {"railway": "station", "station": "subway", "name": "测试地铁站"})
    node(LON0 + 0.5 * STEP_LON, LAT0 + 0.5 * STEP_LAT, {"amenity": "school", "name": "测试小学"})
    node(LON0 + 2.5 * STEP_LON, LAT0 + 1.5 * STEP_LAT,
         {"office": "government", "name": "测试区民政局"})
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="wangge-tests">\n'
        + "\n".join(nodes + ways) + "\n</osm>\n", encoding="utf-8")
    return path
