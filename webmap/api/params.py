"""The API's one parameter parser, and the query parameters of the analysis endpoints."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from geo.analysis.coverage import parse_reaches
from geo.analysis.rules import ProfileError, load_profile
from geo.models.scope import ScopeError, check_scope
from geo.services.access import scope_for_read
from geo.services.errors import describe


def parse(serializer_class: type[serializers.Serializer], data: Any,
          user: Any = None) -> dict[str, Any]:
    """Validated parameters of a query or body (400 ``invalid_parameter`` naming the field).

    With a ``user``, a ``scope`` is the one a read uses: none means the user's own, one
    reaching outside it is a 403.
    """
    ser = serializer_class(data=data)
    ser.is_valid(raise_exception=True)
    out = dict(ser.validated_data)
    if user is not None and "scope" in out:
        out["scope"] = scope_for_read(user, out["scope"])
    return out


def _profile(value: str | None) -> Any:
    if value and (value.endswith(".json") or "/" in value):
        raise serializers.ValidationError(_("profile 应为内置规则配置的名称"))
    try:
        return load_profile(value)
    except ProfileError as exc:
        raise serializers.ValidationError(describe(exc)) from exc


class ScopedParams(serializers.Serializer):
    scope = serializers.CharField(required=False, allow_blank=True, default="",
                                  help_text="6/9/12-digit district, street or community code")
    profile = serializers.CharField(required=False, default=None, allow_null=True,
                                    help_text="rule profile name (default national-2022)")

    def validate_scope(self, value: str) -> str:
        try:
            return check_scope(value)
        except ScopeError as exc:
            raise serializers.ValidationError(describe(exc)) from exc

    def validate_profile(self, value: str | None) -> Any:
        return _profile(value)


class NearestParams(serializers.Serializer):
    lon = serializers.FloatField(min_value=-180, max_value=180, help_text="longitude, degrees")
    lat = serializers.FloatField(min_value=-90, max_value=90, help_text="latitude, degrees")
    k = serializers.IntegerField(min_value=1, max_value=20, default=3)
    by = serializers.ChoiceField(choices=["walk", "straight"], default="walk")
    crs = serializers.ChoiceField(choices=["wgs84", "cgcs2000", "gcj02", "bd09"],
                                  default="wgs84")
    profile = serializers.CharField(required=False, default=None, allow_null=True,
                                    help_text="rule profile name (default national-2022)")

    def validate_profile(self, value: str | None) -> Any:
        return _profile(value)


class CoverageParams(ScopedParams):
    # allow_blank: the default "" (the profile's reaches) must itself be a valid value, or
    # the OpenAPI document contradicts itself (default '' with minLength 1).
    reach = serializers.CharField(required=False, default="", allow_blank=True,
                                  help_text="metres separated by commas, e.g. 300,500,1000 "
                                            "(empty: the rule profile's reaches)")
    areas = serializers.BooleanField(required=False, default=False,
                                     help_text="include reach polygons per center")

    def validate_reach(self, value: str) -> list[float]:
        if not value:
            return []
        try:
            return parse_reaches(value)
        except ValueError as exc:
            raise serializers.ValidationError(describe(exc)) from exc


class PairingParams(ScopedParams):
    metric = serializers.ChoiceField(choices=["walk", "straight"], default="walk")
    max_per_community = serializers.IntegerField(min_value=1, max_value=50, required=False,
                                                 default=None, allow_null=True)
    min_per_community = serializers.RegexField(r"^(auto|[0-9]{1,2})$", default="auto",
                                               required=False)
    max_distance = serializers.FloatField(min_value=0, required=False, default=None,
                                          allow_null=True)


class PairingSaveBody(PairingParams):
    fingerprint = serializers.RegexField(r"^[0-9a-f]{16}$",
                                         help_text="the proposal's fingerprint, as reviewed")


class SearchParams(serializers.Serializer):
    q = serializers.CharField(max_length=60,
                              help_text="a name, or part of it (compound, community, center)")
    limit = serializers.IntegerField(min_value=1, max_value=50, default=10)
