"""What the API and page tests share: a client logged in with a role, JSON posts, and the
coverage report of a scope written to a file."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from geo.models import Account
from geo.roles import Role


def role_client(name: str, role: Role, scope: str) -> Client:
    """A test client logged in as a new user ``name`` with ``role`` over ``scope``."""
    user = User.objects.create_user(name)
    Account.assign(user, role, scope)
    client = Client()
    client.force_login(user)
    return client


def post_json(client: Client, url: str, body: dict[str, Any]) -> Any:
    """POST ``body`` as JSON."""
    return client.post(url, body, content_type="application/json")


def report_file(tmp_path: Path, scope: str, fmt: str) -> Path:
    """The coverage report of ``scope`` in ``fmt`` (html, pdf, xlsx, json), as a file."""
    out = tmp_path / f"report.{fmt}"
    call_command("coverage_report", "--scope", scope, "--output", str(out),
                 stdout=io.StringIO(), verbosity=0)
    return out
