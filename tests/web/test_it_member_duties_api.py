"""/api/v1/members/duties and /activities, and the /members/duties/ page: who may read,
record and delete members' 五个一, masked names, 409 on a stale delete."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from geo.analysis.personal import mask_name
from geo.analysis.rules import load_profile
from geo.models import MemberActivity, PersonalDataAccess, ReportingMember
from geo.roles import Role
from geo.services.duties import member_duties
from tests.web.helpers import role_client

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = dt.date(TODAY.year - 2, 3, 8).isoformat()  # no demo record that far back


def _member() -> ReportingMember:
    m = (ReportingMember.objects.filter(reported_community__code__startswith="510199")
         .select_related("reported_community").order_by("pk").first())
    assert m is not None and m.reported_community is not None
    return m


def test_it_answers_the_years_completion_masked(demo_db: None) -> None:
    viewer = role_client("d-viewer", Role.VIEWER, "510199")
    body = viewer.get("/api/v1/members/duties", {"scope": "510199"}).json()
    expected = member_duties("510199", TODAY.year, load_profile())
    assert body["year"] == TODAY.year and body["masked"] is True
    assert body["summary"] == expected["summary"]
    assert body["communities"] == expected["communities"]
    by_id = {m["id"]: m for m in expected["members"]}
    assert len(body["members"]) == len(by_id) > 0
    for m in body["members"]:
        assert m["name"] == mask_name(by_id[m["id"]]["name"])
        assert m["complete"] == (m["missing"] == []) == by_id[m["id"]]["complete"]
    # The demo has members behind and members done; "behind" lists only the former.
    behind = viewer.get("/api/v1/members/duties", {"scope": "510199", "behind": 1}).json()
    assert 0 < len(behind["members"]) < len(body["members"])
    assert not any(m["complete"] for m in behind["members"])
    assert behind["summary"]["behind"] == len(behind["members"])


def test_it_shows_whole_names_only_to_those_who_may_and_logs_it(demo_db: None) -> None:
    viewer = role_client("d-viewer2", Role.VIEWER, "510199")
    refused = viewer.get("/api/v1/members/duties", {"scope": "510199", "unmask": 1})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    admin = role_client("d-admin", Role.ADMIN, "510199")
    body = admin.get("/api/v1/members/duties", {"scope": "510199", "unmask": 1}).json()
    names = dict(ReportingMember.objects.values_list("pk", "name"))
    assert all(m["name"] == names[m["id"]] for m in body["members"])
    log = PersonalDataAccess.objects.get()
    assert log.count == len(body["members"]) and log.channel == "api"


def test_it_exports_the_members_behind_as_csv(demo_db: None) -> None:
    viewer = role_client("d-viewer3", Role.VIEWER, "510199")
    resp = viewer.get("/api/v1/members/duties", {"scope": "510199", "behind": 1,
                                                 "output": "csv", "year": TODAY.year})
    assert resp.status_code == 200 and resp["Content-Type"].startswith("text/csv")
    assert f"duties-510199-{TODAY.year}.csv" in resp["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["党员编号", "姓名", "社区代码"]
    behind = member_duties("510199", TODAY.year, load_profile())["summary"]["behind"]
    assert len(rows) - 1 == behind
    assert all("*" in r[1] for r in rows[1:])  # masked


@pytest.mark.parametrize(("params", "field"), [
    ({"year": "1999"}, "year"), ({"year": "abc"}, "year"), ({"scope": "5101"}, "scope"),
    ({"output": "pdf"}, "output"), ({"profile": "../../etc/passwd.json"}, "profile"),
])
def test_it_refuses_bad_parameters(demo_db: None, params: dict[str, str], field: str) -> None:
    viewer = role_client("d-viewer4", Role.VIEWER, "510199")
    resp = viewer.get("/api/v1/members/duties", params)
    assert resp.status_code == 400
    assert resp.json()["error"]["field"] == field


def test_it_keeps_readers_inside_their_scope(demo_db: None) -> None:
    m = _member()
    assert Client().get("/api/v1/members/duties").status_code == 401
    code = m.reported_community.code
    street = "510199" + ("002" if code[6:9] != "002" else "001")
    other = role_client("d-elsewhere", Role.VIEWER, street)
    assert other.get("/api/v1/members/duties", {"scope": "510199"}).status_code == 403
    assert other.get("/api/v1/members/activities", {"member": m.pk}).status_code == 404
    # Its own street it reads, and only members reporting there.
    body = other.get("/api/v1/members/duties").json()
    assert body["scope"] == street and body["members"]
    assert all(r["community_code"].startswith(street) for r in body["members"])


def _record(client: Client, member: int, kind: str = "meeting", on: str = DAY,
            note: str = "") -> Any:
    return client.post("/api/v1/members/activities",
                       {"member": member, "kind": kind, "on": on, "note": note},
                       content_type="application/json")


def test_it_lets_community_staff_record_and_delete_an_activity(demo_db: None) -> None:
    m = _member()
    code = m.reported_community.code
    staff = role_client("d-staff", Role.STAFF, code)
    made = _record(staff, m.pk, "wish", note="帮独居老人买药")
    assert made.status_code == 201, made.content
    act = made.json()
    assert (act["member"], act["kind"], act["on"], act["community"]) == (m.pk, "wish", DAY, code)
    assert act["kind_label"] == "认领微心愿"
    # The same member, duty and day again is the same activity: 200, note updated.
    again = _record(staff, m.pk, "wish", note="又买了一次")
    assert again.status_code == 200 and again.json()["id"] == act["id"]
    stored = MemberActivity.objects.get(pk=act["id"])
    assert stored.note == "又买了一次" and stored.version == 2
    listed = staff.get("/api/v1/members/activities",
                       {"member": m.pk, "year": TODAY.year - 2}).json()["activities"]
    assert [a["id"] for a in listed] == [act["id"]]
    # A delete based on the first version lost the race: 409, nothing deleted.
    stale = staff.delete(f"/api/v1/members/activities/{act['id']}?version=1")
    assert stale.status_code == 409 and stale.json()["version"] == 2
    assert MemberActivity.objects.filter(pk=act["id"]).exists()
    gone = staff.delete(f"/api/v1/members/activities/{act['id']}?version=2")
    assert gone.status_code == 200 and gone.json() == {"deleted": act["id"]}
    assert not MemberActivity.objects.filter(pk=act["id"]).exists()
    history = MemberActivity.history.filter(id=act["id"]).order_by("history_date")
    assert [h.history_type for h in history] == ["+", "~", "-"]
    assert {h.history_user.username for h in history} == {"d-staff"}


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "parade"}, "kind"), ({"on": "2020-13-01"}, "on"), ({"on": "1999-12-31"}, "on"),
    ({"note": "x" * 501}, "note"), ({"member": 0}, "member"),
])
def test_it_refuses_a_bad_activity(demo_db: None, body: dict[str, Any], field: str) -> None:
    m = _member()
    staff = role_client("d-staff2", Role.STAFF, m.reported_community.code)
    resp = staff.post("/api/v1/members/activities",
                      {"member": m.pk, "kind": "talk", "on": DAY, **body},
                      content_type="application/json")
    assert resp.status_code == 400 and resp.json()["error"]["field"] == field
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    assert _record(staff, m.pk, on=tomorrow).json()["error"]["field"] == "on"
    assert not MemberActivity.objects.filter(on=DAY, member=m).exists()


def test_it_refuses_writers_without_the_right_or_the_scope(demo_db: None) -> None:
    m = _member()
    code = m.reported_community.code
    viewer = role_client("d-viewer5", Role.VIEWER, code)
    assert _record(viewer, m.pk).status_code == 403
    planner = role_client("d-planner", Role.PLANNER, code[:9])
    assert _record(planner, m.pk).status_code == 403
    # Staff of another community do not even see the member.
    sibling = "510199" + ("002001" if code[6:] != "002001" else "001001")
    other = role_client("d-staff3", Role.STAFF, sibling)
    assert _record(other, m.pk).status_code == 404
    act = MemberActivity.objects.filter(member=m).first()
    assert act is not None
    assert other.delete(f"/api/v1/members/activities/{act.pk}?version={act.version}"
                        ).status_code == 404
    assert viewer.delete(f"/api/v1/members/activities/{act.pk}?version={act.version}"
                         ).status_code == 403
    assert MemberActivity.objects.filter(pk=act.pk).exists()
    assert not MemberActivity.objects.filter(on=DAY, member=m).exists()


def test_it_serves_the_page_and_its_upload_to_those_who_may(demo_db: None) -> None:
    m = _member()
    code = m.reported_community.code
    staff = role_client("d-staff4", Role.STAFF, code)
    page = staff.get("/members/duties/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    html = page.content.decode()
    assert "报到党员“五个一”" in html and 'id="import-form"' in html and "本社区" in html
    viewer = role_client("d-viewer6", Role.VIEWER, "510199")
    shown = viewer.get("/members/duties/").content.decode()
    assert 'id="import-form"' not in shown and 'id="record-form"' not in shown
    assert Client().get("/members/duties/").status_code == 302
    sheet = f"党员编号,活动类型,日期\n{m.pk},谈心,{DAY}\n".encode()
    upload = io.BytesIO(sheet)
    upload.name = "acts.csv"
    refused = viewer.post("/sheets/activities/import", {"file": upload, "dry_run": "0"})
    assert refused.status_code == 403
    upload = io.BytesIO(sheet)
    upload.name = "acts.csv"
    checked = staff.post("/sheets/activities/import", {"file": upload, "dry_run": "1"}).json()
    assert checked["result"]["created"] == 1 and not checked["result"]["written"]
    upload = io.BytesIO(sheet)
    upload.name = "acts.csv"
    done = staff.post("/sheets/activities/import", {"file": upload, "dry_run": "0"}).json()
    assert done["result"]["written"]
    assert MemberActivity.objects.filter(member=m, kind="talk", on=DAY).exists()
    bad = io.BytesIO(f"党员编号,活动类型,日期\n{m.pk},散步,{DAY}\n".encode())
    bad.name = "bad.csv"
    resp = staff.post("/sheets/activities/import", {"file": bad})
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "rows_invalid"
    assert resp.json()["result"]["problems"][0]["row"] == 2
    exe = io.BytesIO(b"MZ")
    exe.name = "acts.exe"
    assert staff.post("/sheets/activities/import", {"file": exe}).json()["error"]["code"] == \
        "unknown_format"
