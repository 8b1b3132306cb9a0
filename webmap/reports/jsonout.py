"""The report as JSON: the same figures as the other formats, described by a JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .document import ReportDocument, records

SCHEMA_PATH = Path(__file__).resolve().parent / "coverage-report.schema.json"
SCHEMA_NAME = SCHEMA_PATH.name
SCHEMA_VERSION = 2  # 2: the weak list (rectification) comes from the star rating
COMMUNITY_KEYS = (
    "code", "name", "street_code", "street_name", "district_code", "district_name",
    "households", "population", "centers", "floor_area_m2", "m2_per_100_households",
    "required_m2", "shortfall_m2", "ratio_ok", "min_ok", "meets", "status",
    "covered_households", "worst_compound", "worst_compound_m", "grids", "grid_hh_min",
    "grid_hh_max", "grids_out_of_range", "grid_findings", "units", "pairing_cap",
    "over_pairing_cap", "members", "member_cap", "over_member_cap", "score",
)


def report_dict(doc: ReportDocument) -> dict[str, Any]:
    """Everything but the images, as plain JSON values."""
    shares = [c for c in doc.communities.columns if c.startswith("within_")]
    comms = records(doc.communities[[*COMMUNITY_KEYS, *shares]])
    for row in comms:
        row["shares"] = {k: row.pop(k) for k in shares}
    return {
        "$schema": SCHEMA_NAME,
        "schema_version": SCHEMA_VERSION,
        "meta": doc.meta,
        "summary": doc.summary,
        "communities": comms,
        "streets": records(doc.streets),
        "districts": records(doc.districts),
        "findings": doc.findings,
        "rectification": records(doc.rectification),
        "pairings": doc.pairings,
        "uncovered_compounds": doc.uncovered,
        "events": doc.events,
        "duties": doc.duties,
        "staffing": doc.staffing,
        "street_staffing": doc.street_staffing,
        "stars": doc.stars,
        "wishes": doc.wishes,
        "lists": doc.lists,
        "signs": doc.signs,
    }


def render_json(doc: ReportDocument) -> bytes:
    return json.dumps(report_dict(doc), ensure_ascii=False, indent=1).encode("utf-8")


def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded
