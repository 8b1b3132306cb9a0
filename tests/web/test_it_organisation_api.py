"""/api/v1/staffing and /api/v1/leaders, the /organisation/ page and the report's section:
figures checked against the profile, writes inside the scope, 409 when someone saved first."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from geo.models import Community, CommunityStaffing, Leader, LeaderLink
from geo.roles import Role
from tests.web.helpers import role_client

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


def _community() -> Community:
    c = Community.objects.filter(code__startswith="510199").order_by("code").first()
    assert c is not None
    return c


def _put(client: Client, code: str, body: dict[str, Any], year: int = YEAR) -> Any:
    return client.put(f"/api/v1/staffing/communities/{code}/{year}", body,
                      content_type="application/json")


def test_it_answers_each_communitys_figures_against_the_rules(demo_db: None) -> None:
    viewer = role_client("o-viewer", Role.VIEWER, "510199")
    body = viewer.get("/api/v1/staffing", {"scope": "510199"}).json()
    rows = {r["code"]: r for r in body["communities"]}
    assert len(rows) == Community.objects.filter(code__startswith="510199").count()
    stored = {s.community.code: s for s in CommunityStaffing.objects.filter(
        year=YEAR, community__code__startswith="510199").select_related("community")}
    assert body["summary"]["reported"] == len(stored) > 0
    for code, r in rows.items():
        s = stored.get(code)
        assert r["reported"] == (s is not None)
        if s is None:
            assert not r["ok"] and r["posts"] is None
            continue
        need = 100_000 if r["households"] >= 3000 else 50_000
        assert r["funds_required_yuan"] == need
        assert r["funds_short_yuan"] == max(need - float(s.funds_yuan), 0)
        assert r["posts_short"] == max(8 - s.posts, 0)
        assert r["workers_over"] == max(s.social_workers - 10, 0)
    assert body["summary"]["ok"] == sum(r["ok"] for r in rows.values())
    assert {s["code"] for s in body["streets"]} == {c[:9] for c in rows}


def test_it_lets_community_staff_report_their_year_once_per_version(demo_db: None) -> None:
    c = _community()
    staff = role_client("o-staff", Role.STAFF, c.code)
    year = YEAR - 2
    made = _put(staff, c.code, {"posts": 10, "social_workers": 7, "funds_yuan": "50000"},
                year)
    assert made.status_code == 201 and made.json()["version"] == 1
    # Without the version read, or with an old one, a change is refused: someone saved.
    assert _put(staff, c.code, {"posts": 9, "social_workers": 7, "funds_yuan": "5"},
                year).status_code == 409
    changed = _put(staff, c.code, {"posts": 9, "social_workers": 7, "funds_yuan": "60000",
                                   "version": 1}, year)
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = _put(staff, c.code, {"posts": 1, "social_workers": 1, "funds_yuan": "1",
                                 "version": 1}, year)
    assert stale.status_code == 409 and stale.json()["version"] == 2
    row = CommunityStaffing.objects.get(community=c, year=year)
    assert (row.posts, int(row.funds_yuan)) == (9, 60_000)
    assert [h.history_user.username for h in row.history.all()] == ["o-staff", "o-staff"]


def test_it_refuses_bad_figures_and_other_peoples_communities(demo_db: None) -> None:
    c = _community()
    other = Community.objects.filter(code__startswith="510199").exclude(pk=c.pk).first()
    assert other is not None
    staff = role_client("o-staff2", Role.STAFF, c.code)
    good = {"posts": 10, "social_workers": 7, "funds_yuan": "50000"}
    assert _put(staff, other.code, good).status_code == 403
    assert _put(staff, c.code, {**good, "posts": -1}).json()["error"]["field"] == "posts"
    assert _put(staff, c.code, good, YEAR + 1).json()["error"]["field"] == "year"
    viewer = role_client("o-viewer2", Role.VIEWER, c.code)
    assert _put(viewer, c.code, good).status_code == 403
    # Street party staff are the street's: community staff may not write them.
    resp = staff.put(f"/api/v1/staffing/streets/{c.code[:9]}/{YEAR}", {"party_staff": 4},
                     content_type="application/json")
    assert resp.status_code == 403


def test_it_links_a_new_leader_and_ends_the_link_as_history(demo_db: None) -> None:
    c = _community()
    admin = role_client("o-admin", Role.ADMIN, "510199")
    since = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    body = {"community": c.code, "since": since, "note": "<script>x</script>",
            "new_leader": {"name": "赵六", "position": "街道党工委书记", "level": "street",
                           "district": "510199", "street": c.code[:9]}}
    made = admin.post("/api/v1/leaders/links", body, content_type="application/json")
    assert made.status_code == 201, made.content
    link = made.json()
    assert link["leader"]["name"] == "赵六" and link["community"] == c.code
    again = admin.post("/api/v1/leaders/links", {"community": c.code, "since": since,
                                                 "leader": link["leader"]["id"]},
                       content_type="application/json")
    assert again.status_code == 200 and again.json()["id"] == link["id"]
    listed = admin.get("/api/v1/leaders", {"scope": c.code[:9]}).json()
    assert link["id"] in [x["id"] for x in listed["communities"][c.code]]
    today = timezone.localdate().isoformat()
    url = f"/api/v1/leaders/links/{link['id']}/close"
    assert admin.post(url, {"until": today, "version": 9},
                      content_type="application/json").status_code == 409
    closed = admin.post(url, {"until": today, "version": 1}, content_type="application/json")
    assert closed.status_code == 200 and closed.json()["until"] == today
    assert admin.post(url, {"until": today, "version": 2},
                      content_type="application/json").status_code == 409
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    later = admin.get("/api/v1/leaders", {"scope": c.code[:9], "on": tomorrow}).json()
    assert link["id"] not in [x["id"] for x in later["communities"][c.code]]
    assert LeaderLink.objects.get(pk=link["id"]).history.count() == 2


def test_it_refuses_links_that_do_not_fit(demo_db: None) -> None:
    c = _community()
    admin = role_client("o-admin2", Role.ADMIN, "510199")
    since = timezone.localdate().isoformat()
    lead = {"name": "钱七", "position": "副区长", "level": "district", "district": "510199"}
    for body, field in [
        ({"community": c.code, "since": since}, "leader"),
        ({"community": c.code, "since": "2999-01-01", "new_leader": lead}, "since"),
        ({"community": "5101", "since": since, "new_leader": lead}, "community"),
        ({"community": c.code, "since": since, "new_leader": {**lead, "level": "city"}},
         "new_leader.level"),
    ]:
        resp = admin.post("/api/v1/leaders/links", body, content_type="application/json")
        assert resp.status_code == 400 and resp.json()["error"]["field"] == field, body
    viewer = role_client("o-viewer3", Role.VIEWER, "510199")
    assert viewer.post("/api/v1/leaders/links", {"community": c.code, "since": since,
                                                 "new_leader": lead},
                       content_type="application/json").status_code == 403
    assert not Leader.objects.filter(name="钱七").exists()


def test_it_serves_the_page_and_puts_the_figures_in_the_report(demo_db: None,
                                                               tmp_path: Path) -> None:
    viewer = role_client("o-viewer4", Role.VIEWER, "510199")
    page = viewer.get("/organisation/").content.decode()
    assert "人员经费与挂点领导" in page and 'id="staffing-form"' not in page
    assert Client().get("/organisation/").status_code == 302
    assert viewer.post("/sheets/parade/import").status_code == 404
    out = tmp_path / "r.json"
    call_command("coverage_report", "--scope", "510199001", "--output", str(out),
                 stdout=io.StringIO(), verbosity=0)
    data = json.loads(out.read_text(encoding="utf-8"))
    api = viewer.get("/api/v1/staffing", {"scope": "510199001"}).json()
    assert data["summary"]["staffing"]["ok"] == api["summary"]["ok"]
    assert [r["code"] for r in data["staffing"]] == [r["code"] for r in api["communities"]]
    assert all("leaders" in r for r in data["rectification"])
    xlsx = tmp_path / "r.xlsx"
    call_command("coverage_report", "--scope", "510199001", "--output", str(xlsx),
                 stdout=io.StringIO(), verbosity=0)
    ws = load_workbook(xlsx)["人员经费"]
    assert ws.max_row - 1 == len(api["communities"])
