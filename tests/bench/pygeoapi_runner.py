"""pygeoapi's PostgreSQL provider on the benchmark's buildings table, timed in process.

Run by bench_ogcapi.py with the bench-only environment's Python (var/bench-pygeoapi, made by
`make bench`): python pygeoapi_runner.py SOCKET_DIR PORT DBNAME USER ROUNDS OFFSET
Prints one JSON object: per case, the list of seconds per request and the features returned.
"""

import json
import os
import sys
import tempfile
import time

import yaml

BBOX = "104.1,30.7,104.2,30.8"  # as in bench_ogcapi.py


def main() -> None:
    socket_dir, port, dbname, user, rounds, offset = sys.argv[1:7]
    config = {
        "server": {"bind": {"host": "127.0.0.1", "port": 5000}, "url": "http://127.0.0.1:5000",
                   "mimetype": "application/json; charset=UTF-8", "encoding": "utf-8",
                   "language": "en-US", "limits": {"default_items": 10, "max_items": 10000},
                   "map": {"url": "http://127.0.0.1/{z}/{x}/{y}.png", "attribution": "none"}},
        "logging": {"level": "ERROR"},
        "metadata": {
            "identification": {"title": "bench", "description": "bench", "keywords": ["bench"],
                               "keywords_type": "theme", "terms_of_service": "none",
                               "url": "http://127.0.0.1"},
            "license": {"name": "none", "url": "http://127.0.0.1"},
            "provider": {"name": "bench", "url": "http://127.0.0.1"},
            "contact": {"name": "bench", "position": "bench", "address": "x", "city": "x",
                        "stateorprovince": "x", "postalcode": "x", "country": "x",
                        "phone": "x", "fax": "x", "email": "bench@example.org",
                        "url": "http://127.0.0.1", "hours": "x", "instructions": "x",
                        "role": "pointOfContact"}},
        "resources": {"buildings": {
            "type": "collection", "title": "buildings", "description": "buildings",
            "keywords": ["buildings"],
            "extents": {"spatial": {"bbox": [-180, -90, 180, 90],
                                    "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}},
            "providers": [{"type": "feature", "name": "PostgreSQL",
                           "data": {"host": socket_dir, "port": int(port), "dbname": dbname,
                                    "user": user, "password": ""},
                           "id_field": "id", "table": "geo_building", "geom_field": "geom"}]}},
    }
    folder = tempfile.mkdtemp(prefix="pygeoapi-")
    cfg_path = os.path.join(folder, "config.yml")
    with open(cfg_path, "w") as f:
        yaml.safe_dump(config, f)
    os.environ["PYGEOAPI_CONFIG"] = cfg_path
    api_path = os.path.join(folder, "openapi.yml")
    from pygeoapi.openapi import generate_openapi_document

    with open(cfg_path) as f:
        doc = generate_openapi_document(f, "yaml")
    with open(api_path, "w") as f:
        f.write(doc if isinstance(doc, str) else yaml.safe_dump(doc))
    os.environ["PYGEOAPI_OPENAPI"] = api_path
    from pygeoapi.flask_app import APP

    client = APP.test_client()
    cases = {"page 1": "/collections/buildings/items?limit=1000&f=json",
             "page 1000": f"/collections/buildings/items?limit=1000&offset={offset}&f=json",
             "bbox": f"/collections/buildings/items?limit=1000&bbox={BBOX}&f=json"}
    out = {}
    for name, url in cases.items():
        times, returned = [], 0
        client.get(url)  # warm: connection pool, table reflection
        for _ in range(int(rounds)):
            t = time.perf_counter()
            resp = client.get(url)
            body = resp.get_json()
            times.append(time.perf_counter() - t)
            returned = len(body["features"]) if body and "features" in body else -resp.status_code
        out[name] = {"times": times, "returned": returned}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
