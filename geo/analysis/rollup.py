"""Roll per-community report rows up to streets and districts (Django-free).

Sums are sums; ratios are recomputed from the summed parts, never averaged:

    m2_per_100_households = Σ floor_area / Σ households × 100
    within_r              = Σ share_r,c × covered_c / Σ covered_c

where ``covered_c`` is the households of community c's buildings (the weights the
community's own shares were computed with), so a rolled-up share equals the share
computed directly over the group's buildings.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .coverage import reach_column

SUMS = ("households", "population", "centers", "floor_area_m2", "required_m2",
        "shortfall_m2", "grids", "grids_out_of_range", "grid_findings", "units",
        "members")


def rollup(communities: pd.DataFrame, key: str, reaches: Sequence[float]) -> pd.DataFrame:
    """One row per value of ``key`` (e.g. ``street_code``) with the group's figures.

    Parameters
    ----------
    communities : one row per community with the columns of :data:`SUMS`, ``meets``,
        ``has_center``, ``over_pairing_cap``, ``over_member_cap``, ``covered_households``,
        ``grid_hh_min``, ``grid_hh_max``, ``worst_compound_m`` and ``within_{r}m`` per reach
    key : the grouping column
    reaches : metres, naming the share columns

    Returns
    -------
    ``code`` (the key), ``communities``, the sums, ``m2_per_100_households``,
    ``meeting`` (count) and ``meeting_share``, ``without_center``, ``no_units``,
    ``over_pairing_cap``, ``over_member_cap``, ``grid_hh_min``/``max``,
    ``worst_compound_m`` and the household-weighted ``within_{r}m``.
    """
    frame = communities.copy()
    weight = frame["covered_households"].astype(float)
    share_cols = [reach_column(r) for r in reaches]
    for col in share_cols:
        frame[col + "_hh"] = frame[col].astype(float).fillna(0.0) * weight
    frame["_weight"] = weight
    frame["_meets"] = frame["meets"].astype(int)
    frame["_no_center"] = (~frame["has_center"].astype(bool)).astype(int)
    frame["_no_units"] = (frame["units"] == 0).astype(int)
    frame["_over_pairing"] = frame["over_pairing_cap"].astype(int)
    frame["_over_members"] = frame["over_member_cap"].astype(int)
    agg = frame.groupby(key, sort=True).agg(
        communities=("code", "size"),
        **{col: (col, "sum") for col in SUMS},
        meeting=("_meets", "sum"), without_center=("_no_center", "sum"),
        no_units=("_no_units", "sum"), over_pairing_cap=("_over_pairing", "sum"),
        over_member_cap=("_over_members", "sum"),
        grid_hh_min=("grid_hh_min", "min"), grid_hh_max=("grid_hh_max", "max"),
        worst_compound_m=("worst_compound_m", "max"), covered_households=("_weight", "sum"),
        **{col + "_hh": (col + "_hh", "sum") for col in share_cols},
    )
    hh = agg["households"].astype(float)
    agg["m2_per_100_households"] = np.where(hh > 0, agg["floor_area_m2"] / hh * 100, np.nan)
    agg["meeting_share"] = agg["meeting"] / agg["communities"]
    cov = agg["covered_households"].astype(float)
    for col in share_cols:
        agg[col] = np.where(cov > 0, agg[col + "_hh"] / cov, np.nan)
        del agg[col + "_hh"]
    agg.index.name = "code"
    return agg.reset_index()
