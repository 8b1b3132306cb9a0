"""The services' result types and the API's documented schemas say the same keys.

mypy holds each service to its TypedDict (geo/services/results.py); this holds the OpenAPI
schemas (webmap/api/schemas.py) to the types, and test_it_api_schema holds real answers to
the schemas: a key added in one place and not the others fails one of the three.
"""

from __future__ import annotations

from typing import Any

import pytest
from drf_spectacular.plumbing import resolve_type_hint

from geo.services import results as r
from webmap.api import schemas as sch

PAIRS = [
    ("nearest", sch.NEAREST, r.NearestAnswer),
    ("coverage", sch.COVERAGE, r.CoverageReport),
    ("facility", sch.FACILITY, r.FacilityReport),
    ("grid checks", sch.GRID_CHECKS, r.GridChecksReport),
    ("members", sch.MEMBERS, r.MembersReport),
    ("pairing", sch.PAIRING, r.PairingAnswer),
    ("search hit", sch.SEARCH["properties"]["results"]["items"], r.SearchHit),
]


def disagreements(documented: dict[str, Any], typed: dict[str, Any], at: str) -> list[str]:
    """Where the documented schema and the type's schema differ in keys or promises.

    A documented required key must be required by the type (the type may promise more);
    both must name the same keys. Free-form objects on either side end the comparison.
    """
    if documented.get("type") == "array" and typed.get("type") == "array":
        return disagreements(documented.get("items", {}), typed.get("items", {}), at + "[]")
    doc_props, type_props = documented.get("properties"), typed.get("properties")
    if not doc_props or not type_props:
        return []
    out = []
    if set(doc_props) != set(type_props):
        out.append(f"{at}: documented {sorted(doc_props)} vs typed {sorted(type_props)}")
    loose = set(documented.get("required", [])) - set(typed.get("required", []))
    if loose:
        out.append(f"{at}: documented as always present but optional in the type: {loose}")
    for key in set(doc_props) & set(type_props):
        out += disagreements(doc_props[key], type_props[key], f"{at}.{key}")
    return out


@pytest.mark.parametrize(("name", "documented", "result_type"), PAIRS,
                         ids=[p[0] for p in PAIRS])
def test_it_documents_what_the_services_return(name: str, documented: dict[str, Any],
                                               result_type: type) -> None:
    assert disagreements(documented, resolve_type_hint(result_type), name) == []


def test_it_notices_a_key_missing_from_either_side() -> None:
    typed = resolve_type_hint(r.SearchHit)
    trimmed = {**typed, "properties": {k: v for k, v in typed["properties"].items()
                                       if k != "score"}}
    assert disagreements(trimmed, typed, "hit")
    assert disagreements({**typed, "required": [*typed["required"], "extra"]},
                         {**typed, "properties": {**typed["properties"], "extra": {}}}, "hit")
