"""After logging in each role lands on a page it may open: planners the grid editor, other
staff the reports, a user without a role the finder; an explicit next wins."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from geo.models import Account
from geo.roles import Role

pytestmark = pytest.mark.django_db


def _login(name: str, role: Role | None, scope: str = "", next_: str = "") -> Client:
    user = User.objects.create_user(name, password="Str0ng-pass-1234")
    if role is not None:
        Account.assign(user, role, scope)
    client = Client()
    resp = client.post("/accounts/login/" + (f"?next={next_}" if next_ else ""),
                       {"username": name, "password": "Str0ng-pass-1234"})
    assert resp.status_code == 302
    client.landed = resp["Location"]  # type: ignore[attr-defined]
    return client


@pytest.mark.parametrize(("role", "scope", "page"), [
    (Role.PLANNER, "510199001", "/plan/"), (Role.VIEWER, "510199", "/reports/"),
    (Role.STAFF, "510199001001", "/reports/"), (None, "", "/")])
def test_it_lands_each_role_on_a_page_it_may_open(demo_db: None, role: Role | None,
                                                  scope: str, page: str) -> None:
    client = _login(f"landing-{role or 'none'}", role, scope)
    start = client.get(client.landed)  # type: ignore[attr-defined]
    assert start.status_code == 302 and start["Location"] == page
    assert client.get(page).status_code == 200


def test_it_follows_next_when_given(demo_db: None) -> None:
    client = _login("landing-next", Role.VIEWER, "510199", next_="/stars/")
    assert client.landed == "/stars/"  # type: ignore[attr-defined]
