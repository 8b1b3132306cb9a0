"""The import page (/data/import/): stewards upload, check, import and undo files.

Every step calls what ``import_layer`` calls (:func:`importers.run.run_import`), with the
user's scope; the page only keeps the file, the chosen options and what each step said.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import shapely.geometry
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from geo.analysis.cells import inert
from geo.models import ImportBusy, ImportRun, ImportStatus
from geo.models.audit import acting_as
from geo.roles import covers
from geo.services.access import scope_of
from importers.fields import (
    FIELDS,
    GEOMETRY_TARGETS,
    KIND_LABELS,
    KINDS,
    MappingError,
    map_fields,
)
from importers.prepare import Prepared, prepare
from importers.run import ImportRequest, run_import
from importers.sources import FileRejected, read_source
from importers.store import MODELS
from importers.undo import UndoConflict, undo_run

SUFFIXES = (".geojson", ".json", ".zip", ".gpkg", ".kml", ".kmz", ".csv", ".xlsx")
# Shown on the page (the model's own labels are for the admin).
STATUS_LABELS: dict[str, Any] = {ImportStatus.UPLOADED: pgettext_lazy("import status", "已上传"),
                 ImportStatus.CHECKED: pgettext_lazy("import status", "已试运行"),
                 ImportStatus.RUNNING: pgettext_lazy("import status", "导入中"),
                 ImportStatus.IMPORTED: pgettext_lazy("import status", "已导入"),
                 ImportStatus.FAILED: pgettext_lazy("import status", "未导入"),
                 ImportStatus.UNDONE: pgettext_lazy("import status", "已撤销")}
PREVIEW_ROWS = 20
PREVIEW_SHAPES = 500
SHOWN_PROBLEMS = 200



def _scope(request: HttpRequest, kind: str | None = None) -> str:
    """The user's scope, if they may use the import page (and write ``kind``); else 403."""
    scope = scope_of(request.user)
    if scope is None or not request.user.has_perm("geo.add_importrun"):
        raise PermissionDenied(_("只有数据管理员和管理员可以导入数据。"))
    if kind is not None:
        model = MODELS[kind]._meta.model_name
        if not request.user.has_perms([f"geo.add_{model}", f"geo.change_{model}"]):
            raise PermissionDenied(_("您不能导入这一图层。"))
    return scope


def _run(request: HttpRequest, pk: int) -> tuple[ImportRun, str]:
    scope = _scope(request)
    run = ImportRun.objects.filter(pk=pk).first()
    # Another scope's run is as absent as a missing one: its file name is not for this user.
    if run is None or not covers(scope, run.scope):
        raise Http404
    _scope(request, run.kind)
    return run, scope


def _safe_name(name: str) -> str:
    """The upload's own base name, without path parts or control characters."""
    base = re.split(r"[\\/]", name)[-1]
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip().lstrip(".")
    return base[-120:] or "upload"


def _progress_key(pk: int) -> str:
    return f"import-progress:{pk}"


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The upload form and the runs of the user's scope (GET); an upload (POST)."""
    scope = _scope(request)
    error = None
    if request.method == "POST":
        try:
            run = _upload(request, scope)
        except ValueError as exc:
            error = str(exc)
        else:
            return redirect("webmap:import-run", pk=run.pk)
    runs = [(r, KIND_LABELS.get(r.kind, r.kind), STATUS_LABELS.get(r.status, r.status))
            for r in ImportRun.objects.filter(scope__startswith=scope)
            .select_related("user", "undone_by")[:50]]
    return render(request, "webmap/data_import.html", {
        "kinds": [(k, KIND_LABELS[k]) for k in KINDS], "runs": runs, "error": error,
        "max_mb": settings.IMPORT_MAX_BYTES // (1024 * 1024), "suffixes": " ".join(SUFFIXES),
    }, status=400 if error else 200)


def _upload(request: HttpRequest, scope: str) -> ImportRun:
    """Keep the uploaded file and open a run for it; ValueError says what is wrong."""
    kind = request.POST.get("kind", "")
    if kind not in KINDS:
        raise ValueError(_("请选择图层。"))
    _scope(request, kind)
    upload = request.FILES.get("file")
    if upload is None:
        raise ValueError(_("请选择要上传的文件。"))
    name = _safe_name(upload.name or "")
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ValueError(_("不能导入 %(suffix)s 文件；可导入：%(ok)s。"
                           "Shapefile 请打包成 .zip 上传。")
                         % {"suffix": suffix or name, "ok": " ".join(SUFFIXES)})
    if upload.size is None or upload.size > settings.IMPORT_MAX_BYTES:
        raise ValueError(_("文件超过 %(mb)d MB 的上限。")
                         % {"mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    sha = digest.hexdigest()
    folder = Path(settings.IMPORT_DIR) / sha[:2] / sha
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / name
    if not stored.exists():
        with open(stored, "wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
    user: Any = request.user
    return ImportRun.objects.create(user=user, scope=scope, kind=kind, file_name=name,
                                    file_sha256=sha, file_size=upload.size,
                                    stored=str(stored.relative_to(settings.IMPORT_DIR)))


def _request(run: ImportRun, scope: str, *, dry_run: bool) -> ImportRequest:
    o = run.options
    return ImportRequest(
        kind=run.kind, path=Path(settings.IMPORT_DIR) / run.stored, crs=o.get("crs") or None,
        layer=o.get("layer") or None, encoding=o.get("encoding") or None,
        header_row=o.get("header_row"), mapping=dict(o.get("mapping", {})), source=run.source,
        dry_run=dry_run, skip_invalid=bool(o.get("skip_invalid")),
        allow_move=bool(o.get("allow_move")), create_parents=bool(o.get("create_parents")),
        scope=scope)


def _preview(prepared: Prepared) -> dict[str, Any]:
    """First rows as a table and first shapes as GeoJSON, for the page."""
    targets = [t for t in FIELDS[prepared.kind] if t.name in prepared.mapping.columns]
    rows = [[rec.row, *[rec.values.get(t.name) for t in targets]]
            for rec in prepared.records[:PREVIEW_ROWS]]
    shapes = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": shapely.geometry.mapping(rec.geom),
         "properties": {"row": rec.row, "name": str(rec.values.get("name") or "")}}
        for rec in prepared.records[:PREVIEW_SHAPES]]}
    return {"headers": [t.header for t in targets], "rows": rows, "shapes": shapes}


@require_GET
@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """What the file holds, how its columns map, a preview map, the last check's problems."""
    run, scope = _run(request, pk)
    req = _request(run, scope, dry_run=True)
    context: dict[str, Any] = {"run": run, "kind_label": KIND_LABELS[run.kind],
                               "status_label": STATUS_LABELS.get(run.status, run.status),
                               "problems": run.problems[:SHOWN_PROBLEMS],
                               "more_problems": max(0, len(run.problems) - SHOWN_PROBLEMS),
                               "can_import": run.status in (ImportStatus.UPLOADED,
                                                            ImportStatus.CHECKED,
                                                            ImportStatus.FAILED),
                               "can_undo": run.status == ImportStatus.IMPORTED}
    columns: list[str] = []
    mapped: dict[str, str] = {}
    try:
        prepared = prepare(req.path, req.kind, req.read_options())
        columns, mapped = prepared.mapping.source, prepared.mapping.columns
        context.update(prepared=prepared, preview=_preview(prepared))
    except (FileRejected, MappingError) as exc:
        context["file_error"] = f"[{exc.code}] {exc.message}"
        try:  # still offer the mapping: a missing column is fixed right here
            table = read_source(req.path, req.layer, req.encoding, req.header_row)
            columns = [str(c) for c in table.frame.columns]
            mapped = map_fields(run.kind, columns, {k: v for k, v in req.mapping.items()
                                                    if v == "" or v in columns}).columns
        except (FileRejected, MappingError):
            pass
    context["mapping"] = [
        {"name": t.name, "header": t.header, "required": t.required,
         "column": mapped.get(t.name, ""), "chosen": req.mapping.get(t.name)}
        for t in (*FIELDS[run.kind], *GEOMETRY_TARGETS) if not t.name.startswith("code_prov")]
    context["columns"] = columns
    return render(request, "webmap/data_import_run.html", context)


@require_POST
@login_required
def options(request: HttpRequest, pk: int) -> HttpResponse:
    """Keep the chosen reading options and column mapping, then show the file again."""
    run = _run(request, pk)[0]
    if run.status not in (ImportStatus.UPLOADED, ImportStatus.CHECKED, ImportStatus.FAILED):
        return redirect("webmap:import-run", pk=run.pk)
    p = request.POST
    mapping = {k[len("map:"):]: v for k, v in p.items()
               if k.startswith("map:") and v != "auto"}
    header = p.get("header_row", "").strip()
    run.options = {
        "crs": p.get("crs", "").strip()[:40], "encoding": p.get("encoding", "").strip()[:20],
        "layer": p.get("layer", "").strip()[:100],
        "header_row": int(header) if header.isdigit() and 0 < int(header) < 1000 else None,
        "mapping": mapping, "create_parents": p.get("create_parents") == "on"
        and run.kind == "communities",
        "skip_invalid": p.get("skip_invalid") == "on", "allow_move": p.get("allow_move") == "on",
    }
    if run.status != ImportStatus.UPLOADED:
        run.status = ImportStatus.UPLOADED  # a check of other options no longer holds
        run.problems, run.counts = [], {}
    run.save(update_fields=["options", "status", "problems", "counts"])
    return redirect("webmap:import-run", pk=run.pk)


def _counts(result: Any) -> dict[str, Any]:
    out = {"created": result.created, "updated": result.updated,
           "unchanged": result.unchanged, "provisional": result.provisional,
           "problems": len(result.problems), "notes": result.notes[:50]}
    if result.parents is not None:
        out["parents"] = result.parents.describe()
    return out


def _problem_rows(problems: list[Any]) -> list[list[Any]]:
    return [[p.row, p.field, p.code, p.message] for p in problems]


@require_POST
@login_required
def check(request: HttpRequest, pk: int) -> HttpResponse:
    """A dry run: every problem, and what would be written; nothing is."""
    run, scope = _run(request, pk)
    try:
        _prepared, result = run_import(_request(run, scope, dry_run=True))
        counts, problems = _counts(result), _problem_rows(result.problems)
    except (FileRejected, MappingError) as exc:
        counts, problems = {"problems": 1}, [[None, "", exc.code, exc.message]]
    try:
        run.record_check(counts, problems)
    except ImportBusy:
        return _busy(request, run)
    return redirect("webmap:import-run", pk=run.pk)


def _busy(request: HttpRequest, run: ImportRun) -> HttpResponse:
    message = _("这个文件正在导入或已经导入（状态：%(status)s）。") % {
        "status": STATUS_LABELS.get(run.status, run.status)}
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"error": {"code": "conflict", "message": message}}, status=409)
    return HttpResponse(message, status=409, content_type="text/plain; charset=utf-8")


@require_POST
@login_required
def run_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Import for real; progress is readable at ``progress`` while this runs."""
    run, scope = _run(request, pk)
    try:
        run.begin()
    except ImportBusy:
        return _busy(request, run)
    key = _progress_key(run.pk)

    def progress(phase: str, done: int, total: int) -> None:
        cache.set(key, {"phase": phase, "done": done, "total": total}, 3600)

    try:
        with acting_as(request.user):
            _prepared, result = run_import(_request(run, scope, dry_run=False), progress)
        run.finish(result.written, _counts(result), _problem_rows(result.problems),
                   result.undo)
    except (FileRejected, MappingError) as exc:
        run.finish(False, {"problems": 1}, [[None, "", exc.code, exc.message]], [])
    except BaseException:
        run.finish(False, {"problems": 1}, [[None, "", "crashed", "the import stopped; "
                                             "nothing was written"]], [])
        raise
    finally:
        cache.delete(key)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"status": run.status, "counts": run.counts})
    return redirect("webmap:import-run", pk=run.pk)


@require_GET
@login_required
def progress_view(request: HttpRequest, pk: int) -> JsonResponse:
    run = _run(request, pk)[0]
    state = cache.get(_progress_key(run.pk)) or {}
    return JsonResponse({"status": ImportRun.objects.get(pk=run.pk).status, **state})


@require_GET
@login_required
def problems_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """Every problem of the last check or import as CSV (UTF-8 with BOM, for Excel)."""
    import csv
    import io

    run = _run(request, pk)[0]
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow([_("行"), _("字段"), _("错误代码"), _("说明")])
    for row, field, code, message in run.problems:
        out.writerow([row if row is not None else "", inert(field), code, inert(message)])
    resp = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="import-{run.pk}-problems.csv"'
    return resp


@require_POST
@login_required
def undo(request: HttpRequest, pk: int) -> HttpResponse:
    """Revert everything the import wrote, or say (409) which rows changed since."""
    run = _run(request, pk)[0]
    try:
        undo_run(run, request.user)
    except ImportBusy:
        return _busy(request, run)
    except UndoConflict as exc:
        return render(request, "webmap/data_import_run.html", {
            "run": run, "kind_label": KIND_LABELS[run.kind], "undo_conflicts": exc.rows,
            "status_label": STATUS_LABELS.get(run.status, run.status),
            "can_undo": True, "problems": [], "mapping": [], "columns": []}, status=409)
    return redirect("webmap:import-run", pk=run.pk)
