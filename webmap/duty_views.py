"""The staff page of members' "五个一" (/members/duties/) and its spreadsheet upload."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from geo.analysis.rules import load_profile
from geo.models import District, Street
from geo.models.audit import acting_as
from geo.models.duties import DutyKind
from geo.roles import PERSONAL_DATA
from geo.services.access import own_scope
from geo.services.duties import duty_labels, this_year
from geo.services.errors import error_body
from importers.activities import import_activities
from importers.fields import MappingError
from importers.sources import FileRejected

SUFFIXES = (".csv", ".xlsx")
YEARS_SHOWN = 4


@require_GET
@login_required
@permission_required("geo.view_memberactivity", raise_exception=True)
def duties(request: HttpRequest) -> HttpResponse:
    """Completion map and tables, who is behind, recording and importing activities."""
    scope = own_scope(request.user)
    year = this_year()
    labels = duty_labels()
    profile = load_profile()
    return render(request, "webmap/duties.html", {
        "districts": District.objects.filter(code__startswith=scope).order_by("code")
        if len(scope) <= 6 else District.objects.none(),
        "streets": Street.objects.filter(code__startswith=scope[:9]).order_by("code")
        if len(scope) <= 9 else Street.objects.none(),
        "own_scope": scope, "years": list(range(year, year - YEARS_SHOWN, -1)),
        "kinds": [(k.value, k.label) for k in DutyKind],
        "required": _("、").join(_("%(duty)s %(n)s 次") % {"duty": labels[k], "n": n}
                                for k, n in profile.member_duties),
        "can_record": request.user.has_perm("geo.add_memberactivity"),
        "can_unmask": request.user.has_perm(PERSONAL_DATA),
        "suffixes": " ".join(SUFFIXES),
    })


@require_POST
@login_required
@permission_required("geo.add_memberactivity", raise_exception=True)
def upload(request: HttpRequest) -> JsonResponse:
    """Check (``dry_run=1``) or import an activities sheet; all rows or none."""
    upload = request.FILES.get("file")
    if upload is None:
        return JsonResponse(error_body("no_file", _("请选择要上传的文件。")), status=400)
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in SUFFIXES:
        return JsonResponse(error_body("unknown_format", _(
            "不能导入 %(suffix)s 文件；可导入：%(ok)s") % {
                "suffix": suffix or upload.name, "ok": " ".join(SUFFIXES)}), status=400)
    if upload.size is None or upload.size > settings.IMPORT_MAX_BYTES:
        return JsonResponse(error_body("too_large", _("文件超过 %(mb)d MB 的上限。") % {
            "mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)}), status=400)
    dry_run = request.POST.get("dry_run") in ("1", "true", "on")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        with open(path, "wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        try:
            with acting_as(request.user):
                result = import_activities(path, scope=own_scope(request.user),
                                           dry_run=dry_run, source=upload.name)
        except (FileRejected, MappingError) as exc:
            return JsonResponse(error_body(exc.code, exc.message), status=400)
    body: dict[str, Any] = {"result": result.as_dict()}
    if result.problems:
        body.update(error_body("rows_invalid", _("%(n)s 行有问题，未导入任何数据") % {
            "n": len(result.problems)}))
        return JsonResponse(body, status=400)
    return JsonResponse(body)
