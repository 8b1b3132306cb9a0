"""The OpenAPI document passes an independent validator (issue 16, "what goes out").

It failed on the ``reach`` parameter: default ``''`` with ``minLength: 1``.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from django.test import Client
from openapi_schema_validator import OAS30Validator
from openapi_spec_validator import validate

from geo.models import GridUnit, Pairing, ServiceCenter

pytestmark = pytest.mark.django_db


def test_it_serves_an_openapi_document_that_validates(settings: object) -> None:
    settings.API_DOCS = "public"  # type: ignore[attr-defined]
    resp = Client().get("/api/v1/schema/")
    assert resp.status_code == 200
    doc = yaml.safe_load(resp.content)
    validate(doc)  # raises on any violation of the OpenAPI 3 schema
    params = {p["name"]: p for p in doc["paths"]["/api/v1/coverage"]["get"]["parameters"]}
    reach = params["reach"]["schema"]
    assert reach.get("default") == "" and reach.get("minLength", 0) == 0


def _documented(doc: dict[str, Any], path: str, method: str, status: str) -> dict[str, Any]:
    content = doc["paths"][path][method]["responses"][status]["content"]
    schema = next(iter(content.values()))["schema"]
    # $refs point into the document's components: validate against a root that holds them.
    return {**schema, "components": doc["components"]}


def test_it_answers_as_its_schema_says(demo_db: None, settings: object,
                                       staff_client: Client) -> None:
    settings.API_DOCS = "public"  # type: ignore[attr-defined]
    doc = yaml.safe_load(Client().get("/api/v1/schema/").content)
    grid = GridUnit.objects.order_by("pk").first()
    pairing = Pairing.objects.order_by("pk").first()
    assert grid is not None and pairing is not None
    gets = {
        "/api/v1/centers/nearest": "?lon=104.16&lat=30.58&k=2",
        "/api/v1/coverage": "", "/api/v1/facility-ratio": "", "/api/v1/grid-checks": "",
        "/api/v1/members": "", "/api/v1/members/list": "?page_size=5",
        "/api/v1/pairing": "?metric=straight", "/api/v1/search": "?q=社区",
        "/api/v1/history/{kind}/{id}": "", "/api/v1/pairings/": "",
        "/api/v1/pairings/{id}/": "", "/api/v1/buildings/": "?page_size=3",
    }
    concrete = {"{kind}": "grids", "{id}": str(grid.pk)}
    errors: list[str] = []

    def check(path: str, method: str, status: str, body: Any) -> None:
        validator = OAS30Validator(_documented(doc, path, method, status))
        errors.extend(f"{method} {path} {status}: {e.message} at {list(e.absolute_path)}"
                      for e in validator.iter_errors(body))

    for path, query in gets.items():
        url = path
        for k, v in concrete.items():
            url = url.replace(k, v)
        if path == "/api/v1/pairings/{id}/":
            url = f"/api/v1/pairings/{pairing.pk}/"
        resp = staff_client.get(url + query)
        assert resp.status_code == 200, (url, resp.content[:300])
        body = resp.json()
        check(path, "get", "200", body)
        if path != "/api/v1/buildings/" and "{id}" not in path:
            assert body, path
    assert not errors, "\n".join(errors)
    # The grid editor's answers (TypedDicts of geo.services.plan, documented from the types).
    code = grid.community.code
    state = staff_client.get(f"/api/v1/plan/communities/{code}/").json()
    check("/api/v1/plan/communities/{code}/", "get", "200", state)
    drafts = {"grids": [{"id": f["id"], "geometry": f["geometry"]}
                        for f in state["grids"]["features"]]}
    checked = staff_client.post(f"/api/v1/plan/communities/{code}/check", drafts,
                                content_type="application/json")
    check("/api/v1/plan/communities/{code}/check", "post", "200", checked.json())
    saved = staff_client.post(f"/api/v1/plan/communities/{code}/save",
                              {**drafts, "base": state["base"], "note": "schema"},
                              content_type="application/json")
    check("/api/v1/plan/communities/{code}/save", "post", "200", saved.json())
    outdated = {**drafts, "base": {k: v - 1 for k, v in state["base"].items()}}
    conflict = staff_client.post(f"/api/v1/plan/communities/{code}/save", outdated,
                                 content_type="application/json")
    assert conflict.status_code == 409, conflict.content
    check("/api/v1/plan/communities/{code}/save", "post", "409", conflict.json())
    history = staff_client.get(f"/api/v1/plan/grids/{grid.code}/history").json()
    check("/api/v1/plan/grids/{code}/history", "get", "200", history)
    assert not errors, "\n".join(errors)
    # The revert answers: 200 with the new version, 409 with the current one when stale.
    center = ServiceCenter.objects.order_by("pk").first()
    assert center is not None
    center.name = center.name + "（改）"
    center.version += 1
    center.save()
    history = staff_client.get(f"/api/v1/history/centers/{center.pk}").json()
    check("/api/v1/history/{kind}/{id}", "get", "200", history)
    first = history["records"][-1]["history_id"]
    url = f"/api/v1/history/centers/{center.pk}/revert"
    stale = staff_client.post(url, {"history_id": first, "version": center.version - 1},
                              content_type="application/json")
    assert stale.status_code == 409, stale.content
    check("/api/v1/history/{kind}/{id}/revert", "post", "409", stale.json())
    ok = staff_client.post(url, {"history_id": first, "version": center.version},
                           content_type="application/json")
    assert ok.status_code == 200, ok.content
    check("/api/v1/history/{kind}/{id}/revert", "post", "200", ok.json())
    assert not errors, "\n".join(errors)


def test_it_gives_every_json_answer_a_schema(settings: object) -> None:
    settings.API_DOCS = "public"  # type: ignore[attr-defined]
    doc = yaml.safe_load(Client().get("/api/v1/schema/").content)
    vague = []
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            for status, answer in op["responses"].items():
                if not status.startswith("2"):
                    continue
                schema = next(iter(answer.get("content", {"-": {}}).values())).get("schema")
                if not schema or (schema.get("type") == "object" and "properties" not in schema):
                    vague.append(f"{method.upper()} {path} {status}")
    assert vague == []
