"""Upload a sheet without geometry (activities, staffing, leaders' links): check or import."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from geo.models.audit import acting_as
from geo.services.access import own_scope
from geo.services.errors import error_body
from importers.fields import MappingError
from importers.sheets import SHEETS
from importers.sources import FileRejected

SHEET_SUFFIXES = (".csv", ".xlsx")


@require_POST
@login_required
def upload(request: HttpRequest, kind: str) -> JsonResponse:
    """Check (``dry_run=1``) or import a sheet of ``kind``; all rows or none."""
    if kind not in SHEETS:
        return JsonResponse(error_body("not_found", _("没有此类表格")), status=404)
    importer, perm = SHEETS[kind]
    if not request.user.has_perm(perm):
        raise PermissionDenied(_("没有权限 %(perm)s") % {"perm": perm})
    upload = request.FILES.get("file")
    if upload is None:
        return JsonResponse(error_body("no_file", _("请选择要上传的文件。")), status=400)
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in SHEET_SUFFIXES:
        return JsonResponse(error_body("unknown_format", _(
            "不能导入 %(suffix)s 文件；可导入：%(ok)s") % {
                "suffix": suffix or upload.name, "ok": " ".join(SHEET_SUFFIXES)}), status=400)
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
                result = importer(path, scope=own_scope(request.user), dry_run=dry_run,
                                  source=upload.name)
        except (FileRejected, MappingError) as exc:
            return JsonResponse(error_body(exc.code, exc.message), status=400)
    body: dict[str, Any] = {"result": result.as_dict()}
    if result.problems:
        body.update(error_body("rows_invalid", _("%(n)s 行有问题，未导入任何数据") % {
            "n": len(result.problems)}))
        return JsonResponse(body, status=400)
    return JsonResponse(body)
