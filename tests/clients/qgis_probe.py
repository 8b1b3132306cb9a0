"""Run by Debian's python3 (python3-qgis), headless: open our layers in QGIS, print JSON.

Usage: python3 qgis_probe.py BASE_URL OUT_PNG
Prints {"oapif": {collection: {"valid", "count", "fields", "iterated"}}, "tiles": {...}}.
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsMapRendererSequentialJob,
    QgsMapSettings,
    QgsRectangle,
    QgsVectorLayer,
    QgsVectorTileLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor


def main() -> None:
    base, png = sys.argv[1], sys.argv[2]
    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    out: dict[str, dict[str, object]] = {"oapif": {}, "tiles": {}}
    layers: dict[str, QgsVectorLayer] = {}
    for cid in ("grids", "centers", "communities"):
        layer = QgsVectorLayer(f"url='{base}/ogcapi' typename='{cid}' pageSize='50'", cid,
                               "OAPIF")
        info = {"valid": layer.isValid()}
        if layer.isValid():
            info["count"] = layer.featureCount()
            info["fields"] = [f.name() for f in layer.fields()]
            info["iterated"] = sum(1 for _ in layer.getFeatures())
            info["crs"] = layer.crs().authid()
        out["oapif"][cid] = info
        layers[cid] = layer
    uri = (f"type=xyz&url={base}/tiles/grids/%7Bz%7D/%7Bx%7D/%7By%7D.pbf"
           "&zmin=12&zmax=16")
    tiles = QgsVectorTileLayer(uri, "grids tiles")
    info = {"valid": tiles.isValid()}
    if tiles.isValid():
        # Frame the grids (from the OAPIF layer's extent) at about zoom 14, and render.
        extent = layers["grids"].extent()
        settings = QgsMapSettings()
        settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
        settings.setLayers([tiles])
        settings.setBackgroundColor(QColor(255, 255, 255))
        settings.setOutputSize(QSize(600, 600))
        from qgis.core import QgsCoordinateTransform, QgsProject
        tr = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:4326"),
                                    QgsCoordinateReferenceSystem("EPSG:3857"),
                                    QgsProject.instance())
        merc = tr.transformBoundingBox(QgsRectangle(extent))
        c = merc.center()
        half = 1200.0  # metres: a 2.4 km square in the middle of the grids
        settings.setExtent(QgsRectangle(c.x() - half, c.y() - half, c.x() + half, c.y() + half))
        job = QgsMapRendererSequentialJob(settings)
        job.start()
        job.waitForFinished()
        image = job.renderedImage()
        image.save(png)
        drawn = 0
        for x in range(0, 600, 3):
            for y in range(0, 600, 3):
                if image.pixelColor(x, y) != QColor(255, 255, 255):
                    drawn += 1
        info["drawn_samples"] = drawn
        info["samples"] = 200 * 200
    out["tiles"] = info
    print(json.dumps(out), flush=True)
    del tiles, layers
    app.exitQgis()
    # QGIS 3.22's Python bindings crash while the interpreter tears down after exitQgis():
    # the answer is out, leave without the teardown.
    os._exit(0)


if __name__ == "__main__":
    main()
