"""The "532" star rating of a scope, evaluators' scores with evidence, and rectification of
weak communities tracked to closure (409 when someone saved first)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from geo.analysis.stars import load_star_profile
from geo.models import Community, Rectification, RectificationStatus, StarScore
from geo.models.audit import acting_as
from geo.models.base import StaleVersion
from geo.services.access import require_in_scope, require_perm, scope_filter, scope_of
from geo.services.leaders import active_on, community_leaders
from geo.services.stars import star_ratings

from . import schemas as sch
from .errors import ApiError, stale
from .organisation import YearParams
from .params import parse
from .permissions import StaffInScope

RATINGS = sch.obj({"scope": sch.nullable(sch.STR), "year": sch.INT, "stars": sch.arr(sch.OBJ),
                   "summary": sch.OBJ, "communities": sch.arr(sch.OBJ),
                   "weak": sch.arr(sch.OBJ)})
SCORE = sch.obj({"community": sch.STR, "year": sch.INT, "star": sch.STR, "points": sch.NUM,
                 "evidence": sch.STR, "version": sch.INT})
RECTIFICATION = sch.obj({"id": sch.INT, "community": sch.STR, "year": sch.INT,
                         "status": sch.STR, "reasons": sch.arr(sch.STR), "version": sch.INT})


def _year(p: dict[str, Any]) -> int:
    return int(p.get("year") or timezone.localdate().year)


class Stars(APIView):
    """星级评定 points, stars and colour per community, and the weak list with reasons."""

    permission_classes = (StaffInScope,)
    required_perm = "geo.view_starscore"

    @extend_schema(parameters=[YearParams], responses={200: sch.response(
        RATINGS, "the rating per community and the weak list")})
    def get(self, request: Request) -> Response:
        p = parse(YearParams, request.query_params, request.user)
        year = _year(p)
        out = star_ratings(p["scope"], year, p["profile"], load_star_profile())
        leaders = community_leaders(p["scope"], timezone.localdate())
        open_ = {r.community.code: r for r in Rectification.objects.filter(
            year=year, community__code__startswith=p["scope"]).select_related("community")}
        for w in out["weak"]:
            w["leaders"] = [x["leader"]["name"] for x in leaders.get(w["code"], [])]
            r = open_.get(w["code"])
            w["rectification"] = rectification_json(r) if r else None
        return Response(out)


class ScoreBody(serializers.Serializer):
    points = serializers.DecimalField(max_digits=4, decimal_places=1, min_value=0,
                                      max_value=10)
    evidence = serializers.CharField(max_length=2000, help_text="what the points rest on")
    version = serializers.IntegerField(required=False, min_value=1)


class ScoreView(APIView):
    """Give one star of one community its points for a year, with the evidence (PUT)."""

    permission_classes = (StaffInScope,)
    required_perm = "geo.change_starscore"

    @extend_schema(request=ScoreBody, responses={201: sch.response(SCORE, "scored"),
                                                 200: sch.response(SCORE, "changed"),
                                                 409: sch.response(sch.ERROR, "changed")})
    def put(self, request: Request, code: str, year: int, star: str) -> Response:
        p = parse(ScoreBody, request.data)
        if star not in load_star_profile().keys:
            raise ApiError("invalid_parameter", _("没有此星：%(star)s") % {"star": star}, "star")
        if not 2000 <= year <= timezone.localdate().year:
            raise ApiError("invalid_parameter", _("年度须在 2000 年与今年之间"), "year")
        require_in_scope(request.user, code, _("社区"))
        comm = Community.objects.filter(code=code).first()
        if comm is None:
            raise ApiError("not_found", _("没有代码为 %(code)s 的社区") % {"code": code},
                           status_code=status.HTTP_404_NOT_FOUND)
        try:
            with transaction.atomic(), acting_as(request.user):
                row = StarScore.objects.select_for_update().filter(
                    community=comm, year=year, star=star).first()
                made = row is None
                if row is None:
                    row = StarScore.objects.create(community=comm, year=year, star=star,
                                                   points=p["points"], evidence=p["evidence"])
                else:
                    if p.get("version") != row.version:
                        raise StaleVersion(row.version, p.get("version"))
                    row.points, row.evidence = p["points"], p["evidence"]
                    row.version += 1
                    row.save()
        except StaleVersion as exc:
            raise stale(exc) from exc
        return Response({"community": code, "year": year, "star": star,
                         "points": float(row.points), "evidence": row.evidence,
                         "version": row.version},
                        status=status.HTTP_201_CREATED if made else status.HTTP_200_OK)


def rectification_json(r: Rectification) -> dict[str, Any]:
    return {"id": r.pk, "community": r.community.code, "community_name": r.community.name,
            "year": r.year, "status": r.status, "status_label": r.get_status_display(),
            "reasons": r.reasons, "leader": r.leader.name if r.leader else None,
            "measures": r.measures, "opened_on": r.opened_on.isoformat(),
            "closed_on": r.closed_on.isoformat() if r.closed_on else None,
            "version": r.version}


class OpenBody(serializers.Serializer):
    community = serializers.RegexField(r"^[0-9]{12}$")
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class Rectifications(APIView):
    """整改 the rectifications of a scope (GET), or list a community for one (POST)."""

    permission_classes = (StaffInScope,)
    required_perm = "geo.view_rectification"

    @extend_schema(parameters=[YearParams], responses={200: sch.response(
        sch.obj({"rectifications": sch.arr(RECTIFICATION)}), "a year's rectifications")})
    def get(self, request: Request) -> Response:
        p = parse(YearParams, request.query_params, request.user)
        rows = (Rectification.objects.filter(year=_year(p),
                                             community__code__startswith=p["scope"])
                .select_related("community", "leader").order_by("community__code"))
        return Response({"rectifications": [rectification_json(r) for r in rows]})

    @extend_schema(request=OpenBody, responses={201: sch.response(RECTIFICATION, "listed"),
                                                409: sch.response(sch.ERROR, "already")})
    def post(self, request: Request) -> Response:
        require_perm(request.user, "geo.add_rectification")
        p = parse(OpenBody, request.data)
        require_in_scope(request.user, p["community"], _("社区"))
        comm = Community.objects.filter(code=p["community"]).first()
        if comm is None:
            raise ApiError("not_found", _("没有代码为 %(code)s 的社区") % {
                "code": p["community"]}, "community", status_code=status.HTTP_404_NOT_FOUND)
        if p["year"] > timezone.localdate().year:
            raise ApiError("invalid_parameter", _("年度须在 2000 年与今年之间"), "year")
        from geo.analysis.rules import load_profile

        # Its reasons: the stars it has not earned, as rated now.
        rated = star_ratings(comm.code, p["year"], load_profile(), load_star_profile())
        items = rated["communities"][0]["items"]
        reasons = [_("%(star)s %(points)s 分") % {"star": it["title"],
                                                  "points": f"{it['points']:g}"}
                   for it in items if not it["earned"]]
        today = timezone.localdate()
        user: Any = request.user
        link = comm.leader_links.filter(active_on(today)).select_related("leader").first()
        with transaction.atomic(), acting_as(request.user):
            if Rectification.objects.select_for_update().filter(
                    community=comm, year=p["year"]).exists():
                raise ApiError("conflict", _("%(name)s 已列入 %(year)s 年整改") % {
                    "name": comm.name, "year": p["year"]}, status_code=status.HTTP_409_CONFLICT)
            r = Rectification.objects.create(
                community=comm, year=p["year"], reasons=reasons, opened_on=today,
                leader=link.leader if link else None, opened_by=user)
        return Response(rectification_json(r), status=status.HTTP_201_CREATED)


class AdvanceBody(serializers.Serializer):
    status = serializers.ChoiceField(choices=[RectificationStatus.IN_PROGRESS.value,
                                              RectificationStatus.CLOSED.value])
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    version = serializers.IntegerField(min_value=1)


class AdvanceRectification(APIView):
    """Move a rectification on (in progress, closed with what was done); 409 when stale."""

    permission_classes = (StaffInScope,)
    required_perm = "geo.change_rectification"

    @extend_schema(request=AdvanceBody, responses={200: sch.response(RECTIFICATION, "moved"),
                                                   409: sch.response(sch.ERROR, "changed")})
    def post(self, request: Request, pk: int) -> Response:
        p = parse(AdvanceBody, request.data)
        r = (Rectification.objects.filter(scope_filter(Rectification,
                                                       scope_of(request.user) or ""))
             .select_related("community", "leader").filter(pk=pk).first())
        if r is None:
            raise ApiError("not_found", _("没有此整改记录"), status_code=status.HTTP_404_NOT_FOUND)
        require_in_scope(request.user, r.community.code, _("社区"))
        try:
            with acting_as(request.user):
                r.advance(p["status"], p["note"], timezone.localdate(), p["version"])
        except StaleVersion as exc:
            raise stale(exc) from exc
        except ValidationError as exc:
            raise ApiError(exc.code or "invalid", exc.messages[0], "status") from exc
        return Response(rectification_json(r))
