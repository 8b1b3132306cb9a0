"""The pairing review under /api/v1/: a proposal with its fingerprint, saved only as reviewed."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from geo.models import Account, Pairing, Street
from geo.models.facilities import PairingStatus
from geo.roles import Role

pytestmark = pytest.mark.django_db


def _login(role: Role, scope: str, name: str) -> Client:
    client = Client()
    user = User.objects.create_user(name, password="pw-1")
    Account.assign(user, role, scope)
    client.force_login(user)
    return client


def test_it_saves_the_reviewed_proposal_and_refuses_a_stale_one(demo_db: None) -> None:
    street = Street.objects.order_by("code").first()
    assert street is not None
    planner = _login(Role.PLANNER, street.code, "planner-review")
    proposal = planner.get("/api/v1/pairing", {"metric": "straight"}).json()
    # Read with no scope asked: the planner's own street, said back for the save.
    assert proposal["scope"] == street.code and len(proposal["fingerprint"]) == 16
    body = {"scope": proposal["scope"], "metric": "straight"}
    stale = planner.post("/api/v1/pairing/save", {**body, "fingerprint": "0" * 16},
                         content_type="application/json")
    assert stale.status_code == 409, stale.content
    assert stale.json()["error"]["code"] == "conflict"
    assert stale.json()["fingerprint"] == proposal["fingerprint"]
    assert not Pairing.objects.filter(status=PairingStatus.PROPOSED,
                                      community__code__startswith=street.code,
                                      source="pair_units:straight").exists()
    ok = planner.post("/api/v1/pairing/save", {**body, "fingerprint": proposal["fingerprint"]},
                      content_type="application/json")
    assert ok.status_code == 200, ok.content
    unlocked = sum(1 for p in proposal["pairings"] if not p["locked"])
    assert ok.json()["saved"] == unlocked
    assert Pairing.objects.filter(status=PairingStatus.PROPOSED, source="pair_units:straight",
                                  community__code__startswith=street.code).count() == unlocked


def test_it_refuses_a_save_outside_the_scope_or_the_role(demo_db: None) -> None:
    first, second = Street.objects.order_by("code")[:2]
    planner = _login(Role.PLANNER, first.code, "planner-first")
    outside = planner.post("/api/v1/pairing/save", {"scope": second.code, "metric": "straight",
                                                    "fingerprint": "0" * 16},
                           content_type="application/json")
    assert outside.status_code == 403 and outside.json()["error"]["code"] == "forbidden"
    wide = planner.post("/api/v1/pairing/save", {"scope": "", "metric": "straight",
                                                 "fingerprint": "0" * 16},
                        content_type="application/json")
    assert wide.status_code == 403
    viewer = _login(Role.VIEWER, first.code, "viewer-first")
    assert viewer.get("/api/v1/pairing", {"metric": "straight"}).status_code == 200
    refused = viewer.post("/api/v1/pairing/save", {"scope": first.code, "metric": "straight",
                                                   "fingerprint": "0" * 16},
                          content_type="application/json")
    assert refused.status_code == 403
    anonymous = Client().post("/api/v1/pairing/save", {}, content_type="application/json")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "not_authenticated"
    bad = planner.post("/api/v1/pairing/save", {"scope": first.code, "metric": "bus",
                                                "fingerprint": "0" * 16},
                       content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "metric"
