"""spopt's max-p regions for the grid-proposal benchmark; runs in var/bench-spopt.

Reads from stdin ``{"lo": 150, "communities": [{"code": ..., "units": [{"wkt": ...,
"households": ...}]}]}`` (unit polygons in local metres) and prints, per community, the
region of each unit (-1: none) and the seconds max-p took.
"""

from __future__ import annotations

import json
import signal
import sys
import time
import warnings

import geopandas as gpd
import libpysal
from shapely import wkt
from spopt.region import MaxPHeuristic

LIMIT_S = 30  # per community: max-p's construction can loop for many minutes


def _timeout(signum: int, frame: object) -> None:
    raise TimeoutError(f"max-p ran past {LIMIT_S} s")


def main() -> None:
    signal.signal(signal.SIGALRM, _timeout)
    job = json.load(sys.stdin)
    out = []
    for item in job["communities"]:
        gdf = gpd.GeoDataFrame(
            {"households": [u["households"] for u in item["units"]]},
            geometry=[wkt.loads(u["wkt"]) for u in item["units"]])
        gdf["cx"], gdf["cy"] = gdf.geometry.centroid.x, gdf.geometry.centroid.y
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            w = libpysal.weights.Rook.from_dataframe(gdf, use_index=False, silence_warnings=True)
            model = MaxPHeuristic(gdf, w, ["cx", "cy"], "households", job["lo"], top_n=2,
                                  max_iterations_construction=10)
            signal.alarm(LIMIT_S)
            try:
                model.solve()
                labels = [int(x) for x in model.labels_]
            except Exception as exc:  # an anchor that fails is a result, not a crash
                labels, item["error"] = [-1] * len(gdf), repr(exc)
            finally:
                signal.alarm(0)
        out.append({"code": item["code"], "labels": labels,
                    "seconds": time.perf_counter() - t0, "error": item.get("error")})
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
