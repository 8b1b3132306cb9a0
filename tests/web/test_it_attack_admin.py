"""Attacks through the admin (issue 15, holes 1, 3, 6 and 8), replayed: each must fail.

1. a read-only role posts a history record's form back and changes the row;
3. masked members' phones, ID numbers and names are recovered one yes/no at a time through
   list filters the page never offers;
6. a planner of another street reads an object's history, phone included;
8. geometry edits through the admin move a grid onto a neighbour or a center into another
   street, past the scope check and the tiling rules of /plan/.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import MultiPolygon, Point
from django.test import Client

from geo.models import Account, GridUnit, ReportingMember, ServiceCenter, Street
from geo.roles import Role

pytestmark = pytest.mark.django_db


def _login(name: str, role: Role, scope: str = "") -> Client:
    user = User.objects.create_user(name, password="pw-attack-1")
    Account.assign(user, role, scope)
    client = Client()
    client.force_login(user)
    return client


def _form_data(client: Client, url: str) -> dict[str, Any]:
    """What the page's form would post back unchanged."""
    resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code)
    form = resp.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        data[name] = "" if value is None else str(value) if hasattr(value, "ewkt") else value
    return data


def _two_streets() -> tuple[str, str]:
    codes = list(Street.objects.order_by("code").values_list("code", flat=True))
    return codes[0], codes[-1]


def test_it_keeps_history_records_read_only_for_every_role(demo_db: None) -> None:
    center = ServiceCenter.objects.order_by("pk").first()
    assert center is not None
    center.name = center.name + "（改）"
    center.save()  # a second history record to post back
    record = center.history.order_by("history_id").first()
    url = f"/admin/geo/servicecenter/{center.pk}/history/{record.history_id}/"
    before = ServiceCenter.objects.values("name", "phone", "version").get(pk=center.pk)
    for client in (_login("viewer-h", Role.VIEWER), _login("admin-h", Role.ADMIN)):
        data = _form_data(client, url)
        data.update(name="被篡改的中心", phone="13800000000")
        resp = client.post(url, data)
        assert resp.status_code == 403
        assert ServiceCenter.objects.values("name", "phone", "version").get(
            pk=center.pk) == before
    grid = GridUnit.objects.order_by("pk").first()
    assert grid is not None
    grid_url = f"/admin/geo/gridunit/{grid.pk}/history/" \
               f"{grid.history.first().history_id}/"
    viewer = _login("viewer-g", Role.VIEWER)
    assert viewer.post(grid_url, {"households": "1"}).status_code == 403
    grid_after = GridUnit.objects.get(pk=grid.pk)
    assert (grid_after.households, grid_after.version) == (grid.households, grid.version)


def test_it_refuses_history_pages_outside_the_scope(demo_db: None) -> None:
    mine, theirs = _two_streets()
    other = ServiceCenter.objects.filter(community__code__startswith=theirs).first()
    own = ServiceCenter.objects.filter(community__code__startswith=mine).first()
    assert other is not None and own is not None
    planner = _login("planner-h", Role.PLANNER, mine)
    record = other.history.first()
    for url in (f"/admin/geo/servicecenter/{other.pk}/history/",
                f"/admin/geo/servicecenter/{other.pk}/history/{record.history_id}/"):
        resp = planner.get(url)
        assert resp.status_code == 403, url
        assert (other.phone or "∅") not in resp.content.decode()
    assert planner.get(f"/admin/geo/servicecenter/{own.pk}/history/").status_code == 200


def test_it_offers_no_filter_that_reveals_masked_member_data(demo_db: None) -> None:
    member = ReportingMember.objects.exclude(phone="").order_by("pk").first()
    assert member is not None
    url = "/admin/geo/reportingmember/"
    for role in (Role.VIEWER, Role.STEWARD):
        client = _login(f"{role.value}-m", role, "")
        right, wrong = member.phone[:4], "0000"
        probes = [{"id": str(member.pk), "phone__startswith": right},
                  {"id": str(member.pk), "phone__startswith": wrong},
                  {"id_number__startswith": member.id_number[:6]},
                  {"name__exact": member.name}, {"name__regex": "^" + member.name[:1]}]
        answers = set()
        for params in probes:
            resp = client.get(url, params)
            # Refused (400) or sent back to the unfiltered list, never answered.
            assert resp.status_code in (400, 302), (role, params, resp.status_code)
            answers.add(resp.status_code)
        assert len(answers) == 1  # a right and a wrong guess look the same
        # The filters the page does offer still work.
        street = member.reported_community.street_id if member.reported_community else None
        ok = client.get(url, {"reported_community__street__id__exact": str(street)})
        assert ok.status_code == 200


def test_it_checks_where_an_admin_edit_puts_a_center(demo_db: None) -> None:
    mine, theirs = _two_streets()
    center = ServiceCenter.objects.filter(community__code__startswith=mine).order_by(
        "pk").first()
    assert center is not None and center.community is not None
    staff = _login("staff-c", Role.STAFF, center.community.code)
    url = f"/admin/geo/servicecenter/{center.pk}/change/"
    far = ServiceCenter.objects.filter(community__code__startswith=theirs).first()
    assert far is not None
    data = _form_data(staff, url)
    data["location"] = Point(far.location.x, far.location.y, srid=4326).ewkt
    resp = staff.post(url, data)
    assert resp.status_code == 403
    center.refresh_from_db()
    assert center.location.distance(far.location) > 0.001
    # A move inside the community is an ordinary edit.
    data["location"] = Point(center.location.x + 0.00001, center.location.y, srid=4326).ewkt
    assert staff.post(url, data).status_code == 302


def test_it_edits_grid_shapes_only_in_the_plan_editor(demo_db: None) -> None:
    mine, _ = _two_streets()
    grids = list(GridUnit.objects.filter(code__startswith=mine).order_by("code")[:2])
    planner = _login("planner-g", Role.PLANNER, mine)
    url = f"/admin/geo/gridunit/{grids[0].pk}/change/"
    data = _form_data(planner, url)
    assert "geom" not in data and "code" not in data  # not even offered
    data["geom"] = MultiPolygon(*[p for p in grids[1].geom], srid=4326).ewkt
    data["leader"] = "新网格长"
    assert planner.post(url, data).status_code == 302
    after = GridUnit.objects.get(pk=grids[0].pk)
    assert after.geom.equals_exact(grids[0].geom, 1e-12)  # the shape did not move
    assert after.leader == "新网格长"  # attributes still edit here
    assert planner.get("/admin/geo/gridunit/add/").status_code == 403
    assert planner.post(f"/admin/geo/gridunit/{grids[0].pk}/delete/",
                        {"post": "yes"}).status_code == 403
    assert GridUnit.objects.filter(pk=grids[0].pk).exists()
