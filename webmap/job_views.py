"""Background jobs of the staff (/jobs/): queue a report, follow it, download it, cancel it.

A user sees their own jobs only (a superuser every job); another user's job answers 404,
as if it did not exist. The file is handed out only while the owner may still read its scope.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from geo.models import Job, JobStatus
from geo.services.access import scope_for_read
from geo.services.errors import HANDLED, classify, describe, error_body
from webmap.jobs import REPORT_PERMISSION, submit_report
from webmap.report_views import report_request

# Queued or running jobs one user may have at once: a report of a city takes minutes of a
# worker; a click-happy (or hostile) user must not fill the queue for everyone else.
MAX_ACTIVE_JOBS = 3
SHOWN_JOBS = 50
# The report's steps (gather.GATHER_STEPS, render.render_steps) as people read them.
STEP_LABELS: dict[str, Any] = {
    "facility": pgettext_lazy("report step", "设施面积"),
    "coverage": pgettext_lazy("report step", "步行覆盖"),
    "grids": pgettext_lazy("report step", "网格检查"),
    "rollups": pgettext_lazy("report step", "逐级汇总"),
    "events": pgettext_lazy("report step", "网格事件"),
    "duties": pgettext_lazy("report step", "党员五个一"),
    "organisation": pgettext_lazy("report step", "人员经费与挂点领导"),
    "stars": pgettext_lazy("report step", "星级评定"),
    "lists": pgettext_lazy("report step", "三张清单"),
    "signs": pgettext_lazy("report step", "指引牌"),
    "map layers": pgettext_lazy("report step", "地图图层"),
    "coverage_map": pgettext_lazy("report step", "覆盖地图"),
    "pairing_map": pgettext_lazy("report step", "结对地图"),
    "ratio_chart": pgettext_lazy("report step", "面积图表"),
    "distance_chart": pgettext_lazy("report step", "距离图表"),
    "grid_chart": pgettext_lazy("report step", "网格图表"),
    "xlsx": pgettext_lazy("report step", "写出 Excel"),
    "pdf": pgettext_lazy("report step", "写出 PDF"),
    "html": pgettext_lazy("report step", "写出网页"),
    "json": pgettext_lazy("report step", "写出 JSON"),
}


def job_json(job: Job) -> dict[str, Any]:
    """What the page shows of a job (times in Beijing time, with the offset)."""
    done = job.status == JobStatus.DONE
    return {
        "id": job.pk, "kind": job.kind, "kind_label": job.get_kind_display(),
        "scope": job.scope, "format": job.params.get("format", ""),
        "status": job.status, "status_label": job.get_status_display(),
        "phase": job.phase, "phase_label": str(STEP_LABELS.get(job.phase, job.phase)),
        "done": job.done, "total": job.total, "attempts": job.attempts,
        "message": job.message, "filename": job.filename if done else "",
        "size": job.size if done else 0,
        "created_at": timezone.localtime(job.created_at).isoformat(),
        "finished_at": timezone.localtime(job.finished_at).isoformat()
        if job.finished_at else None,
        "url": reverse("webmap:job", kwargs={"pk": job.pk}),
        "download": reverse("webmap:job-file", kwargs={"pk": job.pk}) if done else None,
        "cancel": reverse("webmap:job-cancel", kwargs={"pk": job.pk})
        if not job.finished else None,
    }


def _mine(request: HttpRequest) -> Any:
    jobs = Job.objects.defer("result")
    return jobs if request.user.is_superuser else jobs.filter(owner_id=request.user.pk)


def _job(request: HttpRequest, pk: int) -> Job:
    job = _mine(request).filter(pk=pk).first()
    if job is None:
        raise Http404(_("没有这个任务"))
    return job


@require_POST
@login_required
@permission_required(REPORT_PERMISSION, raise_exception=True)
def submit(request: HttpRequest) -> JsonResponse:
    """Queue a coverage report (the fields of /reports/export); 202 with the job."""
    try:
        asked = report_request(request, request.POST)
    except HANDLED as exc:
        code, status = classify(exc)
        return JsonResponse(error_body(code, describe(exc)), status=status)
    active = Job.objects.filter(owner_id=request.user.pk,
                                status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).count()
    if active >= MAX_ACTIVE_JOBS:
        return JsonResponse(error_body("too_many_jobs", _(
            "您已有 %(n)d 个任务在排队或进行中，请等其完成或取消后再提交") % {"n": active}),
            status=429)
    job = submit_report(request.user, asked.scope, asked.format, asked.profile_name,
                        asked.reaches, get_language() or settings.LANGUAGE_CODE)
    return JsonResponse({"job": job_json(job)}, status=202)


@require_GET
@login_required
@permission_required(REPORT_PERMISSION, raise_exception=True)
def jobs(request: HttpRequest) -> HttpResponse:
    """The user's jobs, newest first: progress while they run, the file when done."""
    rows = [job_json(j) for j in _mine(request).select_related("owner")[:SHOWN_JOBS]]
    if request.GET.get("format") == "json":
        return JsonResponse({"jobs": rows})
    return render(request, "webmap/jobs.html", {"jobs": rows,
                                                "keep_days": settings.JOBS_KEEP_DAYS})


@require_GET
@login_required
@permission_required(REPORT_PERMISSION, raise_exception=True)
def job(request: HttpRequest, pk: int) -> JsonResponse:
    """One job's state, for the page to poll."""
    return JsonResponse({"job": job_json(_job(request, pk))})


@require_GET
@login_required
@permission_required(REPORT_PERMISSION, raise_exception=True)
def job_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The finished job's file; refused when the owner may no longer read its scope."""
    found = _job(request, pk)
    if found.status != JobStatus.DONE:
        return JsonResponse(error_body("not_ready", _("任务尚未完成（状态：%(status)s）") % {
            "status": found.get_status_display()}), status=409)
    try:
        scope_for_read(found.owner, found.scope)
    except PermissionDenied as exc:
        return JsonResponse(error_body("forbidden", describe(exc)), status=403)
    data = Job.objects.values_list("result", flat=True).get(pk=found.pk)
    response = HttpResponse(bytes(data or b""), content_type=found.content_type)
    response["Content-Disposition"] = f'attachment; filename="{found.filename}"'
    return response


@require_POST
@login_required
@permission_required(REPORT_PERMISSION, raise_exception=True)
def cancel(request: HttpRequest, pk: int) -> JsonResponse:
    """Cancel a queued or running job; 409 when it had already finished."""
    found = _job(request, pk)
    if not found.cancel():
        return JsonResponse(error_body("conflict", _("任务已结束（状态：%(status)s），无法取消")
                                       % {"status": found.get_status_display()}), status=409)
    if found.queue_id is not None:
        from procrastinate.contrib.django import app

        # Still waiting in the queue: drop it there too (a running one stops at its next step).
        app.job_manager.cancel_job_by_id(found.queue_id)
    return JsonResponse({"job": job_json(found)})
