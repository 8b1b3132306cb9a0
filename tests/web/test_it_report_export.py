"""/reports/export: the staff page's report download, with its permission and bad input."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from openpyxl import load_workbook

from geo.models import Account

pytestmark = pytest.mark.django_db


def _staff(perms: bool = True) -> Client:
    user = User.objects.create_user("staff", password="pw-staff-123")
    if perms:
        user.user_permissions.add(Permission.objects.get(codename="view_community"))
        Account.objects.create(user=user, role="viewer", scope="")
    client = Client()
    client.force_login(user)
    return client


def test_it_needs_a_login_and_the_view_permission(demo_db: None) -> None:
    url = "/reports/export?scope=510199&format=json"
    assert Client().get(url).status_code == 302
    assert _staff(perms=False).get(url).status_code == 403


def test_it_downloads_each_format(demo_db: None) -> None:
    client = _staff()
    res = client.get("/reports/export", {"scope": "510199001", "format": "xlsx"})
    assert res.status_code == 200
    assert res["Content-Type"].startswith("application/vnd.openxmlformats")
    assert res["Content-Disposition"].startswith('attachment; filename="coverage-510199001-')
    wb: Any = load_workbook(io.BytesIO(res.content))
    codes = [r[0] for r in wb["社区"].iter_rows(min_row=2, values_only=True)]
    assert len(codes) == 9 and all(c.startswith("510199001") for c in codes)
    res = client.get("/reports/export", {"scope": "510199001", "format": "json",
                                         "reach": "250,750"})
    data = json.loads(res.content)
    assert data["meta"]["reaches_m"] == [250.0, 750.0]
    assert set(data["communities"][0]["shares"]) == {"within_250m", "within_750m"}
    res = client.get("/reports/export", {"scope": "510199001", "format": "pdf"})
    assert res.status_code == 200 and res.content.startswith(b"%PDF-")
    res = client.get("/reports/export", {"scope": "510199001", "format": "html"})
    assert res.status_code == 200 and b"leaflet" in res.content


@pytest.mark.parametrize(("params", "field"), [
    ({"scope": "510199", "format": "docx"}, "format"),
    ({"scope": "999999", "format": "json"}, "999999"),
    ({"scope": "510199", "format": "json", "reach": "-3"}, "reach"),
    # A path would let a request read files on the server: only built-in names pass.
    ({"scope": "510199", "format": "json", "profile": "/etc/passwd.json"}, "profile"),
])
def test_it_refuses_bad_parameters(demo_db: None, params: dict[str, str], field: str) -> None:
    res = _staff().get("/reports/export", params)
    assert res.status_code == 400
    assert field in res.json()["error"]["message"]
