"""The coordinate reference systems /ogcapi/ serves (OGC API – Features Part 2, by reference).

Geometry is stored in WGS84 lon/lat (CRS84). EPSG:4326 and EPSG:4490 (CGCS2000, China's
national datum) are the same numbers in the OGC axis order, latitude first; EPSG:3857 is web
Mercator in metres. GCJ-02, the shifted lon/lat of Amap and Tencent maps, has no EPSG code:
it is offered as this server's own URI (an extension), lon/lat order like CRS84.
"""

from __future__ import annotations

from dataclasses import dataclass

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GCJ02 = "urn:wangge:def:crs:GCJ-02"


@dataclass(frozen=True)
class Crs:
    """One CRS: its URI, the PostGIS SRID to transform to (None: not an EPSG CRS)."""

    uri: str
    srid: int | None
    lat_first: bool = False
    digits: int = 7  # decimals of coordinates written: 1e-7° ≈ 1 cm, 0.01 m in metres

    @property
    def header(self) -> str:
        """The ``Content-Crs`` header value."""
        return f"<{self.uri}>"


SUPPORTED: dict[str, Crs] = {c.uri: c for c in [
    Crs(CRS84, 4326),
    Crs("http://www.opengis.net/def/crs/EPSG/0/4326", 4326, lat_first=True),
    Crs("http://www.opengis.net/def/crs/EPSG/0/4490", 4490, lat_first=True),
    Crs("http://www.opengis.net/def/crs/EPSG/0/3857", 3857, digits=2),
    Crs(GCJ02, None),
]}
DEFAULT = SUPPORTED[CRS84]


class CrsError(ValueError):
    """A CRS the server does not offer."""


def parse_crs(value: str | None) -> Crs:
    """The CRS a ``crs``/``bbox-crs`` parameter names (default CRS84).

    Accepts the URIs of :data:`SUPPORTED`, and ``[EPSG:4326]`` safe-CURIE or ``EPSG:4326``
    shorthands, which some clients send.
    """
    if not value:
        return DEFAULT
    raw = value.strip().strip("[]")
    if raw.upper().startswith("EPSG:"):
        raw = f"http://www.opengis.net/def/crs/EPSG/0/{raw[5:]}"
    elif raw.upper() in ("OGC:CRS84", "CRS84"):
        raw = CRS84
    crs = SUPPORTED.get(raw)
    if crs is None:
        raise CrsError(value)
    return crs
