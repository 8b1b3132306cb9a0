"""The OpenAPI document passes an independent validator (issue 16, "what goes out").

It failed on the ``reach`` parameter: default ``''`` with ``minLength: 1``.
"""

from __future__ import annotations

import pytest
import yaml
from django.test import Client
from openapi_spec_validator import validate

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
