"""Facility floor area per 100 households against a rule profile (Django-free)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .rules import RuleProfile


def facility_ratio(communities: pd.DataFrame, centers: pd.DataFrame,
                   profile: RuleProfile) -> pd.DataFrame:
    """Floor area per 100 households, the required area and the shortfall per community.

    Parameters
    ----------
    communities : columns ``code``, ``households``
    centers : columns ``community_code``, ``floor_area``, ``level``, ``comprehensive``
        (centers of any level count for the community they stand in)
    profile : thresholds

    Returns
    -------
    One row per community: ``floor_area_m2``, ``centers``, ``m2_per_100_households``
    (NaN for 0 households), ``required_m2 = max(ratio × households / 100, minimum)``,
    ``shortfall_m2 = max(0, required − area)``, ``ratio_ok``, ``min_ok``, ``meets`` and
    ``status`` (:func:`facility_status`).
    """
    area = centers.groupby("community_code")["floor_area"].agg(["sum", "count"])
    out = communities[["code", "households"]].copy()
    out["centers"] = out["code"].map(area["count"]).fillna(0).astype(int)
    out["floor_area_m2"] = out["code"].map(area["sum"]).fillna(0.0).astype(float)
    hh = out["households"].astype(float)
    out["m2_per_100_households"] = np.where(hh > 0, out["floor_area_m2"] / hh * 100, np.nan)
    by_ratio = profile.facility_ratio_m2_per_100_households * hh / 100
    out["required_m2"] = np.maximum(by_ratio, profile.facility_min_m2)
    out["shortfall_m2"] = np.maximum(out["required_m2"] - out["floor_area_m2"], 0.0)
    out["ratio_ok"] = out["floor_area_m2"] >= by_ratio
    out["min_ok"] = out["floor_area_m2"] >= profile.facility_min_m2
    out["meets"] = out["ratio_ok"] & out["min_ok"]
    out["status"] = [facility_status(m, n) for m, n in zip(out["meets"], out["centers"],
                                                             strict=True)]
    out["profile"] = profile.name
    return out.reset_index(drop=True)


def facility_status(meets: bool, centers: int) -> str:
    """'meets', 'no_center' or 'short': how a community's facilities stand.

    The SQL twin is ``wangge_facility_status`` (migration 0010), which the tiles use;
    ``tests/test_it_rules_agree.py`` holds the two equal.
    """
    if meets:
        return "meets"
    return "no_center" if centers == 0 else "short"


def center_level_check(centers: pd.DataFrame, profile: RuleProfile) -> pd.DataFrame:
    """Each center's floor area against its level's target (and the comprehensive minimum).

    ``centers`` has ``level``, ``floor_area`` and ``comprehensive``; adds ``target_m2``,
    ``shortfall_m2`` and ``meets``.
    """
    out = centers.copy()
    target = out["level"].map(profile.center_area_by_level_m2).fillna(0.0).astype(float)
    comp = out["comprehensive"].astype(bool)
    out["target_m2"] = np.where(comp, np.maximum(target, profile.comprehensive_center_min_m2),
                                target)
    out["shortfall_m2"] = np.maximum(out["target_m2"] - out["floor_area"], 0.0)
    out["meets"] = out["shortfall_m2"] <= 0
    return out
